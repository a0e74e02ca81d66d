/**
 * The `.csv` Explorer commands with a running model: batch-predict writes `<name>.predictions.csv` beside
 * the CSV and opens it; "Set as Reference" restarts the open model's server with it; "Check Drift" on
 * CSVs outside the model's folder opens the standalone HTML report.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, waitFor, workspaceFile, type ModelLabTestApi } from './model-lab';

describe('csv commands', () => {
  const model = workspaceFile('iris', 'iris.onnx');
  let api: ModelLabTestApi;
  const outside = mkdtempSync(join(tmpdir(), 'model-lab-csv-'));

  before(async () => {
    const exported = await activate();
    assert.ok(exported?.servers, 'activate() returns no test API (see extension/TESTING.md)');
    api = exported;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand(CommandId.startServer, model);
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await api?.servers.stop(model.fsPath).catch(() => undefined);
    rmSync(outside, { recursive: true, force: true });
  });

  it('"Batch-Predict with the Open Model" writes <name>.predictions.csv beside it and opens it', async () => {
    const csv = workspaceFile('iris', 'current.csv');
    const output = await vscode.commands.executeCommand<string>(CommandId.batchPredict, csv);
    assert.equal(output, workspaceFile('iris', 'current.predictions.csv').fsPath);
    const header = readFileSync(output, 'utf8').split('\n')[0];
    assert.match(header, /(^|,)label,p_setosa,p_versicolor,p_virginica/, header);
    const rows = readFileSync(output, 'utf8').trim().split('\n').length;
    assert.equal(rows, readFileSync(csv.fsPath, 'utf8').trim().split('\n').length, 'one prediction per input row');
    await waitFor('the predictions opened in an editor', () =>
      vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === output),
    );
  });

  it('"Set as Reference for the Open Model" restarts the model\'s server with that CSV', async () => {
    const before = api.servers.list().find((s) => s.modelPath === model.fsPath)!;
    const reference = join(outside, 'my-reference.csv');
    copyFileSync(workspaceFile('iris', 'reference.csv').fsPath, reference);
    const result = await vscode.commands.executeCommand<string>(CommandId.setReference, vscode.Uri.file(reference));
    assert.equal(result, reference);
    const after = await api.servers.waitForState(model.fsPath, 'running', 30_000);
    assert.notEqual(after.pid, before.pid, 'a new server process');
    const { token } = await api.share.create(model.fsPath, { expiresInMinutes: 5 });
    const described = await (await fetch(`${after.url}/api/model`, { headers: { authorization: `Bearer ${token}` } })).text();
    assert.ok(described.includes('my-reference.csv'), `the server describes its reference as my-reference.csv: ${described.slice(0, 400)}`);
  });

  it('"Check Drift Against Reference…" on CSVs outside the model folder opens the HTML report', async () => {
    const current = join(outside, 'current.csv');
    copyFileSync(workspaceFile('iris', 'current.csv').fsPath, current);
    const report = await vscode.commands.executeCommand<string>(
      CommandId.checkDrift,
      vscode.Uri.file(current),
      vscode.Uri.file(join(outside, 'my-reference.csv')),
    );
    assert.ok(report && existsSync(report), `report path ${report}`);
    assert.match(readFileSync(report, 'utf8'), /<html/i);
    await waitFor('a drift report tab', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLab.driftReport')),
    );
  });
});
