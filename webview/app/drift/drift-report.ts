/**
 * A drift report, drawn: the dataset verdicts as a banner (Evidently's share rule, Bonferroni,
 * Benjamini–Hochberg, MMD), a table of columns sorted drifted-first by how far past its threshold each
 * score is, and one chart per column — reference and current histograms overlaid, as inline SVG built
 * with DOM calls (the webview CSP allows no inline styles or markup). Prediction drift, when the check
 * ran with the model, gets the same table and charts.
 */
import type { ColumnDrift, DriftReport } from '../../../server/protocol/drift';
import { h, type Child } from '../dom';

const SVG = 'http://www.w3.org/2000/svg';

function svg(tag: string, attrs: Record<string, string | number>, children: Node[] = []): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(c);
  return el;
}

export function formatScore(score: number | null): string {
  if (score === null || Number.isNaN(score)) return '—';
  if (score === 0) return '0';
  return Math.abs(score) < 1e-3 ? score.toExponential(2) : score.toFixed(4);
}

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
  if (q.newCategoryCount)
    flags.push(
      `${q.newCategoryCount} new categor${q.newCategoryCount === 1 ? 'y' : 'ies'}${q.newCategories.length ? ` (${q.newCategories.slice(0, 3).join(', ')}${q.newCategoryCount > 3 ? ', …' : ''})` : ''}`,
    );
  if (q.typeChange) flags.push(`type change: ${q.typeChange}`);
  if (q.constantInReference) flags.push('constant in reference');
  if (q.constantInCurrent) flags.push('constant in current');
  return flags;
}

function verdict(drift: boolean, text: string, detail: string): HTMLElement {
  return h('li', { className: drift ? 'drift-verdict is-drift' : 'drift-verdict', attrs: { 'data-drift': String(drift) } }, [
    h('strong', {}, [text]),
    ' ',
    h('span', { className: 'muted small' }, [detail]),
  ]);
}

function banner(report: DriftReport): HTMLElement {
  const d = report.dataset;
  const items: HTMLElement[] = [
    verdict(
      d.share.drift,
      d.share.drift ? 'Dataset drift' : 'No dataset drift',
      `${d.share.driftedColumns} of ${d.share.testedColumns} columns drifted (` +
        `${pct(d.share.shareOfDrifted)}; Evidently's rule: drift when ≥ ${pct(d.share.driftShare)})`,
    ),
  ];
  items[0].dataset.verdict = 'share';
  const multiple = (name: string, key: 'bonferroni' | 'benjaminiHochberg') => {
    const v = d[key];
    if (!v) {
      const li = h('li', { className: 'drift-verdict', attrs: { 'data-verdict': key, 'data-drift': 'n/a' } }, [
        h('strong', {}, [`${name}: not applicable`]),
        ' ',
        h('span', { className: 'muted small' }, [
          'no column was tested with a p-value test (distance tests ' +
            'are the default above 1,000 reference rows; pick KS or ' +
            'chi-square under “Test” for p-values)',
        ]),
      ]);
      return li;
    }
    const li = verdict(
      v.drift,
      `${name}: ${v.drift ? 'drift' : 'no drift'}`,
      `${v.driftedColumns.length} of ${v.pValues} p-values below ${formatScore(v.threshold)} at ` +
        `α = ${v.alpha}${v.driftedColumns.length ? ` (${v.driftedColumns.slice(0, 5).join(', ')}${v.driftedColumns.length > 5 ? ', …' : ''})` : ''}`,
    );
    li.dataset.verdict = key;
    return li;
  };
  const bonferroni = multiple('Bonferroni', 'bonferroni');
  const bh = multiple('Benjamini–Hochberg', 'benjaminiHochberg');
  if (bonferroni) items.push(bonferroni);
  if (bh) items.push(bh);
  const m = report.multivariate;
  if (m) {
    const li = verdict(
      m.drift,
      `MMD (multivariate): ${m.drift ? 'drift' : 'no drift'}`,
      `p = ${formatScore(m.pValue)} over ${m.columns.length} numeric columns, ` +
        `${m.rowsPerSide.reference}/${m.rowsPerSide.current} sampled rows`,
    );
    li.dataset.verdict = 'mmd';
    items.push(li);
  }
  return h(
    'section',
    { className: d.share.drift ? 'drift-banner is-drift' : 'drift-banner', attrs: { 'aria-label': 'Dataset verdicts', role: 'status' } },
    [
      h('ul', {}, items),
      h('p', { className: 'muted small' }, [
        `${report.reference.rows.toLocaleString('en-US')} reference rows (` +
          `${report.reference.file}) vs ${report.current.rows.toLocaleString('en-US')} current rows (` +
          `${report.current.file}); ${report.timings.totalMs} ms.`,
      ]),
    ],
  );
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
      h('td', { className: 'drift-cell' }, [
        c.error ? h('span', { className: 'drift-error' }, [`not tested: ${c.error}`]) : c.drift ? h('strong', {}, ['Drift']) : 'No drift',
      ]),
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

const W = 300;
const H = 120;
const PAD = { left: 4, right: 4, top: 6, bottom: 4 };

/** Reference and current shares per bin (numerical) or per category, overlaid. */
export function histogramChart(c: ColumnDrift): HTMLElement {
  const hist = c.histogram;
  const n = Math.max(hist.reference.length, hist.current.length);
  const max = Math.max(...hist.reference, ...hist.current, 1e-12);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const bars: Node[] = [];
  const step = n ? plotW / n : plotW;
  const categorical = !hist.edges;
  for (let i = 0; i < n; i++) {
    const sides: ['reference' | 'current', number][] = [
      ['reference', hist.reference[i] ?? 0],
      ['current', hist.current[i] ?? 0],
    ];
    sides.forEach(([side, share], k) => {
      const height = (share / max) * plotH;
      // Categories side by side; numeric bins overlaid (both full width, current drawn on top, translucent).
      const x = PAD.left + i * step + (categorical ? (k * step) / 2 : 0);
      const width = Math.max(0.5, (categorical ? step / 2 : step) - 1);
      const label = categorical ? (hist.labels?.[i] ?? '') : `${formatEdge(hist.edges![i])}–${formatEdge(hist.edges![i + 1])}`;
      bars.push(
        svg(
          'rect',
          {
            x: x.toFixed(2),
            y: (PAD.top + plotH - height).toFixed(2),
            width: width.toFixed(2),
            height: height.toFixed(2),
            class: `drift-bar drift-bar-${side}`,
          },
          [svg('title', {}, [document.createTextNode(`${side} ${label}: ${pct(share)}`)])],
        ),
      );
    });
  }
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${c.name}: reference and current distributions`, class: 'drift-svg' },
    [svg('line', { x1: PAD.left, x2: W - PAD.right, y1: H - PAD.bottom, y2: H - PAD.bottom, class: 'drift-axis' }), ...bars],
  );
  const axis: Child[] = categorical
    ? [h('span', {}, [(hist.labels ?? []).slice(0, 4).join(', ') + ((hist.labels?.length ?? 0) > 4 ? ', …' : '')])]
    : [h('span', {}, [formatEdge(hist.edges?.[0])]), h('span', {}, [formatEdge(hist.edges?.at(-1))])];
  return h('figure', { className: c.drift ? 'drift-figure is-drift' : 'drift-figure', attrs: { 'data-column': c.name } }, [
    h('figcaption', {}, [
      h('strong', {}, [c.name]),
      ' ',
      h('span', { className: 'muted small' }, [`${c.testDisplayName} ${formatScore(c.score)} — ${c.drift ? 'drift' : 'no drift'}`]),
    ]),
    chart,
    h('div', { className: 'drift-axis-labels muted small' }, axis),
  ]);
}

function formatEdge(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

function legend(): HTMLElement {
  return h('p', { className: 'drift-legend small' }, [
    h('span', { className: 'drift-key drift-key-reference', attrs: { 'aria-hidden': 'true' } }),
    ' reference ',
    h('span', { className: 'drift-key drift-key-current', attrs: { 'aria-hidden': 'true' } }),
    ' current (share of rows per bin or category)',
  ]);
}

function charts(columns: ColumnDrift[]): HTMLElement {
  return h(
    'div',
    { className: 'drift-charts' },
    columns.filter((c) => c.histogram && (c.histogram.reference.length || c.histogram.current.length)).map(histogramChart),
  );
}

export function renderDriftReport(report: DriftReport): HTMLElement {
  const sorted = sortColumns(report.columns);
  const p = report.predictions;
  const predictions = p
    ? h('section', { className: 'drift-predictions', attrs: { 'aria-label': 'Prediction drift' } }, [
        h('h3', {}, [`Prediction drift: ${p.drift ? "the model's outputs drifted" : "no drift in the model's outputs"}`]),
        h('p', { className: 'muted small' }, [
          `${p.model} predicted ${p.rows.reference} reference and ${p.rows.current} current rows`,
          p.failedRows.reference + p.failedRows.current
            ? `; ${p.failedRows.reference + p.failedRows.current} rows failed (${p.firstError ?? 'see the report'})`
            : '',
          '.',
        ]),
        columnTable(sortColumns(p.columns), 'Prediction columns'),
        charts(sortColumns(p.columns)),
      ])
    : null;
  return h('div', { className: 'drift-report', attrs: { 'data-state': 'report' } }, [
    banner(report),
    h('h3', {}, ['Columns, drifted first']),
    columnTable(sorted, 'Columns sorted by drift'),
    h('h3', {}, ['Distributions']),
    legend(),
    charts(sorted),
    predictions,
  ]);
}
