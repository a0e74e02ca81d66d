/** Plain-text report for terminals: one line per column, then the dataset verdicts. */
import type { DriftReport } from './types';

export function formatScore(score: number | null): string {
  if (score === null) return '—';
  if (score !== 0 && Math.abs(score) < 1e-4) return score.toExponential(3);
  return score.toFixed(4);
}

export function renderText(report: DriftReport): string {
  const predictions = report.predictions?.columns ?? [];
  const target = report.target ? [report.target] : [];
  const rows = [...report.columns, ...target, ...predictions].map((c) => [
    c.drift ? 'DRIFT' : c.error ? 'skip' : 'ok',
    c.name,
    c.kind,
    c.test,
    formatScore(c.score),
    `${c.rule.replace('distance', 'd').replace('p', 'p')} ${c.threshold}`,
    c.error ?? c.reason,
  ]);
  const header = ['', 'column', 'kind', 'test', 'score', 'drift if', 'reason'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (i === 6 ? 0 : r[i].length))));
  const line = (r: string[]) => r.map((cell, i) => (i === 6 ? cell : cell.padEnd(widths[i]))).join('  ');
  const d = report.dataset;
  const out = [
    `Drift: ${report.current.file} (${report.current.rows} rows) vs reference ${report.reference.file} (${report.reference.rows} rows)`,
    '',
    `${report.summary.severity === 'ok' ? '' : `${report.summary.severity.toUpperCase()}: `}${report.summary.headline}`,
    ...report.summary.details.map((d) => `  - ${d}`),
    '',
    line(header),
    ...rows.slice(0, report.columns.length).map(line),
    ...(report.target ? ['', `Target drift (not counted in the share rule):`, line(rows[report.columns.length])] : []),
    ...(report.predictions
      ? ['', `Predictions of ${report.predictions.model}:`, ...rows.slice(report.columns.length + target.length).map(line)]
      : []),
    '',
    `Dataset drift (share rule): ${d.share.drift ? 'YES' : 'no'} — ${d.share.driftedColumns} ` +
      `of ${d.share.testedColumns} columns drifted (` +
      `${(d.share.shareOfDrifted * 100).toFixed(1)}%, threshold ${d.share.driftShare * 100}%)`,
  ];
  if (d.bonferroni)
    out.push(
      `Bonferroni (α=${d.bonferroni.alpha}, ${d.bonferroni.pValues} p-values): ` +
        (d.bonferroni.drift ? `YES — ${d.bonferroni.driftedColumns.join(', ')}` : 'no'),
    );
  if (d.benjaminiHochberg)
    out.push(
      `Benjamini–Hochberg FDR (q=${d.benjaminiHochberg.alpha}): ` +
        (d.benjaminiHochberg.drift ? `YES — ${d.benjaminiHochberg.driftedColumns.join(', ')}` : 'no'),
    );
  if (report.multivariate) {
    const m = report.multivariate;
    out.push(
      `Multivariate MMD on ${m.columns.length} numerical columns (${m.rowsPerSide.reference}+` +
        `${m.rowsPerSide.current} sampled rows): p=${formatScore(m.pValue)} ` +
        `(${m.exceeding} of ${m.permutations} permutations as extreme) ${m.drift ? 'DRIFT' : 'no drift'}`,
    );
  }
  if (report.predictions) {
    const p = report.predictions;
    const failed = p.failedRows.reference + p.failedRows.current;
    out.push(
      p.error
        ? `Prediction drift: not checked — ${p.error}`
        : `Prediction drift: ${p.drift ? 'YES' : 'no'}${failed ? ` (${failed} rows the model could not take, e.g. ${p.firstError})` : ''}`,
    );
  }
  const twoSample = report.columns.filter((c) => c.homogeneity);
  if (twoSample.length) {
    out.push('', "Two-sample chi-square test of homogeneity, beside Evidently's chi-square (its verdict is the column's):");
    for (const c of twoSample) {
      const h = c.homogeneity!;
      out.push(
        `  ${c.name}: p=${formatScore(h.pValue)} (chi2=${h.statistic.toFixed(2)}, df=${h.df}) ${h.drift ? 'DRIFT' : 'no drift'}` +
          (h.disagreement ? ` — ${h.disagreement}` : ''),
      );
    }
  }
  const quality = report.columns.filter(
    (c) =>
      c.quality.newCategoryCount ||
      c.quality.typeChange ||
      (c.quality.outOfRangeShare ?? 0) > 0 ||
      Math.abs(c.quality.missingShareChange) > 0.05,
  );
  if (quality.length) {
    out.push('', 'Data quality:');
    for (const c of quality) {
      const notes = [];
      if (c.quality.typeChange) notes.push(c.quality.typeChange);
      if (c.quality.newCategoryCount)
        notes.push(`${c.quality.newCategoryCount} new categories (${c.quality.newCategories.slice(0, 5).join(', ')})`);
      if ((c.quality.outOfRangeShare ?? 0) > 0)
        notes.push(`${((c.quality.outOfRangeShare ?? 0) * 100).toFixed(1)}% outside the reference range`);
      if (Math.abs(c.quality.missingShareChange) > 0.05)
        notes.push(`missing share ${c.quality.missingShareChange > 0 ? '+' : ''}${(c.quality.missingShareChange * 100).toFixed(1)} points`);
      out.push(`  ${c.name}: ${notes.join('; ')}`);
    }
  }
  return `${out.join('\n')}\n`;
}
