/**
 * The bundle README's section on the explanation report (the `explain` target): where it is, what it was
 * computed on, the features that matter most, and how to compute a fuller one.
 */
import type { ExplainReport } from '../protocol/explain';
import { EXPLAIN_REPORT_HTML, EXPLAIN_REPORT_JSON } from './explain-target';

const num = (v: number): string => (Math.abs(v) >= 1000 || (Math.abs(v) < 0.001 && v !== 0) ? v.toExponential(3) : v.toFixed(4));

export function explanationSection(report: ExplainReport): string {
  const out = [
    '## Why the model predicts what it predicts',
    '',
    `Open \`${EXPLAIN_REPORT_HTML}\` in a browser: one self-contained page (inline SVG charts, no scripts, nothing fetched) with ` +
      'permutation importance, partial dependence with ICE curves, and SHAP values (one row, and the summary over many). ' +
      `\`${EXPLAIN_REPORT_JSON}\` holds the same figures as data (fields: REPORT_SCHEMA.md of Model Lab's explain engine).`,
    '',
    `Computed on ${report.data.rows} row(s) of \`${report.data.path ?? 'the reference data'}\` (the reference data; not in this bundle)` +
      `${report.data.target ? `, target \`${report.data.target}\`` : ', without a target column'}, seed ${report.seed}, ` +
      'with small settings so the export takes seconds.',
  ];
  const p = report.permutation;
  if (p) {
    const top = [...p.features].sort((a, b) => b.mean - a.mean).slice(0, 5);
    out.push(
      '',
      `The features the model depends on most (permutation importance: drop in ${p.metricLabel} ` +
        `when shuffled, mean ± std of ${p.nRepeats} repeats):`,
      '',
      '| feature | importance |',
      '|---|---|',
      ...top.map((f) => `| \`${f.feature}\` | ${num(f.mean)} ± ${num(f.std)} |`),
    );
  }
  out.push(
    '',
    'A fuller report on other data: `model-lab explain ' +
      `${report.model.path} <data.csv> --format html -o report.html\` (options: \`model-lab explain --help\`).`,
    '',
  );
  return out.join('\n');
}
