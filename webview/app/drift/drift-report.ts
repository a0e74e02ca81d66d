/**
 * A drift report, drawn: one headline that reconciles every verdict (coloured by the most severe) with
 * the per-test lines under it, download links for the report (HTML / JSON), a "drifted columns only"
 * filter, a table of columns sorted drifted-first by how far past its threshold each score is, and one
 * chart per column (./drift-chart.ts). The target column (target drift) and the model's predictions
 * (prediction drift, or the error that stopped it) get their own sections beside the data drift.
 */
import type { ColumnDrift, DriftReport } from '../../../server/protocol/drift';
import { h } from '../dom';
import { chartLegend, formatScore, histogramChart } from './drift-chart';

export { formatScore, histogramChart } from './drift-chart';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const isPValue = (c: ColumnDrift) => c.rule !== 'distance>=';

/**
 * How far past (> 1) or short of (< 1) its threshold a column's score is, comparable across tests:
 * p-values on a log scale (p = threshold² scores 2), distances as score / threshold.
 */
export function severity(c: ColumnDrift): number {
  if (c.score === null || Number.isNaN(c.score)) return -Infinity;
  if (isPValue(c)) return Math.log10(Math.max(c.score, 1e-300)) / Math.log10(Math.min(Math.max(c.threshold, 1e-300), 0.999999));
  return c.threshold > 0 ? c.score / c.threshold : c.score;
}

/** Drifted first, then by severity; columns that could not be tested last. */
export function sortColumns(columns: ColumnDrift[]): ColumnDrift[] {
  return [...columns].sort((a, b) => Number(b.drift) - Number(a.drift) || severity(b) - severity(a) || a.name.localeCompare(b.name));
}

function qualityFlags(c: ColumnDrift): string[] {
  const q = c.quality;
  const flags: string[] = [];
  if (Math.abs(q.missingShareChange) >= 0.01) flags.push(`missing ${q.missingShareChange > 0 ? '+' : ''}${pct(q.missingShareChange)}`);
  if (q.outOfRangeShare) flags.push(`${pct(q.outOfRangeShare)} outside the reference range`);
  if (q.newCategoryCount) {
    const some = q.newCategories.length ? ` (${q.newCategories.slice(0, 3).join(', ')}${q.newCategoryCount > 3 ? ', …' : ''})` : '';
    flags.push(`${q.newCategoryCount} new categor${q.newCategoryCount === 1 ? 'y' : 'ies'}${some}`);
  }
  if (q.typeChange) flags.push(`type change: ${q.typeChange}`);
  if (q.constantInReference) flags.push('constant in reference');
  if (q.constantInCurrent) flags.push('constant in current');
  if (q.rowNumbers) flags.push("row numbers: an index (pandas' to_csv without index=False?), not a feature");
  if (q.identifier) flags.push('a different value on every row: an identifier, not a feature');
  return flags;
}

function verdict(key: string, drift: boolean | 'n/a', text: string, detail: string): HTMLElement {
  return h(
    'li',
    { className: drift === true ? 'drift-verdict is-drift' : 'drift-verdict', attrs: { 'data-verdict': key, 'data-drift': String(drift) } },
    [h('strong', {}, [text]), ' ', h('span', { className: 'muted small' }, [detail])],
  );
}

/** The headline (report.summary), the findings under it, then one line per dataset-level test. */
function banner(report: DriftReport): HTMLElement {
  const d = report.dataset;
  const s = report.summary;
  const items: HTMLElement[] = [
    verdict(
      'share',
      d.share.drift,
      `Evidently's share rule: ${d.share.drift ? 'drift' : 'no drift'}`,
      `${d.share.driftedColumns} of ${d.share.testedColumns} feature columns drifted (${pct(d.share.shareOfDrifted)}; ` +
        `drift when ≥ ${pct(d.share.driftShare)})`,
    ),
  ];
  const multiple = (name: string, key: 'bonferroni' | 'benjaminiHochberg') => {
    const v = d[key];
    if (!v)
      return verdict(
        key,
        'n/a',
        `${name}: not applicable`,
        'no column was tested with a p-value test (distance tests are the default above 1,000 reference rows; ' +
          'pick KS or chi-square under “Test” for p-values)',
      );
    const some = v.driftedColumns.length ? ` (${v.driftedColumns.slice(0, 5).join(', ')}${v.driftedColumns.length > 5 ? ', …' : ''})` : '';
    return verdict(
      key,
      v.drift,
      `${name}: ${v.drift ? 'drift' : 'no drift'}`,
      `${v.driftedColumns.length} of ${v.pValues} p-values below ${formatScore(v.threshold)} at α = ${v.alpha}${some}`,
    );
  };
  items.push(multiple('Bonferroni', 'bonferroni'), multiple('Benjamini–Hochberg', 'benjaminiHochberg'));
  const m = report.multivariate;
  if (m)
    items.push(
      verdict(
        'mmd',
        m.drift,
        `MMD (multivariate): ${m.drift ? 'drift' : 'no drift'}`,
        `p = ${formatScore(m.pValue)} (${m.exceeding} of ${m.permutations} permutations as extreme; the smallest p-value ` +
          (`${m.permutations} permutations can give is ${formatScore(1 / (m.permutations + 1))}) ` +
            `over ${m.columns.length} numeric columns, `) +
          `${m.rowsPerSide.reference}/${m.rowsPerSide.current} sampled rows`,
      ),
    );
  const t = report.target;
  if (t)
    items.push(
      verdict(
        'target',
        t.drift,
        `Target drift (${t.name}): ${t.error ? 'not tested' : t.drift ? 'drift' : 'no drift'}`,
        t.error ?? `${t.testDisplayName} ${formatScore(t.score)}; the target is not a feature, so it is not counted in the share rule`,
      ),
    );
  return h(
    'section',
    {
      className: `drift-banner severity-${s.severity}`,
      attrs: { 'aria-label': 'Dataset verdicts', role: 'status', 'data-severity': s.severity },
    },
    [
      h('p', { className: 'drift-headline', attrs: { id: 'drift-headline', 'data-severity': s.severity } }, [
        h('strong', {}, [s.headline]),
      ]),
      s.details.length
        ? h(
            'ul',
            { className: 'drift-details' },
            s.details.map((x) => h('li', {}, [x])),
          )
        : null,
      h('ul', { className: 'drift-verdicts' }, items),
      h('p', { className: 'muted small' }, [
        `${report.reference.rows.toLocaleString('en-US')} reference rows (${report.reference.file}) vs ` +
          `${report.current.rows.toLocaleString('en-US')} current rows (${report.current.file}); ${report.timings.totalMs} ms.`,
      ]),
    ],
  );
}

function verdictCell(c: ColumnDrift): HTMLElement {
  const main = c.error
    ? h('span', { className: 'drift-error' }, [`not tested: ${c.error}`])
    : c.drift
      ? h('strong', {}, ['Drift'])
      : 'No drift';
  const two = c.homogeneity;
  const beside = two
    ? h(
        'div',
        {
          className: two.disagreement ? 'drift-second small is-disagreement' : 'drift-second small muted',
          attrs: { 'data-homogeneity': String(two.drift) },
        },
        [
          `two-sample test: ${two.drift ? 'drift' : 'no drift'} (p = ${formatScore(two.pValue)})`,
          two.disagreement ? ` — ${two.disagreement}` : '',
        ],
      )
    : null;
  return h('td', { className: 'drift-cell' }, [main, beside]);
}

function columnTable(columns: ColumnDrift[], caption: string): HTMLElement {
  const head = ['Column', 'Type', 'Test', 'Why this test', 'Score', 'Drift if', 'Verdict', 'Data quality'];
  const rows = columns.map((c) =>
    h('tr', { attrs: { 'data-column': c.name, 'data-drift': String(c.drift) }, className: c.drift ? 'is-drift' : '' }, [
      h('th', { attrs: { scope: 'row' } }, [c.name]),
      h('td', {}, [c.kind]),
      h('td', { attrs: { 'data-test': c.test } }, [c.testDisplayName]),
      h('td', { className: 'drift-reason' }, [c.reason]),
      h('td', { className: 'num', attrs: { 'data-score': c.score === null ? '' : String(c.score) } }, [formatScore(c.score)]),
      h('td', { className: 'num' }, [`${c.rule.replace('distance', 'score ')} ${c.threshold}`]),
      verdictCell(c),
      h('td', { className: 'drift-quality' }, [qualityFlags(c).join('; ') || '—']),
    ]),
  );
  return h('div', { className: 'drift-table-wrap' }, [
    h('table', { className: 'drift-table' }, [
      h('caption', { className: 'visually-hidden' }, [caption]),
      h('thead', {}, [
        h(
          'tr',
          {},
          head.map((x) => h('th', { attrs: { scope: 'col' } }, [x])),
        ),
      ]),
      h('tbody', {}, rows),
    ]),
  ]);
}

function charts(columns: ColumnDrift[]): HTMLElement {
  return h(
    'div',
    { className: 'drift-charts' },
    columns.filter((c) => c.histogram && (c.histogram.reference.length || c.histogram.current.length)).map(histogramChart),
  );
}

function predictionSection(report: DriftReport): HTMLElement | null {
  const p = report.predictions;
  if (!p) return null;
  if (p.error)
    return h('section', { className: 'drift-predictions', attrs: { 'aria-label': 'Prediction drift', 'data-state': 'error' } }, [
      h('h3', {}, ['Prediction drift: not checked']),
      h('div', { className: 'error-box', attrs: { role: 'alert', id: 'drift-prediction-error' } }, [
        `The model (${p.model}) could not predict these files: ${p.error}. The data-drift result above stands.`,
      ]),
    ]);
  const failed = p.failedRows.reference + p.failedRows.current;
  return h('section', { className: 'drift-predictions', attrs: { 'aria-label': 'Prediction drift', 'data-state': 'report' } }, [
    h('h3', {}, [`Prediction drift: ${p.drift ? "the model's outputs drifted" : "no drift in the model's outputs"}`]),
    h('p', { className: 'muted small' }, [
      `${p.model} predicted ${p.rows.reference} reference and ${p.rows.current} current rows`,
      failed ? `; ${failed} rows failed (${p.firstError ?? 'see the report'})` : '',
      '.',
    ]),
    columnTable(sortColumns(p.columns), 'Prediction columns'),
    charts(sortColumns(p.columns)),
  ]);
}

function targetSection(report: DriftReport): HTMLElement | null {
  const t = report.target;
  if (!t) return null;
  return h('section', { className: 'drift-target', attrs: { 'aria-label': 'Target drift', 'data-column': t.name } }, [
    h('h3', {}, [`Target drift: ${t.name} — ${t.drift ? 'drift' : 'no drift'}`]),
    h('p', { className: 'muted small' }, ['The column holding the true label: tested apart, not counted among the features.']),
    columnTable([t], 'Target column'),
    charts([t]),
  ]);
}

/** Shows only drifted rows and charts (prediction and target sections too) when checked. */
function driftedOnlyFilter(root: () => HTMLElement): HTMLElement {
  const box = h('input', {
    attrs: { type: 'checkbox', id: 'drift-only-drifted' },
    on: {
      change: (event: Event) => {
        const only = (event.target as HTMLInputElement).checked;
        for (const el of root().querySelectorAll<HTMLElement>('tr[data-drift], figure[data-drift]'))
          el.hidden = only && el.dataset.drift !== 'true';
      },
    },
  });
  return h('label', { attrs: { for: 'drift-only-drifted' } }, [box, ' drifted columns only']);
}

export interface ReportLinks {
  /** Where the server renders this report as a download, by format. */
  html: string;
  json: string;
}

export function renderDriftReport(report: DriftReport, links?: ReportLinks): HTMLElement {
  const sorted = sortColumns(report.columns);
  const download = (href: string, text: string, id: string) => h('a', { attrs: { href, download: '', id } }, [text]);
  const tools = h('div', { className: 'drift-report-tools' }, [
    links
      ? h('span', {}, [
          'Download the report: ',
          download(links.html, 'HTML', 'drift-download-html'),
          ' · ',
          download(links.json, 'JSON', 'drift-download-json'),
        ])
      : null,
    driftedOnlyFilter(() => element),
  ]);
  const element = h('div', { className: 'drift-report', attrs: { 'data-state': 'report' } }, [
    banner(report),
    tools,
    h('h3', {}, ['Feature columns, drifted first']),
    columnTable(sorted, 'Columns sorted by drift'),
    h('h3', {}, ['Distributions']),
    chartLegend(),
    charts(sorted),
    targetSection(report),
    predictionSection(report),
  ]);
  return element;
}
