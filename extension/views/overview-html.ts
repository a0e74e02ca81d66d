/**
 * The HTML of the `.onnx` custom editor: a read-only model overview (inputs/outputs with dtypes and
 * shapes, opsets, producer, op histogram as bars, parameter count, size, signature source) with a
 * button that starts the server and opens the lab panel. Pure (no `vscode`), unit-tested.
 *
 * Strict CSP: no network, styles from the nonce'd `<style>`, one nonce'd script that only posts
 * `{type: 'open-lab'}` / `{type: 'refresh'}` to the extension. Bar widths are set by that script from
 * `data-share` attributes (CSSOM), since inline `style=""` attributes are forbidden by the CSP.
 */
import type { ModelInfo } from '../../server/protocol/api';
import type { Dim, Signature } from '../../server/protocol/signature';
import { escapeHtml } from '../../server/protocol/html';

export interface ModelOverview {
  info: ModelInfo;
  signature: Signature;
}

export function formatShape(dims: Dim[]): string {
  return `[${dims.map((d) => (d === null ? '?' : typeof d === 'number' && d < 0 ? '?' : String(d))).join(', ')}]`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
}

const SOURCE_TEXT: Record<string, string> = {
  sidecar: 'the sidecar file <model>.signature.json',
  metadata: "the model's metadata_props",
  reference: 'the reference CSV header',
  generated: 'generated names (add a sidecar or a reference CSV to name the features)',
};

function table(headers: string[], rows: string[][]): string {
  if (!rows.length) return '<p class="muted">none</p>';
  return (
    `<table><thead><tr>${headers.map((h) => `<th scope="col">${escapeHtml(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`
  );
}

/** Ops sorted by count, as labelled bars (widths relative to the most frequent op). */
function opBars(histogram: Record<string, number>): string {
  const ops = Object.entries(histogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!ops.length) return '<p class="muted">no nodes</p>';
  const max = ops[0][1];
  return `<ul class="bars" aria-label="Operators by count">${ops
    .map(
      ([op, n]) =>
        `<li><span class="bar-label">${escapeHtml(op)}</span><span class="bar" data-share="` +
        `${(n / max).toFixed(4)}"></span><span class="bar-value">${n}</span></li>`,
    )
    .join('')}</ul>`;
}

export interface OverviewPageOptions {
  nonce: string;
  cspSource: string;
  /** Set when `info` failed: the CLI's message, shown instead of the overview. */
  error?: string;
}

export function renderOverviewPage(overview: ModelOverview | undefined, options: OverviewPageOptions): string {
  const { nonce } = options;
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; img-src ${options.cspSource} data:`;
  let body: string;
  if (!overview) {
    body = `<h1>Cannot read this model</h1><p role="alert">${escapeHtml(options.error ?? 'unknown error')}</p>
<button id="refresh" type="button">Try again</button>`;
  } else {
    const { info: m, signature: s } = overview;
    const opsets = m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ') || 'none';
    const facts: [string, string][] = [
      ['File', m.path],
      ['Size', formatBytes(m.fileBytes)],
      ['Producer', `${m.producer.name || 'unknown'} ${m.producer.version}`.trim()],
      ['Format', `IR ${m.irVersion}; opsets ${opsets}`],
      ['Parameters', `${m.parameterCount.toLocaleString('en-US')} in ${m.initializerCount} initializers`],
      ['Nodes', m.nodeCount.toLocaleString('en-US')],
      [
        'Task',
        s.task +
          (s.classNames?.length
            ? ` — ${s.classNames.length} classes: ${s.classNames.slice(0, 12).join(', ')}${s.classNames.length > 12 ? '…' : ''}`
            : ''),
      ],
      ['Batch', s.batch.dynamic ? 'dynamic (batching possible)' : `fixed: ${s.batch.size ?? '?'} row(s) per run`],
      // Where each part came from (signature.origins); `source` alone only from an older CLI without them.
      ...((s.origins
        ? [
            ['Inputs from', s.origins.features],
            ['Task from', s.origins.task],
            ...(s.origins.classes ? [['Class names from', s.origins.classes]] : []),
            ...(s.origins.target ? [[`Target column '${s.target ?? ''}' from`, s.origins.target]] : []),
          ]
        : [['Signature from', SOURCE_TEXT[s.source] ?? s.source]]) as [string, string][]),
    ];
    const notes = [...new Set([...m.rewrites, ...s.notes])];
    body = `<header><h1>${escapeHtml(m.name)}</h1>
<button id="open-lab" type="button">Start server and open the lab</button></header>
<dl class="facts">${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<h2>Inputs</h2>${table(
      ['name', 'dtype', 'shape', 'binding'],
      m.inputs.map((t) => {
        const b = s.inputs.find((x) => x.tensor === t.name);
        return [t.name, t.dtype, formatShape(t.dims), b ? `${b.kind}${b.features.length ? ` (${b.features.length} features)` : ''}` : ''];
      }),
    )}
<h2>Outputs</h2>${table(
      ['name', 'dtype', 'shape', 'role'],
      m.outputs.map((t) => {
        const b = s.outputs.find((x) => x.tensor === t.name);
        return [t.name, t.dtype, formatShape(t.dims), b?.role ?? '(not served)'];
      }),
    )}
<h2>Features (${s.features.length})</h2>${table(
      ['name', 'kind', 'values'],
      s.features
        .slice(0, 200)
        .map((f) => [
          f.name,
          f.kind,
          f.categories?.length ? f.categories.slice(0, 8).join(', ') + (f.categories.length > 8 ? '…' : '') : '',
        ]),
    )}
<h2>Operators</h2>${opBars(m.opHistogram)}
${notes.length ? `<h2>Notes</h2><ul>${notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : ''}`;
  }
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(overview?.info.name ?? 'Model')} — Model Lab</title>
<style nonce="${nonce}">
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);
padding:0 1.5rem 2rem;max-width:60rem}
header{display:flex;align-items:center;gap:1rem;flex-wrap:wrap}
h1{font-size:1.5em;margin:1rem 0}h2{font-size:1.1em;margin-top:1.5rem}

button{background:var(--vscode-button-background);color:var(--vscode-button-foreground);
border:none;padding:.4rem .9rem;cursor:pointer;font:inherit}
button:hover{background:var(--vscode-button-hoverBackground)}
button:focus-visible{outline:1px solid var(--vscode-focusBorder);outline-offset:2px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}.facts dt{color:var(--vscode-descriptionForeground)}
.facts dd{margin:0;word-break:break-all}
table{border-collapse:collapse}
th,td{text-align:left;padding:.15rem .8rem .15rem 0;border-bottom:1px solid var(--vscode-widget-border,#8884)}
.muted{color:var(--vscode-descriptionForeground)}
.bars{list-style:none;padding:0;margin:0;max-width:40rem}
.bars li{display:grid;grid-template-columns:12rem 1fr 3rem;align-items:center;gap:.5rem;margin:.1rem 0}
.bar{display:block;height:.8rem;background:var(--vscode-charts-blue,#3794ff);min-width:2px}
.bar-value{text-align:right;font-variant-numeric:tabular-nums}
.bar-label{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
</style></head><body>${body}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
for (const bar of document.querySelectorAll('.bar')) bar.style.width = (Number(bar.dataset.share) * 100) + '%';
document.getElementById('open-lab')?.addEventListener('click', () => vscode.postMessage({ type: 'open-lab' }));
document.getElementById('refresh')?.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
</script></body></html>`;
}
