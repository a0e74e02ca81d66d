/**
 * A read-only webview for the drift report: the self-contained HTML the drift engine writes, shown
 * with scripts off and no network.
 */
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';

export const DRIFT_VIEW_TYPE = 'modelLab.driftReport';

/** Scripts are off in this webview; the CSP also forbids any fetch, so the report cannot call out. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

export async function showDriftReport(reportPath: string, title: string): Promise<vscode.WebviewPanel> {
  const html = await readFile(reportPath, 'utf8');
  const panel = vscode.window.createWebviewPanel(DRIFT_VIEW_TYPE, title, vscode.ViewColumn.Active, {
    enableScripts: false,
    localResourceRoots: [],
  });
  const meta = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;
  panel.webview.html = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => `${m}${meta}`) : `${meta}${html}`;
  return panel;
}
