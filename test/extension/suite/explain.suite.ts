/**
 * "Explain Model…" in a real extension host: the command runs the `explain` job on the model's own server
 * and the lab panel's Explain tab draws that job's result (the tab says so with an ExplainShownCommand,
 * visible in `api.panels.list()`). Without a reference CSV it asks for a CSV and a target column (dialogs
 * answered by stubbing `vscode.window`); a server refusal becomes an error message, not a crash.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import type { ExplainModelResult } from '../../../extension/commands/explain-command';
import { activate, stubWindow, waitFor, workspaceFile, type ModelLabTestApi } from './model-lab';

interface Pickable {
  label: string;
  description?: string;
}

describe('Explain Model…', () => {
  let api: ModelLabTestApi;
  let restore: (() => void) | undefined;

  before(async () => {
    const exported = await activate();
    assert.ok(exported?.servers, 'activate() returns no test API (see extension/TESTING.md)');
    api = exported;
  });
  afterEach(() => {
    restore?.();
    restore = undefined;
  });
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const s of api?.servers.list() ?? []) await api.servers.stop(s.modelPath).catch(() => undefined);
  });

  it('on flights (reference beside it): the job runs on its server and the Explain tab shows its result', async function () {
    this.timeout(120_000);
    const model = workspaceFile('flights', 'flights.onnx');
    let progressShown = false;
    const withProgress = vscode.window.withProgress.bind(vscode.window);
    restore = stubWindow({
      withProgress: (options: vscode.ProgressOptions, task: Parameters<typeof vscode.window.withProgress>[1]) => {
        if (typeof options.title === 'string' && options.title.startsWith('Model Lab: explaining')) {
          assert.equal(options.cancellable, true, 'the explanation can be cancelled');
          progressShown = true;
        }
        return withProgress(options, task);
      },
    });
    const result = await vscode.commands.executeCommand<ExplainModelResult | undefined>(CommandId.explainModel, model);
    assert.ok(result, 'the command resolved with the job and its report');
    assert.ok(progressShown, 'a cancellable progress notification was shown');
    assert.equal(result.shown, 'panel');
    assert.equal(result.report.data.target, 'delayed', "the reference CSV and the model's target");
    assert.equal(result.report.permutation?.features.length, 5);
    assert.ok(result.report.partialDependence && result.report.shap, 'every method by default');

    // The job is the server's: it lists it as done, with the same report.
    const owner = await api.share.create(model.fsPath, { role: 'owner' });
    const base = api.servers.list().find((s) => s.modelPath === model.fsPath)?.url;
    const state = (await (await fetch(`${base}/api/jobs/${result.jobId}?token=${owner.token}`)).json()) as {
      kind: string;
      status: string;
      result: { seed: number; model: { features: string[] } };
    };
    assert.equal(state.kind, 'explain');
    assert.equal(state.status, 'done');
    assert.deepEqual(state.result.model.features, result.report.model.features);

    const panel = await waitFor(
      'the Explain tab to draw the job',
      () => api.panels.list().find((p) => p.modelPath === model.fsPath && p.explainShown?.jobId === result.jobId),
      30_000,
    );
    assert.deepEqual(panel.explainShown, { jobId: result.jobId, ok: true }, 'the tab drew the result');
    assert.ok(
      vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('modelLab.lab')),
      ),
      'the lab panel is open',
    );
  });

  it('without a reference CSV: asks for a CSV beside the model and a target column from its header', async function () {
    this.timeout(120_000);
    const folder = workspaceFile('explain-noref');
    mkdirSync(folder.fsPath, { recursive: true });
    copyFileSync(workspaceFile('iris', 'iris.onnx').fsPath, vscode.Uri.joinPath(folder, 'iris.onnx').fsPath);
    copyFileSync(workspaceFile('iris', 'reference.csv').fsPath, vscode.Uri.joinPath(folder, 'measured.csv').fsPath);
    const model = vscode.Uri.joinPath(folder, 'iris.onnx');
    let dialogTitle = '';
    let offered: string[] = [];
    restore = stubWindow({
      showOpenDialog: async (options: vscode.OpenDialogOptions) => {
        dialogTitle = options.title ?? '';
        return [vscode.Uri.joinPath(folder, 'measured.csv')];
      },
      showQuickPick: async (items: readonly Pickable[] | Thenable<readonly Pickable[]>) => {
        const list = await items;
        offered = list.map((i) => i.label);
        return list.find((i) => i.label === 'species');
      },
    });
    const result = await vscode.commands.executeCommand<ExplainModelResult | undefined>(CommandId.explainModel, model);
    assert.match(dialogTitle, /No reference CSV is set for iris\.onnx/);
    assert.deepEqual(offered, ['Automatic', 'sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)', 'species']);
    assert.ok(result, 'the command resolved with the report');
    assert.equal(result.report.data.path?.endsWith('measured.csv'), true);
    assert.equal(result.report.data.target, 'species');
    assert.equal(result.report.permutation?.metric, 'accuracy', 'with a target: the drop in accuracy');
  });

  it("a refusal by the server becomes an error message in the server's words; the host keeps running", async function () {
    this.timeout(60_000);
    const model = workspaceFile('diabetes', 'diabetes.onnx');
    const errors: string[] = [];
    restore = stubWindow({
      showErrorMessage: async (message: string) => {
        errors.push(message);
        return undefined;
      },
    });
    const result = await vscode.commands.executeCommand(CommandId.explainModel, model, { target: 'no_such_column' });
    assert.equal(result, undefined);
    assert.equal(errors.length, 1, errors.join(' | '));
    assert.match(errors[0], /^Model Lab: cannot explain diabetes\.onnx: .*no_such_column/);
    assert.equal(api.servers.list().find((s) => s.modelPath === model.fsPath)?.state, 'running', 'the server still runs');
  });
});
