/**
 * The extension loads in a real extension host lazily (nothing of it runs until a command, the custom
 * editor or a panel needs it), activates, and registers what its manifest contributes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { activate, extension, reportFigure } from './model-lab';

describe('activation', () => {
  it('is not active before anything asks for it (lazy activation events only)', () => {
    const manifest = extension().packageJSON as { activationEvents?: string[] };
    assert.deepEqual(
      (manifest.activationEvents ?? []).filter((e) => e === '*' || e === 'onStartupFinished'),
      [],
      'eager activation events',
    );
    assert.equal(extension().isActive, false, 'the extension was activated at start-up');
  });

  it('activates in the extension host and reports its activation time', async () => {
    const started = performance.now();
    const api = await activate();
    const callMs = performance.now() - started;
    assert.equal(extension().isActive, true);
    assert.equal(typeof api?.activationMs, 'number', 'activate() returns the API with activationMs');
    // activationMs: the extension's own activate(); activateCallMs: from the request to a ready API,
    // including loading its bundle, as a user's first command would wait.
    reportFigure('activationMs', api!.activationMs);
    reportFigure('activateCallMs', callMs);
  });

  it('registers every command its package.json contributes', async () => {
    await activate();
    const contributed = (
      (extension().packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? []
    ).map((c) => c.command);
    assert.ok(contributed.length > 0, 'package.json contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      contributed.filter((id) => !registered.has(id)),
      [],
      'contributed but not registered',
    );
  });
});
