/**
 * "Check Drift Against Reference…" on a CSV beside an open model runs the check in the lab panel's Drift
 * tab: the command answers 'panel', and the model's server receives the UI's `POST /api/jobs/drift`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, waitFor, workspaceFile, type ModelLabTestApi } from './model-lab';

describe('drift from the explorer', () => {
  const model = workspaceFile('flights', 'flights.onnx');
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

  it("opens the Drift tab of the model's panel, which starts the check on the server", async () => {
    await vscode.commands.executeCommand(CommandId.openModel, model);
    await waitFor('a lab panel for flights.onnx', () => api.panels.list().find((p) => p.modelPath === model.fsPath && p.serverOrigin));
    const result = await vscode.commands.executeCommand(
      CommandId.checkDrift,
      workspaceFile('flights', 'current.csv'),
      workspaceFile('flights', 'reference.csv'),
    );
    assert.equal(result, 'panel');
    const { token } = await api.share.create(model.fsPath, { expiresInMinutes: 5, role: 'owner' }); // /metrics is the owner's
    const server = api.servers.list().find((s) => s.modelPath === model.fsPath)!;
    await waitFor(
      "the UI's POST /api/jobs/drift in the server metrics",
      async () => {
        const text = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
        return text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('http_requests_total') &&
              l.includes('route="/api/jobs/:kind"') &&
              l.includes('method="POST"') &&
              l.includes('status="202"'),
          );
      },
      60_000,
    );
  });
});
