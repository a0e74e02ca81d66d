/**
 * The comparison table, made to fit a 1,280 px window: one row per variant with grouped cells (size and
 * how much smaller; p50 · p99 per batch size; agreement alone and batched; quality), the actions in the
 * last column, and everything else (gzip, p95, every batch size, output differences, session options) in
 * a details row opened from the variant's name. The first column stays in view when a narrow panel scrolls.
 */
import type { ComparisonReport, LatencyStats, VariantReport } from '../../../server/protocol/perf-report';
import { h, type Child } from '../dom';
import { bytes, corr, micros, pct } from './perf-format';

export interface ReportActions {
  save(variant: string): void;
  serve(variant: string): void;
}

const at = (l: LatencyStats[], b: number) => l.find((x) => x.batch === b);
const small = (x: number | undefined) => (x === undefined ? '—' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toFixed(4));

/** The metric the Quality column reports, and on how many rows, from the first variant that measured it. */
export function qualityHeading(report: ComparisonReport): { metric: string; rows: string } | null {
  const q = report.variants.find((v) => v.agreement?.quality)?.agreement?.quality;
  if (!q) return null;
  const metric = 'accuracy' in q.original ? 'accuracy · macro F1' : 'RMSE · MAE';
  return { metric, rows: `${q.rows.toLocaleString('en-US')} rows, target ${q.target}` };
}

/** A variant's quality on the labelled rows (the original's for the original row). */
export function qualityText(report: ComparisonReport, v: VariantReport): string {
  const q =
    v.id === 'original' ? report.variants.find((x) => x.agreement?.quality)?.agreement?.quality?.original : v.agreement?.quality?.variant;
  if (!q) return '—';
  return 'accuracy' in q
    ? `${pct(q.accuracy)} · F1 ${q.macroF1.toFixed(3)}`
    : `RMSE ${q.rmse.toPrecision(4)} · MAE ${q.mae.toPrecision(4)}`;
}

/** Two lines in one cell: the figure, and what qualifies it. */
const stacked = (main: Child, sub: Child): HTMLElement[] => [
  h('span', { className: 'perf-main' }, [main]),
  h('span', { className: 'perf-sub' }, [sub]),
];

function actionButtons(v: VariantReport, actions: ReportActions): HTMLElement[] {
  const button = (action: 'save' | 'serve', text: string, run: () => void) =>
    h('button', { className: 'secondary', attrs: { type: 'button', 'data-action': action, 'data-variant': v.id }, on: { click: run } }, [
      text,
    ]);
  if (v.id === 'original') return [button('serve', 'Serve original', () => actions.serve('original'))];
  if (v.error) return [];
  return [button('save', 'Save variant', () => actions.save(v.id)), button('serve', 'Serve this variant', () => actions.serve(v.id))];
}

function detailsContent(report: ComparisonReport, v: VariantReport): HTMLElement {
  const a = v.agreement;
  const latency = h('table', { className: 'perf-latency' }, [
    h('caption', {}, [`${v.label}: latency per batch size (${report.settings.warmup} warm-up runs, then timed runs)`]),
    h('thead', {}, [
      h(
        'tr',
        {},
        ['Batch', 'Runs', 'p50', 'p95', 'p99', 'Mean', 'Rows/s'].map((x) => h('th', { attrs: { scope: 'col' } }, [x])),
      ),
    ]),
    h(
      'tbody',
      {},
      v.latency.map((l) =>
        h('tr', {}, [
          h('th', { attrs: { scope: 'row' } }, [String(l.batch)]),
          ...[
            String(l.iterations),
            micros(l.p50Us),
            micros(l.p95Us),
            micros(l.p99Us),
            micros(l.meanUs),
            Math.round(l.rowsPerSecond).toLocaleString('en-US'),
          ].map((x) => h('td', {}, [x])),
        ]),
      ),
    ),
  ]);
  const facts: [string, string][] = [
    ['File', `${bytes(v.fileBytes)} (gzip ${bytes(v.gzipBytes)})`],
    ['Smaller than the original', `${v.sizeRatio.toFixed(2)}×`],
  ];
  if (a) {
    facts.push(
      ['Largest output difference, row alone / batched', `${small(a.rowByRow?.maxAbsDiff)} / ${small(a.batched.maxAbsDiff)}`],
      ['Mean output difference, row alone / batched', `${small(a.rowByRow?.meanAbsDiff)} / ${small(a.batched.meanAbsDiff)}`],
      ['Compared on', `${a.rows} rows (${a.source === 'reference' ? 'reference CSV' : a.source}); outputs ${a.comparedOutputs.join(', ')}`],
    );
    // What the rows were (token ids from the embedding's range, N(0,1) noise, reference CSV rows…): the
    // agreement means little without it. Correlation is the figure for regressors (no class output).
    if (a.inputs) facts.push(['Sample inputs', a.inputs]);
    if (a.batched.correlation !== undefined || a.rowByRow?.correlation !== undefined)
      facts.push([
        `Correlation with the original, row alone / batched${a.batched.argmax === null ? ' (no class output)' : ''}`,
        `${corr(a.rowByRow?.correlation)} / ${corr(a.batched.correlation)}`,
      ]);
  }
  const options = Object.entries(v.sessionConfig);
  if (options.length) facts.push(['onnxruntime session options', options.map(([k, x]) => `${k}=${x}`).join(', ')]);
  return h('div', { className: 'perf-details-body' }, [
    h('p', { className: 'muted small' }, [v.about]),
    h(
      'dl',
      { className: 'perf-facts' },
      facts.flatMap(([k, x]) => [h('dt', {}, [k]), h('dd', {}, [x])]),
    ),
    latency,
  ]);
}

/** "Same class" for a classifier; for a regressor (no class output) the correlation stands in, labelled. */
function sameClassCell(a: VariantReport['agreement']): Child[] {
  if (!a) return ['—'];
  if (a.batched.argmax === null && a.batched.correlation !== undefined && a.batched.correlation !== null)
    return stacked(corr(a.rowByRow?.correlation ?? a.batched.correlation), `no class output · batched ${corr(a.batched.correlation)}`);
  return stacked(pct(a.rowByRow?.argmax ?? a.batched.argmax), `batched ${pct(a.batched.argmax)}`);
}

export function renderTable(report: ComparisonReport, actions: ReportActions): HTMLElement {
  const batches = report.settings.batches;
  const first = batches[0];
  const last = batches.at(-1)!;
  const quality = qualityHeading(report);
  const colHead = (title: string, sub: string) => h('th', { attrs: { scope: 'col' } }, stacked(title, sub));
  const head = [
    h('th', { attrs: { scope: 'col' }, className: 'perf-sticky' }, ['Variant']),
    colHead('Size', 'file · vs original'),
    colHead(`Batch ${first}`, 'p50 · p99 latency'),
    last !== first ? colHead(`Batch ${last}`, 'p50 · p99 latency') : null,
    colHead(`Rows/s`, `at batch ${last}`),
    colHead('Same class', 'row alone · batched'),
    h(
      'th',
      { attrs: { scope: 'col' }, className: 'perf-quality' },
      stacked('Quality', quality ? `${quality.metric} · ${quality.rows}` : 'no target column'),
    ),
    h('th', { attrs: { scope: 'col' } }, [h('span', { className: 'visually-hidden' }, ['Actions'])]),
  ].filter((x): x is HTMLElement => x !== null);
  const rows = [report.original, ...report.variants].flatMap((v) => {
    const detailsId = `perf-details-${v.id}`;
    const toggle = h(
      'button',
      {
        className: 'perf-toggle secondary',
        attrs: { type: 'button', 'aria-expanded': 'false', 'aria-controls': detailsId, 'data-action': 'details', 'data-variant': v.id },
      },
      [v.label],
    );
    const name = h('th', { attrs: { scope: 'row', title: v.about }, className: 'perf-sticky' }, [toggle]);
    if (v.error) {
      return [
        h('tr', { attrs: { 'data-variant': v.id } }, [
          name,
          h('td', { attrs: { colspan: head.length - 1 }, className: 'perf-error' }, [v.error]),
        ]),
      ];
    }
    const a = v.agreement;
    const latencyCell = (b: number) => stacked(micros(at(v.latency, b)?.p50Us), micros(at(v.latency, b)?.p99Us));
    const cells = (
      [
        stacked(bytes(v.fileBytes), v.id === 'original' ? 'original' : `${v.sizeRatio.toFixed(2)}× smaller`),
        latencyCell(first),
        last !== first ? latencyCell(last) : null,
        [Math.round(at(v.latency, last)?.rowsPerSecond ?? 0).toLocaleString('en-US')],
        sameClassCell(a),
        [qualityText(report, v)],
      ] as (Child[] | null)[]
    ).filter((c): c is Child[] => c !== null);
    const details = h('tr', { className: 'perf-details', attrs: { id: detailsId, hidden: true, 'data-details-for': v.id } }, [
      h('td', { attrs: { colspan: head.length } }, [detailsContent(report, v)]),
    ]);
    toggle.addEventListener('click', () => {
      const open = details.hidden;
      details.hidden = !open;
      toggle.setAttribute('aria-expanded', String(open));
    });
    return [
      h('tr', { attrs: { 'data-variant': v.id } }, [
        name,
        ...cells.map((c, i) => h('td', { className: i === cells.length - 1 ? 'perf-quality' : '' }, c)),
        h('td', { className: 'perf-actions' }, [h('div', { className: 'perf-actions-row' }, actionButtons(v, actions))]),
      ]),
      details,
    ];
  });
  return h('div', { className: 'perf-table-wrap' }, [
    h('table', { className: 'perf-table' }, [
      h('caption', { className: 'visually-hidden' }, ['Original and variants compared; open a variant for every figure']),
      h('thead', {}, [h('tr', {}, head)]),
      h('tbody', {}, rows),
    ]),
  ]);
}
