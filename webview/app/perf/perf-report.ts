/**
 * The comparison, drawn: the table (./perf-table.ts), bar charts (file size, p50/p99 latency, agreement) as plain
 * HTML bars whose widths are set through the CSSOM (the CSP forbids style attributes), each variant's
 * verdict, and its per-node summary. Every number in a chart is also in the table, for screen readers.
 */
import type { ComparisonReport, LatencyStats } from '../../../server/protocol/perf-report';
import { h } from '../dom';
import { bytes, micros, pct } from './perf-format';
import { renderTable, type ReportActions } from './perf-table';

export { bytes, micros };
export type { ReportActions };

const at = (l: LatencyStats[], b: number) => l.find((x) => x.batch === b);

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

export function renderReport(report: ComparisonReport, actions: ReportActions): HTMLElement {
  const batches = report.settings.batches;
  const first = batches[0];
  const last = batches.at(-1)!;
  const ok = [report.original, ...report.variants].filter((v) => !v.error);
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
  return h('div', { className: 'perf-report' }, [renderTable(report, actions), charts, h('h3', {}, ['Verdicts']), verdicts, ...details]);
}
