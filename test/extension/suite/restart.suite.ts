/**
 * What must survive a restart: a shared link after its server process was killed and restarted by the
 * supervisor (the extension re-installs its live tokens), and a lab panel restored by the panel
 * serializer (called as VS Code calls it after a window reload; a real reload would restart this suite).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, waitFor, workspaceFile, type ModelLabTestApi } from './model-lab';

const labTabs = () =>
  vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLab.lab'));

describe('after a restart', () => {
  const model = workspaceFile('iris', 'iris.onnx');
  let api: ModelLabTestApi;

  before(async () => {
    const exported = await activate();
    assert.ok(exported?.servers, 'activate() returns no test API (see extension/TESTING.md)');
    api = exported;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api?.servers.stop(model.fsPath).catch(() => undefined);
  });

  it('a shared link still answers after its server was killed and restarted; without the token 401', async () => {
    const first = await api.servers.start(model.fsPath);
    const share = await api.share.create(model.fsPath, { expiresInMinutes: 10 });
    assert.equal((await fetch(share.localUrl)).status, 200, 'the link before the crash');
    process.kill(first.pid!, 'SIGKILL');
    const restarted = await waitFor(
      'the supervisor to restart the server',
      () => {
        const s = api.servers.list().find((x) => x.modelPath === model.fsPath);
        return s?.state === 'running' && s.pid !== first.pid ? s : undefined;
      },
      30_000,
    );
    const link = share.localUrl.replace(`:${first.port}/`, `:${restarted.port}/`);
    const page = await fetch(link);
    assert.equal(page.status, 200, `the old link ${link} after the restart`);
    assert.equal(
      (await fetch(`${restarted.url}/api/model`, { headers: { authorization: `Bearer ${share.token}` } })).status,
      200,
      'its token as a bearer',
    );
    assert.equal((await fetch(`${restarted.url}/api/model`)).status, 401, 'no token');
  });

  it('a lab panel revived by the serializer (as after a window reload) finds its model, restarts its server and renders', async () => {
    await vscode.commands.executeCommand(CommandId.openModel, model);
    await waitFor('a lab panel for iris.onnx', () => api.panels.list().find((p) => p.modelPath === model.fsPath && p.serverOrigin));
    await vscode.window.tabGroups.close(labTabs());
    await waitFor('the panel to close', () => (api.panels.list().length === 0 ? true : undefined));
    await api.servers.stop(model.fsPath);
    // What VS Code hands the serializer after a reload: an empty panel of the view type and the UI's saved state.
    const panel = vscode.window.createWebviewPanel('modelLab.lab', 'iris.onnx — Model Lab', vscode.ViewColumn.Active, {
      enableScripts: true,
    });
    await api.panels.revive(panel, { modelName: 'iris' });
    const revived = await waitFor(
      'the revived panel',
      () => api.panels.list().find((p) => p.modelPath === model.fsPath && p.serverOrigin),
      40_000,
    );
    const server = api.servers.list().find((s) => s.modelPath === model.fsPath)!;
    assert.equal(server.state, 'running', "the serializer restarted the model's server");
    assert.ok(revived.serverOrigin!.includes(String(server.port)), `panel origin ${revived.serverOrigin} vs port ${server.port}`);
    assert.match(panel.webview.html, /iris\.onnx — Model Lab/, 'the lab UI page, not the "lost track" page');
  });
});
