/**
 * What the user reaches through dialogs, answered here by stubbing `vscode.window` in the host: the status
 * bar's server menu, the export's target quick pick and folder choice (every target, checked through
 * MANIFEST.json), and "Try a Sample Model".
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, stubWindow, waitFor, workspaceFile, type ModelLabTestApi } from './model-lab';

interface Pickable {
  label: string;
  detail?: string;
  description?: string;
  picked?: boolean;
}

describe('menus and dialogs', () => {
  let api: ModelLabTestApi;
  const exportParent = mkdtempSync(join(tmpdir(), 'model-lab-export-'));
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
    rmSync(exportParent, { recursive: true, force: true });
  });

  it('the status bar menu lists the server actions and runs the chosen one (Restart Server)', async () => {
    const model = workspaceFile('breast-cancer', 'breast_cancer.onnx');
    await vscode.commands.executeCommand(CommandId.startServer, model);
    const before = await api.servers.waitForState(model.fsPath, 'running', 30_000);
    let offered: string[] = [];
    restore = stubWindow({
      showQuickPick: async (items: readonly Pickable[] | Thenable<readonly Pickable[]>) => {
        const list = await items;
        offered = list.map((i) => i.label);
        return list.find((i) => i.label.includes('Restart Server'));
      },
    });
    await vscode.commands.executeCommand(CommandId.serverMenu);
    for (const action of ['Open Lab Panel', 'Share Prototype URL…', 'Restart Server', 'Stop Server', 'Show Server Log']) {
      assert.ok(
        offered.some((l) => l.endsWith(action)),
        `menu offers "${action}": ${offered.join(' | ')}`,
      );
    }
    const after = await waitFor(
      'a restarted server',
      () => {
        const s = api.servers.list().find((x) => x.modelPath === model.fsPath);
        return s?.state === 'running' && s.pid !== before.pid ? s : undefined;
      },
      30_000,
    );
    assert.equal((await fetch(`${after.url}/v2/health/ready`)).status, 200);
  });

  it('"Export Deployment Bundle…": every target picked, a folder chosen → a bundle whose MANIFEST.json checks all pass', async function () {
    this.timeout(180_000);
    const model = workspaceFile('diabetes', 'diabetes.onnx');
    let offered: string[] = [];
    restore = stubWindow({
      showQuickPick: async (items: readonly Pickable[] | Thenable<readonly Pickable[]>) => {
        const list = await items;
        offered = list.map((i) => i.label);
        return [...list];
      },
      showOpenDialog: async (options: vscode.OpenDialogOptions) => {
        assert.equal(options.canSelectFolders, true, 'asks for a folder');
        return [vscode.Uri.file(exportParent)];
      },
      // A failed export shows an error message and waits for it to be closed: answer it here, so the test
      // fails at once with the message instead of timing out.
      showErrorMessage: async (message: string) => {
        errors.push(message);
        return undefined;
      },
    });
    const errors: string[] = [];
    const outDir = await vscode.commands.executeCommand<string>(CommandId.exportBundle, model);
    assert.deepEqual(errors, [], 'no error message');
    assert.deepEqual(offered.sort(), ['docker', 'explain', 'k8s', 'kserve', 'tfjs', 'triton']);
    assert.equal(outDir, join(exportParent, 'diabetes-bundle'));
    const manifest = JSON.parse(readFileSync(join(outDir, 'MANIFEST.json'), 'utf8')) as {
      checks: { target: string; name: string; status: string; detail?: string }[];
    };
    const failed = manifest.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped');
    assert.deepEqual(failed, [], 'every check passed (or was skipped for lack of Docker)');
    const targets = new Set(manifest.checks.map((c) => c.target));
    for (const t of ['onnx', 'docker', 'k8s', 'kserve', 'triton', 'tfjs', 'explain'])
      assert.ok(targets.has(t), `MANIFEST.json has checks of ${t}: ${[...targets].join(', ')}`);
    for (const f of ['Dockerfile', 'server/index.js', 'server/package.json', 'server/package-lock.json', 'explain/report.html'])
      assert.ok(existsSync(join(outDir, f)), `bundle has ${f}`);
  });

  it('"Try a Sample Model" offers the samples with a description, copies the chosen one into the workspace and opens it', async () => {
    let offered: Pickable[] = [];
    restore = stubWindow({
      showQuickPick: async (items: readonly Pickable[] | Thenable<readonly Pickable[]>) => {
        offered = [...(await items)];
        return offered.find((i) => i.label === 'flights');
      },
    });
    const modelPath = await vscode.commands.executeCommand<string>(CommandId.trySample);
    assert.deepEqual(
      offered.map((o) => o.label),
      ['iris', 'flights', 'breast-cancer', 'diabetes'],
    );
    for (const o of offered) assert.ok(o.detail && o.detail.length > 10, `a one-line description for ${o.label}`);
    assert.equal(modelPath, workspaceFile('model-lab-samples', 'flights', 'flights.onnx').fsPath);
    for (const f of ['flights.onnx', 'reference.csv', 'current.csv'])
      assert.ok(existsSync(workspaceFile('model-lab-samples', 'flights', f).fsPath), f);
    await waitFor('a lab panel for the copied sample', () => api.panels.list().find((p) => p.modelPath === modelPath && p.serverOrigin));
    assert.equal(api.servers.list().find((s) => s.modelPath === modelPath)?.state, 'running');
  });

  it('contributes a walkthrough: open a sample, predict, check drift, export — each with a command link', () => {
    const pkg = vscode.extensions.getExtension('model-lab.model-lab')!.packageJSON as {
      contributes: { walkthroughs?: { steps: { id: string; description: string }[] }[] };
    };
    const steps = pkg.contributes.walkthroughs?.[0]?.steps ?? [];
    assert.deepEqual(
      steps.map((s) => s.id),
      ['openSample', 'predict', 'checkDrift', 'export'],
    );
    for (const s of steps) assert.match(s.description, /\(command:modelLab\.\w+\)/, `step ${s.id} links a command`);
  });
});
