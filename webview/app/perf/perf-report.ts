/**
 * The comparison, drawn: a table (size, gzip, latency at batch 1 and the largest batch, rows/s,
 * agreement alone and batched, quality), bar charts (file size, p50/p99 latency, agreement) as plain
 * HTML bars whose widths are set through the CSSOM (the CSP forbids style attributes), each variant's
 * verdict, and its per-node summary. Every number in a chart is also in the table, for screen readers.
 */
import type { ComparisonReport, LatencyStats, VariantReport } from '../../../server/protocol/perf-report';
import { h, type Child } from '../dom';

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(2)} MiB`;
}

export function micros(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '—';
  return us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)} %`);
const small = (x: number | undefined) => (x === undefined ? '—' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toFixed(4));
const at = (l: LatencyStats[], b: number) => l.find((x) => x.batch === b);

function quality(v: VariantReport, which: 'original' | 'variant'): string {
  const q = v.agreement?.quality?.[which];
  if (!q) return '—';
  return 'accuracy' in q ? `${pct(q.accuracy)} (F1 ${q.macroF1.toFixed(3)})` : `RMSE ${q.rmse.toFixed(3)}`;
}

interface Bar {
  label: string;
  value: number;
  text: string;
  emphasis?: boolean;
}

/** One horizontal bar chart; widths relative to the largest value. */
function barChart(title: string, bars: Bar[], max = Math.max(...bars.map((b) => b.value), 1e-12)): HTMLElement {
  const list = h('ul', { className: 'bar-chart perf-chart', attrs: { 'aria-label': title } });
  for (const bar of bars) {
    const fill = h('span', { className: 'bar-fill' });
    fill.style.width = `${Math.max(0, Math.min(1, bar.value / max)) * 100}%`;
    list.append(
      h(
        'li',
        {
          className: bar.emphasis ? 'bar-row is-predicted' : 'bar-row',
          attrs: { 'data-variant': bar.label, 'data-value': String(bar.value) },
        },
        [
          h('span', { className: 'bar-label' }, [bar.label]),
          h('span', { className: 'bar-track', attrs: { 'aria-hidden': 'true' } }, [fill]),
          h('span', { className: 'bar-value' }, [bar.text]),
        ],
      ),
    );
  }
  return h('figure', { className: 'perf-figure' }, [h('figcaption', {}, [title]), list]);
}

export interface ReportActions {
  save(variant: string): void;
  serve(variant: string): void;
}

export function renderReport(report: ComparisonReport, actions: ReportActions): HTMLElement {
  const batches = report.settings.batches;
  const first = batches[0];
  const last = batches.at(-1)!;
  const ok = [report.original, ...report.variants].filter((v) => !v.error);
  const head = ['Variant', 'File', 'gzip', 'Smaller', `p50 @${first}`, `p99 @${first}`];
  if (last !== first) head.push(`p50 @${last}`, `p99 @${last}`);
  head.push(`rows/s @${last}`, 'Argmax alone', 'Argmax batched', 'Max diff alone / batched', 'Quality', '');
  const rows = [report.original, ...report.variants].map((v) => {
    const a = v.agreement;
    const buttons =
      v.id === 'original'
        ? [
            h(
              'vscode-button',
              {
                attrs: { appearance: 'secondary', 'data-action': 'serve', 'data-variant': 'original' },
                on: { click: () => actions.serve('original') },
              },
              ['Serve original'],
            ),
          ]
        : v.error
          ? []
          : [
              h(
                'vscode-button',
                {
                  attrs: { appearance: 'secondary', 'data-action': 'save', 'data-variant': v.id },
                  on: { click: () => actions.save(v.id) },
                },
                ['Save variant'],
              ),
              h(
                'vscode-button',
                {
                  attrs: { appearance: 'secondary', 'data-action': 'serve', 'data-variant': v.id },
                  on: { click: () => actions.serve(v.id) },
                },
                ['Serve this variant'],
              ),
            ];
    if (v.error)
      return h('tr', { attrs: { 'data-variant': v.id } }, [
        h('th', { attrs: { scope: 'row' } }, [v.label]),
        h('td', { attrs: { colspan: head.length - 1 }, className: 'perf-error' }, [v.error]),
      ]);
    const cells: Child[] = [
      bytes(v.fileBytes),
      bytes(v.gzipBytes),
      `${v.sizeRatio.toFixed(2)}×`,
      micros(at(v.latency, first)?.p50Us),
      micros(at(v.latency, first)?.p99Us),
    ];
    if (last !== first) cells.push(micros(at(v.latency, last)?.p50Us), micros(at(v.latency, last)?.p99Us));
    cells.push(
      Math.round(at(v.latency, last)?.rowsPerSecond ?? 0).toLocaleString('en-US'),
      pct(a?.rowByRow?.argmax),
      pct(a?.batched.argmax),
      a ? `${small(a.rowByRow?.maxAbsDiff)} / ${small(a.batched.maxAbsDiff)}` : '—',
      v.id === 'original' ? quality(report.variants.find((x) => x.agreement?.quality) ?? v, 'original') : quality(v, 'variant'),
    );
    return h('tr', { attrs: { 'data-variant': v.id } }, [
      h('th', { attrs: { scope: 'row', title: v.about } }, [v.label]),
      ...cells.map((c) => h('td', {}, [c])),
      h('td', { className: 'perf-actions' }, buttons),
    ]);
  });
  const table = h('table', { className: 'perf-table' }, [
    h('caption', { className: 'visually-hidden' }, ['Original and variants compared']),
    h('thead', {}, [
      h(
        'tr',
        {},
        head.map((x) => h('th', { attrs: { scope: 'col' } }, [x])),
      ),
    ]),
    h('tbody', {}, rows),
  ]);

  const latencyMax = Math.max(...ok.flatMap((v) => [at(v.latency, first)?.p99Us ?? 0]), 1e-9);
  const charts = h(
    'div',
    { className: 'perf-charts' },
    [
      barChart(
        'File size (gzip in brackets)',
        ok.map((v) => ({
          label: v.id,
          value: v.fileBytes,
          text: `${bytes(v.fileBytes)} (${bytes(v.gzipBytes)})`,
          emphasis: v.id === 'original',
        })),
      ),
      barChart(
        `Latency at batch ${first}: p50`,
        ok.map((v) => ({
          label: v.id,
          value: at(v.latency, first)?.p50Us ?? 0,
          text: micros(at(v.latency, first)?.p50Us),
          emphasis: v.id === 'original',
        })),
        latencyMax,
      ),
      barChart(
        `Latency at batch ${first}: p99`,
        ok.map((v) => ({
          label: v.id,
          value: at(v.latency, first)?.p99Us ?? 0,
          text: micros(at(v.latency, first)?.p99Us),
          emphasis: v.id === 'original',
        })),
        latencyMax,
      ),
      last !== first
        ? barChart(
            `Latency at batch ${last}: p50`,
            ok.map((v) => ({
              label: v.id,
              value: at(v.latency, last)?.p50Us ?? 0,
              text: micros(at(v.latency, last)?.p50Us),
              emphasis: v.id === 'original',
            })),
          )
        : null,
      report.variants.some((v) => v.agreement?.batched.argmax !== null && v.agreement)
        ? barChart(
            'Argmax agreement with the original (row by row)',
            ok
              .filter((v) => v.agreement)
              .map((v) => {
                const f = v.agreement!.rowByRow ?? v.agreement!.batched;
                return { label: v.id, value: f.argmax ?? 0, text: pct(f.argmax) };
              }),
            1,
          )
        : null,
    ].filter(Boolean),
  );

  const verdicts = h(
    'ul',
    { className: 'perf-verdicts' },
    report.variants.map((v) => h('li', { attrs: { 'data-variant': v.id } }, [h('strong', {}, [`${v.label}: `]), v.verdict])),
  );
  const details = report.variants
    .filter((v) => v.nodes.length || v.notes.length)
    .map((v) =>
      h('details', { className: 'perf-nodes' }, [
        h('summary', {}, [
          `What ${v.label} changed (${v.nodes.filter((n) => n.action === 'rewritten').length} ` +
            `rewritten, ${v.nodes.filter((n) => n.action === 'skipped').length} skipped)`,
        ]),
        ...v.notes.map((n) => h('p', { className: 'muted small' }, [n])),
        h(
          'ul',
          {},
          v.nodes
            .filter((n) => n.action !== 'left')
            .map((n) => h('li', {}, [h('code', {}, [n.node]), ` ${n.op} — ${n.action}: ${n.detail}`])),
        ),
      ]),
    );
  return h('div', { className: 'perf-report' }, [
    h('div', { className: 'perf-table-wrap' }, [table]),
    charts,
    h('h3', {}, ['Verdicts']),
    verdicts,
    ...details,
  ]);
}
