/**
 * Commands on a CSV: check drift against a reference (a Parquet file too), set it as the open model's
 * reference, and batch-predict it with the open model. The work runs in a CLI child (`drift`, `predict`) with
 * cancellable progress; results are real files the user can open.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type CommandHandlers } from '../command-ids';
import { cliErrorMessage, runCli, type CliResult } from '../cli-run';
import type { Shell } from '../shell';
import { showDriftReport } from '../views/info-panels';
import type { LabPanels } from '../views/lab-panel';
import { CheckDriftNotification } from '../../webview/lab-panel-messages';
import { isCancellation } from '../../server/protocol/errors';
import { DRIFT_DATA_FILE_EXTENSIONS, hasExtension } from '../../server/protocol/data-files';

const isCsv = (uri: unknown): uri is vscode.Uri => uri instanceof vscode.Uri && extname(uri.fsPath).toLowerCase() === '.csv';
/** Drift reads Parquet, TSV and gzip-compressed CSV too (the serving reference and batch prediction stay CSV). */
const isDriftData = (uri: unknown): uri is vscode.Uri => uri instanceof vscode.Uri && hasExtension(uri.fsPath, DRIFT_DATA_FILE_EXTENSIONS);

async function pickCsv(title: string, near?: string, parquet = false): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    // VS Code's filters match the last extension only: `gz` stands for .csv.gz and .tsv.gz.
    filters: parquet ? { 'CSV, TSV or Parquet': ['csv', 'tsv', 'gz', 'parquet'] } : { CSV: ['csv'] },
    title,
    openLabel: parquet ? 'Use this file' : 'Use this CSV',
    defaultUri: near ? vscode.Uri.file(dirname(near)) : undefined,
  });
  return picked?.[0]?.fsPath;
}

/** A CLI run with a cancellable notification; its stderr lines are the progress text. */
function runWithProgress(shell: Shell, title: string, args: string[]): Thenable<CliResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    shell.log.appendLine(`running: model-lab ${args.join(' ')}`);
    return runCli(args, {
      nodePath: shell.nodePath,
      cliPath: shell.cliPath,
      signal: abort.signal,
      onStderrLine: (line) => {
        shell.log.appendLine(`[${args[0]}] ${line}`);
        progress.report({ message: line.replace(/^model-lab:\s*/, '').slice(0, 120) });
      },
    });
  });
}

/** `<name>.predictions.csv` beside the input. */
export function predictionsPathFor(csvPath: string): string {
  return join(dirname(csvPath), `${basename(csvPath, extname(csvPath))}.predictions.csv`);
}

export function csvCommands(shell: Shell, panels: LabPanels) {
  const guard =
    (body: (...args: never[]) => Promise<unknown>) =>
    async (...args: never[]) => {
      try {
        return await body(...args);
      } catch (err) {
        if (!isCancellation(err)) await shell.showError(`Model Lab: ${(err as Error).message}`);
        return undefined;
      }
    };

  return {
    /** current CSV (argument or picked), reference (argument, the open model's, or picked) → HTML report. */
    [CommandId.checkDrift]: guard(async (uri?: vscode.Uri, referenceUri?: vscode.Uri) => {
      const current = isDriftData(uri) ? uri.fsPath : await pickCsv('Current data to check for drift', undefined, true);
      if (!current) return undefined;
      const model = shell.activeModel?.() ?? shell.supervisor.mostRecent()?.modelPath;
      const reference = isDriftData(referenceUri)
        ? referenceUri.fsPath
        : ((model && shell.referenceFor(model) !== current ? shell.referenceFor(model) : undefined) ??
          (await pickCsv('Reference data to compare against', current, true)));
      if (!reference) return undefined;
      // With a model open: its lab panel's Drift tab runs the check (progress, cancel, charts). The server
      // reads only CSV and Parquet files beside the model; anything else gets the standalone HTML report below.
      if (model && isInside(dirname(model), current) && isInside(dirname(model), reference)) {
        await panels.open(model, await shell.ensureServer(model), 'drift');
        panels.notify(model, CheckDriftNotification, { reference, current });
        return 'panel';
      }
      const report = join(await mkdtemp(join(tmpdir(), 'model-lab-drift-')), 'drift-report.html');
      const result = await runWithProgress(shell, `Model Lab: drift of ${basename(current)} against ${basename(reference)}`, [
        'drift',
        reference,
        current,
        '--format',
        'html',
        '-o',
        report,
      ]);
      if (result.code !== 0 || !existsSync(report)) throw new Error(`drift check failed: ${cliErrorMessage(result)}`);
      await showDriftReport(report, `Drift: ${basename(current)} vs ${basename(reference)}`);
      return report;
    }),

    [CommandId.setReference]: guard(async (uri?: vscode.Uri) => {
      const csv = isCsv(uri) ? uri.fsPath : await pickCsv('Reference CSV for the open model');
      if (!csv) return undefined;
      const modelPath = await shell.pickModel(undefined, 'Use for this model');
      if (!modelPath) return undefined;
      await shell.setReference(modelPath, csv);
      const server = shell.supervisor.get(modelPath);
      // The reference names features and gives sample rows: a running server must reload with it.
      if (server && server.state !== 'stopped') await server.restart(shell.settingsFor(modelPath));
      void vscode.window.showInformationMessage(`Model Lab: ${basename(csv)} is now the reference of ${basename(modelPath)}.`);
      return csv;
    }),

    [CommandId.batchPredict]: guard(async (uri?: vscode.Uri) => {
      const csv = isCsv(uri) ? uri.fsPath : await pickCsv('CSV to predict');
      if (!csv) return undefined;
      const modelPath = await shell.pickModel(undefined, 'Predict with this model');
      if (!modelPath) return undefined;
      const output = predictionsPathFor(csv);
      const args = ['predict', modelPath, csv, '-o', output];
      const reference = shell.referenceFor(modelPath);
      if (reference) args.push('--reference', reference);
      const started = Date.now() - 1000;
      const result = await runWithProgress(shell, `Model Lab: predicting ${basename(csv)} with ${basename(modelPath)}`, args);
      // Exit 1 with the file written = some rows have an `error` cell; the others are predicted.
      if (!existsSync(output) || statSync(output).mtimeMs < started || (result.code !== 0 && result.code !== 1))
        throw new Error(`batch prediction failed: ${cliErrorMessage(result)}`);
      if (result.code === 1)
        void vscode.window.showWarningMessage(
          `Model Lab: some rows of ${basename(csv)} could not be predicted; see their 'error' column. ${cliErrorMessage(result)}`,
        );
      await vscode.window.showTextDocument(vscode.Uri.file(output), { preview: false });
      return output;
    }),
  } satisfies CommandHandlers;
}

/** Whether `file` lies inside `folder` (no `..` escape, same drive). */
function isInside(folder: string, file: string): boolean {
  const rel = relative(folder, file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}
