/**
 * Commands on a model: open (server + lab panel), overview, start/stop/restart, share, open in the
 * browser, and the two whose engines are not in every build (compare, export).
 */
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type CommandHandlers } from '../command-ids';
import { cliErrorMessage, runCli, type CliResult } from '../cli-run';
import { createShare, revokeAll, shareCommand } from '../share';
import type { Shell } from '../shell';
import type { ServerStatusBar } from '../status-bar';
import type { LabPanels } from '../views/lab-panel';
import { ONNX_EDITOR_VIEW_TYPE } from '../views/onnx-editor';
import { isCancellation } from '../../server/protocol/errors';

export function modelCommands(shell: Shell, panels: LabPanels, statusBar: ServerStatusBar) {
  /** Runs a command body with the model, turning failures into one actionable message. */
  const withModel = (purpose: string, body: (modelPath: string) => Promise<unknown>) => async (uri?: vscode.Uri) => {
    const modelPath = await shell.pickModel(uri, purpose);
    if (!modelPath) return undefined;
    try {
      return await body(modelPath);
    } catch (err) {
      if (isCancellation(err)) return undefined;
      await shell.showError(`Model Lab: ${(err as Error).message}`);
      return undefined;
    }
  };

  return {
    [CommandId.openModel]: withModel('Open', async (modelPath) => {
      const server = await shell.ensureServer(modelPath);
      await panels.open(modelPath, server);
      return server.snapshot();
    }),
    [CommandId.showOverview]: withModel('Show', async (modelPath) =>
      vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(modelPath), ONNX_EDITOR_VIEW_TYPE),
    ),
    [CommandId.startServer]: withModel('Serve', async (modelPath) => {
      const server = await shell.ensureServer(modelPath);
      void vscode.window.setStatusBarMessage(`Model Lab: ${basename(modelPath)} at ${server.url}`, 5000);
      return server.snapshot();
    }),
    [CommandId.stopServer]: withModel('Stop', async (modelPath) => {
      const server = shell.supervisor.get(modelPath);
      if (!server || server.state === 'stopped') {
        void vscode.window.showInformationMessage(`No Model Lab server runs for ${basename(modelPath)}.`);
        return undefined;
      }
      await server.stop();
      return server.snapshot();
    }),
    [CommandId.restartServer]: withModel('Restart', async (modelPath) => {
      const server = shell.supervisor.get(modelPath);
      if (!server || server.state === 'stopped') return (await shell.ensureServer(modelPath)).snapshot();
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Model Lab: restarting ${basename(modelPath)}`, cancellable: true },
        async (_p, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          await server.restart(shell.settingsFor(modelPath), abort.signal);
        },
      );
      return server.snapshot();
    }),
    [CommandId.shareUrl]: withModel('Share', (modelPath) => shareCommand(shell, modelPath)),
    [CommandId.revokeShares]: withModel('Revoke', async (modelPath) => {
      const server = shell.supervisor.get(modelPath);
      if (server?.state !== 'running') return 0;
      const count = await revokeAll(server);
      void vscode.window.showInformationMessage(`Revoked ${count} shared link${count === 1 ? '' : 's'} to ${basename(modelPath)}.`);
      return count;
    }),
    [CommandId.serveInBrowser]: withModel('Open', async (modelPath) => {
      const link = await createShare(await shell.ensureServer(modelPath));
      await vscode.env.openExternal(vscode.Uri.parse(link.url));
      return link.url;
    }),
    [CommandId.compare]: withModel('Compare', async (modelPath) => {
      await panels.open(modelPath, await shell.ensureServer(modelPath), 'perf');
      void vscode.window.showInformationMessage('Model Lab: compare latency and compression in the Performance tab of the lab panel.');
      return 'panel';
    }),
    [CommandId.exportBundle]: withModel('Export', (modelPath) => exportBundle(shell, modelPath)),
    [CommandId.showLog]: () => shell.log.show(true),
    [CommandId.serverMenu]: () => statusBar.showMenu(),
  } satisfies CommandHandlers;
}

const LAST_TARGETS_KEY = 'modelLab.export.lastTargets';

/**
 * Targets (remembered from last time) → folder → `model-lab export <model> -o <folder>` in a child with
 * cancellable progress → a summary of the checks MANIFEST.json records, with "Open Folder".
 */
async function exportBundle(shell: Shell, modelPath: string): Promise<string | undefined> {
  const last = shell.context.globalState.get<string[]>(LAST_TARGETS_KEY);
  const reference = shell.referenceFor(modelPath);
  const targets = await vscode.window.showQuickPick(
    EXPORT_TARGETS.map(([label, description]) => ({
      label,
      // The explanation report is computed on the reference CSV: say so when there is none.
      description: label === 'explain' && !reference ? `${description} — no reference CSV is set for this model` : description,
      picked: last ? last.includes(label) : !OPT_IN_TARGETS.includes(label),
    })),
    { canPickMany: true, title: `Export ${basename(modelPath)}: targets (the ONNX model is always included)` },
  );
  if (!targets) return undefined;
  if (targets.some((t) => t.label === 'explain') && !reference)
    throw new Error(
      `the explanation report is computed on the reference data, and ${basename(modelPath)} has none: ` +
        'use "Set as Reference for the Open Model" on a CSV, then export again',
    );
  await shell.context.globalState.update(
    LAST_TARGETS_KEY,
    targets.map((t) => t.label),
  );
  const parent = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: vscode.Uri.file(dirname(modelPath)),
    openLabel: 'Export here',
  });
  if (!parent?.[0]) return undefined;
  const outDir = join(parent[0].fsPath, `${basename(modelPath, '.onnx')}-bundle`);
  const args = ['export', modelPath, '-o', outDir, '--targets', ['onnx', ...targets.map((t) => t.label)].join(',')];
  if (reference) args.push('--reference', reference);
  let result = await runExport(shell, modelPath, args);
  if (result.code !== 0 && /not empty/.test(result.stderr)) {
    const replace = await vscode.window.showWarningMessage(
      `${outDir} is not empty. Replace it once the new bundle is complete?`,
      { modal: true },
      'Replace',
    );
    if (replace !== 'Replace') return undefined;
    result = await runExport(shell, modelPath, [...args, '--force']);
  }
  const checks = readChecks(outDir);
  for (const c of checks) shell.log.appendLine(`[export] ${c.status.padEnd(7)} ${c.target} ${c.name}: ${c.detail ?? ''}`);
  if (result.code !== 0) {
    const failed = checks.filter((c) => c.status === 'fail').map((c) => `${c.target} ${c.name}`);
    throw new Error(`export failed${failed.length ? ` verification (${failed.join(', ')})` : ''}: ${cliErrorMessage(result)}`);
  }
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  const summary = [
    `${count('pass')} checks passed`,
    count('skipped') && `${count('skipped')} skipped`,
    count('fail') && `${count('fail')} failed`,
  ]
    .filter(Boolean)
    .join(', ');
  void vscode.window
    .showInformationMessage(`Model Lab: bundle written to ${outDir} — ${summary}.`, 'Open Folder', 'Show Checks')
    .then((a) => {
      if (a === 'Open Folder') void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(outDir));
      if (a === 'Show Checks') shell.log.show(true);
    });
  return outDir;
}

/** The verification results the export wrote into MANIFEST.json (empty when it wrote none). */
function readChecks(outDir: string): { target: string; name: string; status: string; detail?: string }[] {
  try {
    const manifest = JSON.parse(readFileSync(join(outDir, 'MANIFEST.json'), 'utf8')) as {
      checks?: { target: string; name: string; status: string; detail?: string }[];
    };
    return manifest.checks ?? [];
  } catch {
    return [];
  }
}

const EXPORT_TARGETS: [string, string][] = [
  ['docker', 'Dockerfile + the prediction server'],
  ['k8s', 'Kubernetes Deployment, Service, HPA'],
  ['kserve', 'KServe InferenceService'],
  ['triton', 'Triton model repository'],
  ['tfjs', 'TensorFlow.js model + page'],
  ['explain', 'Explanation report for the receiving engineer (computed on the reference CSV)'],
];
/** Parts that are not deployment targets: unpicked unless chosen last time. */
const OPT_IN_TARGETS = ['explain'];

function runExport(shell: Shell, modelPath: string, args: string[]): Thenable<CliResult> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Model Lab: exporting ${basename(modelPath)}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runCli(args, {
        nodePath: shell.nodePath,
        cliPath: shell.cliPath,
        signal: abort.signal,
        onStderrLine: (line) => {
          shell.log.appendLine(`[export] ${line}`);
          progress.report({ message: line.replace(/^model-lab:\s*/, '').slice(0, 120) });
        },
      });
    },
  );
}
