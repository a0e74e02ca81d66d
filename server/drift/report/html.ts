/**
 * A self-contained HTML report: inline CSS, one inline SVG histogram per column (reference vs current
 * shares, ≤ 31 bars), no scripts, no raw data — a few KB per column whatever the file sizes.
 */
import { formatScore } from './text';
import type { ColumnDrift, DriftReport } from './types';
import { escapeHtml } from '../../protocol/html';

function histogramSvg(c: ColumnDrift): string {
  const { reference, current } = c.histogram;
  const bins = reference.length;
  if (bins === 0) return '<svg width="320" height="120" role="img" aria-label="no data"></svg>';
  const W = 320,
    H = 110,
    pad = 4;
  const max = Math.max(...reference, ...current) || 1;
  const bw = (W - 2 * pad) / bins;
  const bars: string[] = [];
  for (let i = 0; i < bins; i++) {
    const x = pad + i * bw;
    const hr = (reference[i] / max) * (H - 10);
    const hc = (current[i] / max) * (H - 10);
    bars.push(
      `<rect x="${x.toFixed(1)}" y="${(H - hr).toFixed(1)}" width="` +
        `${Math.max(bw - 1, 0.5).toFixed(1)}" height="${hr.toFixed(1)}" class="r"/>`,
    );
    bars.push(
      `<rect x="${x.toFixed(1)}" y="${(H - hc).toFixed(1)}" width="` +
        `${Math.max(bw - 1, 0.5).toFixed(1)}" height="${hc.toFixed(1)}" class="c"/>`,
    );
    // Where both sides reach: its own colour, named in the key.
    const ho = Math.min(hr, hc);
    bars.push(
      `<rect x="${x.toFixed(1)}" y="${(H - ho).toFixed(1)}" width="${Math.max(bw - 1, 0.5).toFixed(1)}" ` +
        `height="${ho.toFixed(1)}" class="o"/>`,
    );
  }
  const labels = c.histogram.edges?.length
    ? `<text x="${pad}" y="${H + 12}">` +
      `${escapeHtml(formatScore(c.histogram.edges[0]))}</text><text x="${W - pad}" y="${H + 12}" ` +
      `text-anchor="end">${escapeHtml(formatScore(c.histogram.edges[c.histogram.edges.length - 1]))}</text>`
    : `<text x="${pad}" y="${H + 12}">${escapeHtml((c.histogram.labels ?? []).slice(0, 6).join(' · '))}</text>`;
  return (
    `<svg width="${W}" height="${H + 16}" viewBox="0 0 ${W} ${H + 16}" role="img" ` +
    `aria-label="histogram of ${escapeHtml(c.name)}: reference vs current">${bars.join('')}${labels}</svg>`
  );
}

const tableHead = (first: string) =>
  `<thead><tr><th>${first}</th><th>distribution</th><th>test</th><th>score</th>` +
  '<th>drift if</th><th>verdict</th><th>quality</th></tr></thead>';

function failedRows(p: NonNullable<DriftReport['predictions']>): string {
  const failed = p.failedRows.reference + p.failedRows.current;
  return failed ? `; ${failed} rows the model could not take (e.g. ${escapeHtml(p.firstError ?? '')})` : '';
}

function qualityHtml(c: ColumnDrift): string {
  const q = c.quality;
  const parts = [`missing ${(c.reference.missingShare * 100).toFixed(1)}% → ${(c.current.missingShare * 100).toFixed(1)}%`];
  if (q.outOfRangeShare) parts.push(`${(q.outOfRangeShare * 100).toFixed(1)}% outside ref range`);
  if (q.newCategoryCount) parts.push(`${q.newCategoryCount} new categories: ${escapeHtml(q.newCategories.slice(0, 5).join(', '))}`);
  if (q.typeChange) parts.push(escapeHtml(q.typeChange));
  if (q.rowNumbers) parts.push('row numbers: an index, not a feature');
  if (q.identifier) parts.push('a different value on every row: an identifier, not a feature');
  return parts.join('<br>');
}

export function renderHtml(report: DriftReport): string {
  const d = report.dataset;
  const verdict = (yes: boolean) => (yes ? '<b class="bad">drift</b>' : '<b class="ok">no drift</b>');
  const row = (c: ColumnDrift) => `<tr class="${c.drift ? 'drift' : ''}">
<td><b>${escapeHtml(c.name)}</b><br><small>${c.kind}</small></td>
<td>${histogramSvg(c)}</td>
<td>${escapeHtml(c.testDisplayName)}<br><small>${escapeHtml(c.reason)}</small></td>
<td>${formatScore(c.score)}</td><td>${c.rule.replace('distance', '')} ${c.threshold}</td>
<td>${c.error ? `<small>${escapeHtml(c.error)}</small>` : verdict(c.drift)}</td>
<td><small>${qualityHtml(c)}</small></td></tr>`;
  const rows = report.columns.map(row);
  const p = report.predictions;
  const target = report.target
    ? `<h2>Target drift: <code>${escapeHtml(report.target.name)}</code> ${verdict(report.target.drift)}</h2>
<p>The target is not a feature: it is tested apart and not counted in the share rule.</p>
<table>${tableHead('target')}
<tbody>${row(report.target)}</tbody></table>`
    : '';
  const twoSample = report.columns.filter((c) => c.homogeneity);
  const homogeneity = twoSample.length
    ? `<h2>Two-sample chi-square test of homogeneity</h2>
<p>Beside Evidently's chi-square, which takes the reference shares as exact (its verdict stays the column's).</p>
<ul>${twoSample
        .map((c) => {
          const h = c.homogeneity!;
          return (
            `<li><b>${escapeHtml(c.name)}</b>: p = ${formatScore(h.pValue)} (χ² = ${h.statistic.toFixed(2)}, df = ${h.df}) ` +
            `${verdict(h.drift)}${h.disagreement ? ` — ${escapeHtml(h.disagreement)}` : ''}</li>`
          );
        })
        .join('')}</ul>`
    : '';
  const predictions = p?.error
    ? `<h2>Predictions of <code>${escapeHtml(p.model)}</code>: not checked</h2><p class="bad">${escapeHtml(p.error)}</p>`
    : p
      ? `<h2>Predictions of <code>${escapeHtml(p.model)}</code>: ${verdict(p.drift)}</h2>
<p>${p.rows.reference} + ${p.rows.current} rows predicted${failedRows(p)}.</p>
<table>${tableHead('output')}
<tbody>${p.columns.map(row).join('\n')}</tbody></table>`
      : '';
  const extra = [
    d.bonferroni
      ? `<li>Bonferroni (α=${d.bonferroni.alpha} over ${d.bonferroni.pValues} p-values): ` +
        `${verdict(d.bonferroni.drift)} ${escapeHtml(d.bonferroni.driftedColumns.join(', '))}</li>`
      : '',
    d.benjaminiHochberg
      ? `<li>Benjamini–Hochberg FDR (q=${d.benjaminiHochberg.alpha}): ` +
        `${verdict(d.benjaminiHochberg.drift)} ${escapeHtml(d.benjaminiHochberg.driftedColumns.join(', '))}</li>`
      : '',
    report.multivariate
      ? `<li>MMD on ${report.multivariate.columns.length} numerical columns, ` +
        `${report.multivariate.rowsPerSide.reference}+${report.multivariate.rowsPerSide.current} ` +
        `sampled rows: p = ${formatScore(report.multivariate.pValue)} (${report.multivariate.exceeding} of ` +
        `${report.multivariate.permutations} permutations as extreme) ${verdict(report.multivariate.drift)}</li>`
      : '',
  ].join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report — ${escapeHtml(report.current.file)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}tr.drift{background:#fff4f4}
.bad{color:#b00}.ok{color:#070}rect.r{fill:#4a7fd4}rect.c{fill:#e0782a}svg text{font-size:10px;fill:#666}
.key span{display:inline-block;width:10px;height:10px;margin:0 4px 0 12px}
.kr{background:#4a7fd4}.kc{background:#e0782a}.ko{background:#8c54c9}
rect.o{fill:#8c54c9}
.headline{padding:8px 12px;border-left:4px solid #070;background:#f4faf4}.headline.warning{border-color:#b80;background:#fffaf0}
.headline.drift{border-color:#b00;background:#fff4f4}
</style></head><body>
<h1>Data drift</h1>
<p>Current <code>${escapeHtml(report.current.file)}</code> (${report.current.rows} rows)
vs reference <code>${escapeHtml(report.reference.file)}</code> (${report.reference.rows} rows), ${escapeHtml(report.createdAt)}.</p>
<p class="headline ${report.summary.severity}"><b>${escapeHtml(report.summary.headline)}</b></p>
${report.summary.details.length ? `<ul>${report.summary.details.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>` : ''}
<h2>Dataset (features): ${verdict(d.share.drift)}</h2>
<ul><li>Share rule: ${d.share.driftedColumns} of ${d.share.testedColumns} columns drifted
(${(d.share.shareOfDrifted * 100).toFixed(1)}%; drift when ≥ ${d.share.driftShare * 100}%)</li>${extra}</ul>
<p class="key"><span class="kr"></span>reference<span class="kc"></span>current<span class="ko"></span>both (where the bins overlap)
— bar height: share of rows</p>
<table>${tableHead('column')}
<tbody>${rows.join('\n')}</tbody></table>
${target}
${homogeneity}
${predictions}
<p><small>model-lab drift, report schema ${report.schemaVersion};
read ${report.timings.readMs} ms, tests ${report.timings.testMs} ms.</small></p>
</body></html>
`;
}
