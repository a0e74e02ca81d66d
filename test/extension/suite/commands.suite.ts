/** Every "Model Lab" command the issue lists is in the manifest (palette, category) and registered after activation. */
import assert from 'node:assert/strict';
import { describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, extension } from './model-lab';

/** Titles from issue 3 ("What the user gets → Commands"), ids from extension/TESTING.md. */
const ISSUE_COMMANDS: Record<string, string> = {
  [CommandId.openModel]: 'Open Model…',
  [CommandId.startServer]: 'Start Server',
  [CommandId.stopServer]: 'Stop Server',
  [CommandId.shareUrl]: 'Share Prototype URL…',
  [CommandId.compare]: 'Compare Latency & Compression',
  [CommandId.checkDrift]: 'Check Drift Against Reference…',
  [CommandId.exportBundle]: 'Export Deployment Bundle…',
  [CommandId.showLog]: 'Show Server Log',
};

interface ContributedCommand {
  command: string;
  title: string;
  category?: string;
}

describe('commands', () => {
  it('contributes every issue command under the "Model Lab" category', () => {
    const contributed = (extension().packageJSON as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? [];
    const byId = new Map(contributed.map((c) => [c.command, c]));
    for (const [id, title] of Object.entries(ISSUE_COMMANDS)) {
      const c = byId.get(id);
      assert.ok(c, `package.json does not contribute ${id} ("Model Lab: ${title}")`);
      assert.equal(c.title, title, `${id} title`);
      assert.equal(c.category, 'Model Lab', `${id} category`);
    }
  });

  it('registers them in the extension host', async () => {
    await activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(
      Object.keys(ISSUE_COMMANDS).filter((id) => !registered.has(id)),
      [],
      'commands not registered',
    );
  });
});
