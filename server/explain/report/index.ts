/**
 * The explanation report as text (terminal), JSON (the documented schema, ../REPORT_SCHEMA.md) or a
 * self-contained HTML page with inline SVG charts (no scripts, no external assets).
 */
import { escapeHtml } from '../../protocol/html';
import type { ExplainReport } from '../../protocol/explain';
import { barChart, beeswarm, heatMap, pdpChart, waterfall } from '../../protocol/explain-charts';

export const REPORT_FORMATS = ['text', 'json', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * The output charts and summaries show when there are several: a binary classifier's second class (the
 * "positive" one, as sklearn), a multi-class model's predicted class for the local row, else the first.
 */
export function primaryOutput(report: ExplainReport): number {
  const outputs = report.model.outputs.length;
  if (outputs === 2 && report.model.task === 'classification') return 1;
  const local = report.shap?.local;
  if (local && outputs > 1) return local.prediction.indexOf(Math.max(...local.prediction));
  return 0;
}

const num = (v: number) => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

export function renderText(report: ExplainReport): string {
  const lines: string[] = [];
  const o = primaryOutput(report);
  lines.push(`Explanation of ${report.model.path} (${report.model.task}, output ${report.model.output})`);
  lines.push(
    `Data: ${report.data.path ?? 'given rows'}, ${report.data.rows} rows${report.data.target ? `, target ${report.data.target}` : ''}`,
  );
  const p = report.permutation;
  if (p) {
    lines.push('', `Permutation importance (${p.metricLabel}; baseline ${num(p.baseline)}; ${p.nRepeats} repeats, ${p.rows} rows)`);
    for (const f of [...p.features].sort((a, b) => b.mean - a.mean))
      lines.push(`  ${f.feature.padEnd(28)} ${num(f.mean).padStart(10)} ± ${num(f.std)}`);
  }
  const pd = report.partialDependence;
  if (pd) {
    lines.push(
      '',
      `Partial dependence (${pd.rows} rows; output ${report.model.outputs[o]}): average prediction at the lowest → highest grid point`,
    );
    for (const c of pd.curves) {
      const avg = c.average[o];
      lines.push(
        `  ${c.feature.padEnd(28)} ${num(avg[0])} → ${num(avg[avg.length - 1])}  (range ${num(Math.max(...avg) - Math.min(...avg))})`,
      );
    }
  }
  const s = report.shap;
  if (s) {
    lines.push('', `SHAP values (${s.method}): ${s.methodNote}`);
    if (s.local) {
      lines.push(
        `  ${s.local.row === null ? 'given input' : `row ${s.local.row}`}: expected ` +
          `${num(s.expectedValue[o])} → prediction ${num(s.local.prediction[o])} ` +
          `(${report.model.outputs[o]}; ${s.local.ms.toFixed(1)} ms)`,
      );
      const shap = s.local.shap[o];
      const order = shap.map((_, j) => j).sort((a, b) => Math.abs(shap[b]) - Math.abs(shap[a]));
      for (const j of order)
        lines.push(
          `    ${`${report.model.features[j]} = ${String(s.local.values[j])}`.padEnd(40)} ${shap[j] >= 0 ? '+' : ''}${num(shap[j])}`,
        );
    }
    if (s.global) {
      lines.push(`  mean |SHAP| over ${s.global.rows.length} rows:`);
      const mean = s.global.meanAbs[o];
      for (const j of mean.map((_, j) => j).sort((a, b) => mean[b] - mean[a]))
        lines.push(`    ${report.model.features[j].padEnd(38)} ${num(mean[j])}`);
    }
  }
  for (const note of report.notes) lines.push('', `Note: ${note}`);
  return lines.join('\n') + '\n';
}

export function renderHtml(report: ExplainReport): string {
  const o = primaryOutput(report);
  const outputName = report.model.outputs[o];
  const sections: string[] = [];
  const p = report.permutation;
  if (p) {
    const sorted = [...p.features].sort((a, b) => b.mean - a.mean);
    sections.push(
      `<h2>Permutation importance</h2><p>Drop in <b>${escapeHtml(p.metricLabel)}</b> when a ` +
        `feature is shuffled (baseline ${num(p.baseline)}; ` +
        `mean ± std over ${p.nRepeats} repeats, ${p.rows} rows).</p>` +
        barChart(
          sorted.map((f) => ({ name: f.feature, value: f.mean, error: f.std })),
          'permutation importance',
        ),
    );
  }
  const pd = report.partialDependence;
  if (pd) {
    const panels = pd.curves.map((c) =>
      pdpChart(c.feature, c.grid, c.average, c.ice.values[o] ?? [], report.model.outputs.length > 1 ? report.model.outputs : [outputName]),
    );
    sections.push(
      `<h2>Partial dependence and ICE</h2><p>Average prediction with the feature set to each ` +
        `grid value (thick), and individual rows (thin, ${escapeHtml(outputName)}); ` +
        `${pd.rows} rows.</p><div class="grid">${panels.join('')}</div>`,
    );
    if (pd.interaction) {
      const i = pd.interaction;
      sections.push(
        `<h2>Interaction: ${escapeHtml(i.features.join(' × '))}</h2>` + heatMap(i.average[o], i.grids[0], i.grids[1], i.features),
      );
    }
  }
  const s = report.shap;
  if (s) {
    let html = `<h2>SHAP values (${s.method})</h2><p>${escapeHtml(s.methodNote)} Output: ${escapeHtml(outputName)}.</p>`;
    if (s.local)
      html +=
        `<h3>Why this prediction? ${s.local.row === null ? 'The given input' : `Row ${s.local.row}`} (${s.local.ms.toFixed(1)} ms)</h3>` +
        waterfall(report.model.features, s.local.values, s.local.shap[o], s.expectedValue[o], s.local.prediction[o]);
    if (s.global) {
      const mean = s.global.meanAbs[o];
      const order = mean.map((_, j) => j).sort((a, b) => mean[b] - mean[a]);
      html +=
        `<h3>Mean |SHAP| over ${s.global.rows.length} rows</h3>` +
        barChart(
          order.map((j) => ({ name: report.model.features[j], value: mean[j] })),
          'mean absolute SHAP value',
        ) +
        '<h3>Summary (beeswarm)</h3>' +
        beeswarm(report.model.features, s.global.shap[o], s.global.values, order);
    }
    sections.push(html);
  }
  const notes = report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('');
  const target = report.data.target ? `, target ${escapeHtml(report.data.target)}` : '';
  const dataLine = `data ${escapeHtml(report.data.path ?? 'given rows')} (${report.data.rows} rows${target}) · seed ${report.seed}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Explanation of ${escapeHtml(report.model.path)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:1200px;color:#222}h2{border-bottom:1px solid #ddd;padding-bottom:4px}
.grid{display:flex;flex-wrap:wrap;gap:12px}svg{background:#fafafa;border:1px solid #eee}</style></head><body>
<h1>Explanation of ${escapeHtml(report.model.path)}</h1>
<p>${escapeHtml(report.model.task)} · output ${escapeHtml(report.model.output)} · ${dataLine}</p>
${sections.join('\n')}
${notes ? `<h2>Notes</h2><ul>${notes}</ul>` : ''}
</body></html>
`;
}

export function renderReport(report: ExplainReport, format: ReportFormat): string {
  if (format === 'json') return JSON.stringify(report, null, 2) + '\n';
  if (format === 'html') return renderHtml(report);
  return renderText(report);
}
