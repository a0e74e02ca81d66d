/**
 * Two simple read-only webviews: the drift report (the self-contained HTML the drift engine writes,
 * shown with scripts off and no network) and the "not available yet" page of commands whose engine is
 * not in this build — an honest page, never a made-up result.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';

export const DRIFT_VIEW_TYPE = 'modelLab.driftReport';
export const NOT_AVAILABLE_VIEW_TYPE = 'modelLab.notAvailable';

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Scripts are off in this webview; the CSP also forbids any fetch, so the report cannot call out. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:";

export async function showDriftReport(reportPath: string, title: string): Promise<vscode.WebviewPanel> {
  const html = await readFile(reportPath, 'utf8');
  const panel = vscode.window.createWebviewPanel(DRIFT_VIEW_TYPE, title, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  const meta = `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">`;
  panel.webview.html = /<head[^>]*>/i.test(html) ? html.replace(/<head[^>]*>/i, (m) => `${m}${meta}`) : `${meta}${html}`;
  return panel;
}

export function showNotAvailable(feature: string, issue: string, detail: string, modelPath?: string): vscode.WebviewPanel {
  const panel = vscode.window.createWebviewPanel(NOT_AVAILABLE_VIEW_TYPE, `${feature} — Model Lab`, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [] });
  panel.webview.html = `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<style>body{font-family:var(--vscode-font-family);color:var(--vscode-foreground);max-width:42rem;padding:1rem 1.5rem}
.badge{display:inline-block;padding:.1rem .5rem;border:1px solid var(--vscode-editorWarning-foreground);color:var(--vscode-editorWarning-foreground)}</style>
<title>${escapeHtml(feature)}</title></head><body>
<h1>${escapeHtml(feature)}</h1>
<p class="badge" role="status">Not available yet in this build</p>
<p>${escapeHtml(detail)}</p>
${modelPath ? `<p>Model: <code>${escapeHtml(basename(modelPath))}</code></p>` : ''}
<p>It arrives with ${escapeHtml(issue)}. Nothing was measured or written.</p>
</body></html>`;
  return panel;
}
