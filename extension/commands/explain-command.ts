/**
 * "Explain Model…": why does the model predict what it predicts? Runs the `explain` job (server/explain)
 * on the model's own server — the same job the Explain tab runs — with a cancellable progress
 * notification, then shows the result in the lab panel's Explain tab.
 *
 * Data: the model's reference CSV; when none is set, a CSV the user picks (beside the model: the server
 * reads only there) and an optional target column from its header. A test (or another extension) skips
 * the dialogs with the second argument: `executeCommand('modelLab.explainModel', uri, { data, target })`.
 */
import { open } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type CommandHandlers } from '../command-ids';
import { runServerJob } from '../model-server/server-jobs';
import type { Shell } from '../shell';
import type { LabPanels } from '../views/lab-panel';
import { isCancellation } from '../../server/protocol/errors';
import { EXPLAIN_METHODS, type ExplainMethod, type ExplainReport, type ExplainRequest } from '../../server/protocol/explain';
import { ShowExplainJobNotification } from '../../webview/lab-panel-messages';

/** The second argument: answers to the dialogs, and job options. */
export interface ExplainModelOptions {
  /** CSV to explain on (default: the model's reference CSV, else a file picker). */
  data?: string;
  /** Target column; `null` = automatic (the model's target when the CSV has it), without asking. */
  target?: string | null;
  methods?: ExplainMethod[];
  /** Data row (0-based) whose prediction SHAP explains. */
  row?: number;
}

/** What the command resolves with (undefined when the user cancelled or it failed). */
export interface ExplainModelResult {
  jobId: string;
  report: ExplainReport;
  /** Where the result is shown: the lab panel's Explain tab. */
  shown: 'panel';
}

/** Bytes read to find a CSV's header line: a header longer than this is not one a person picks from. */
const HEADER_BYTES = 64 * 1024;

/** The column names of a CSV's first line (RFC 4180 quotes), or [] when it cannot be read. */
export async function csvHeader(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEADER_BYTES, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    const names: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted && c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = !quoted;
      else if (quoted) cell += c;
      else if (c === ',') {
        names.push(cell.trim());
        cell = '';
      } else if (c === '\n' || c === '\r') return [...names, cell.trim()].filter(Boolean);
      else cell += c;
    }
    return bytesRead < HEADER_BYTES ? [...names, cell.trim()].filter(Boolean) : [];
  } finally {
    await file.close();
  }
}

async function pickData(modelPath: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { CSV: ['csv'] },
    title: `No reference CSV is set for ${basename(modelPath)}: data to explain it on (a CSV beside the model)`,
    openLabel: 'Explain on this CSV',
    defaultUri: vscode.Uri.file(dirname(modelPath)),
  });
  return picked?.[0]?.fsPath;
}

const AUTOMATIC = 'Automatic';

/** The optional target column, from the CSV's header: `null` = automatic, undefined = the user cancelled. */
async function pickTarget(csv: string): Promise<string | null | undefined> {
  const columns = await csvHeader(csv).catch(() => []);
  if (!columns.length) return null;
  const picked = await vscode.window.showQuickPick(
    [
      { label: AUTOMATIC, description: "the model's target column, if the CSV has it; else importance without a target" },
      ...columns.map((c) => ({ label: c, description: 'true label or value' })),
    ],
    { title: `Target column of ${basename(csv)} (for permutation importance)`, placeHolder: 'Column with the true label or value' },
  );
  if (!picked) return undefined;
  return picked.label === AUTOMATIC ? null : picked.label;
}

/** The most important features of a report, by permutation importance, else mean |SHAP|, for the message. */
function topFeatures(report: ExplainReport, count = 3): string[] {
  if (report.permutation)
    return [...report.permutation.features]
      .sort((a, b) => b.mean - a.mean)
      .slice(0, count)
      .map((f) => f.feature);
  const mean = report.shap?.global?.meanAbs[0];
  if (!mean) return [];
  return mean
    .map((v, j) => [v, j] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, count)
    .map(([, j]) => report.model.features[j]);
}

export function explainCommands(shell: Shell, panels: LabPanels) {
  async function explain(uri?: vscode.Uri, given?: unknown): Promise<ExplainModelResult | undefined> {
    // From the Explorer menu the second argument is the list of selected files, not options.
    const options: ExplainModelOptions = given && typeof given === 'object' && !Array.isArray(given) ? given : {};
    const modelPath = await shell.pickModel(uri, 'Explain');
    if (!modelPath) return undefined;
    try {
      const reference = shell.referenceFor(modelPath);
      const data = options.data ?? reference ?? (await pickData(modelPath));
      if (!data) return undefined;
      let target = options.target ?? null;
      // A CSV the user picked: ask which column holds the truth. The reference's target is the model's.
      if (!('target' in options) && options.data === undefined && data !== reference) {
        const picked = await pickTarget(data);
        if (picked === undefined) return undefined;
        target = picked;
      }

      const server = await shell.ensureServer(modelPath);
      const served = server.settings.referenceCsv;
      const request: ExplainRequest = {};
      // The served reference is the job's default; another CSV is named (the server checks it lies beside the model).
      if (!served || resolve(served) !== resolve(data)) request.data = data;
      if (target) request.target = target;
      if (options.methods?.length) request.methods = options.methods.filter((m) => EXPLAIN_METHODS.includes(m));
      if (options.row !== undefined) request.row = options.row;
      shell.log.appendLine(`[explain] ${basename(modelPath)} on ${basename(data)}${target ? ` (target ${target})` : ''}`);

      const state = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Model Lab: explaining ${basename(modelPath)}`, cancellable: true },
        async (progress, token) => {
          const abort = new AbortController();
          const sub = token.onCancellationRequested(() => abort.abort());
          let reported = 0;
          try {
            return await runServerJob(server, 'explain', request, {
              signal: abort.signal,
              onProgress: (p) => {
                const percent = p.total > 0 ? Math.min(100, (100 * p.done) / p.total) : reported;
                progress.report({ message: p.step.slice(0, 120), increment: Math.max(0, percent - reported) });
                reported = Math.max(reported, percent);
              },
            });
          } finally {
            sub.dispose();
          }
        },
      );
      const report = state.result!;
      shell.log.appendLine(
        `[explain] done: ${Object.entries(report.timings)
          .map(([m, ms]) => `${m} ${(ms / 1000).toFixed(2)} s`)
          .join(', ')}`,
      );
      await panels.open(modelPath, server, 'explain');
      panels.notify(modelPath, ShowExplainJobNotification, { jobId: state.id });
      const top = topFeatures(report);
      void vscode.window.showInformationMessage(
        `Model Lab: ${basename(modelPath)} explained on ${report.data.rows} rows of ${basename(data)}` +
          `${top.length ? ` — it depends most on ${top.join(', ')}` : ''}. The charts are in the Explain tab.`,
      );
      return { jobId: state.id, report, shown: 'panel' };
    } catch (err) {
      if (!isCancellation(err)) await shell.showError(`Model Lab: cannot explain ${basename(modelPath)}: ${(err as Error).message}`);
      return undefined;
    }
  }

  return { [CommandId.explainModel]: explain } satisfies CommandHandlers;
}
