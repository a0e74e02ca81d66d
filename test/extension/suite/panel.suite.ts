/** "Open Model…" starts the model's server and opens the lab panel (a webview tab) connected to it. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, waitFor, workspaceFile, type ModelLabTestApi } from './model-lab';

describe('lab panel', () => {
  const model = workspaceFile('diabetes', 'diabetes.onnx');
  let api: ModelLabTestApi;

  before(async () => {
    const exported = await activate();
    assert.ok(exported?.panels, 'activate() returns no test API (see extension/TESTING.md)');
    api = exported;
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api?.servers.stop(model.fsPath).catch(() => undefined);
  });

  it('opens a webview tab for the model, backed by its running server', async () => {
    await vscode.commands.executeCommand(CommandId.openModel, model);
    const panel = await waitFor('a lab panel for diabetes.onnx', () =>
      api.panels.list().find((p) => p.modelPath === model.fsPath && p.serverOrigin),
    );
    const tab = vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLab.lab'));
    assert.ok(
      tab,
      `no lab webview tab among: ${vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .map((t) => t.label)
        .join(', ')}`,
    );
    const server = api.servers.list().find((s) => s.modelPath === model.fsPath);
    assert.equal(server?.state, 'running');
    // In the web host the panel's origin is the code-server proxy for the server's port (asExternalUri).
    assert.ok(panel.serverOrigin!.includes(String(server.port)), `panel origin ${panel.serverOrigin} vs server port ${server.port}`);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);
  });
});
