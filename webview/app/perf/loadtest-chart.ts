/**
 * The load test, drawn: throughput and p50/p99 latency against clients (or offered rate) per step, as
 * inline SVG built with DOM calls (the webview CSP allows no inline styles or markup), in the drift
 * charts' style. The x axis is logarithmic (the sweep doubles: 1, 2, 4 … 64 sit evenly spaced); steps with
 * failed requests are ringed in the error colour; the knee is a dashed vertical line; the latency chart
 * draws the p99 target as a dashed horizontal line.
 */
import type { LoadStep, LoadTestReport } from '../../../server/protocol/loadtest';
import { h } from '../dom';

const SVG = 'http://www.w3.org/2000/svg';
const W = 360;
const H = 180;
const PAD = { left: 46, right: 10, top: 12, bottom: 30 };

function svg(tag: string, attrs: Record<string, string | number>, children: Node[] = []): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(c);
  return el;
}
const text = (s: string) => document.createTextNode(s);

/** A step's x value: clients in a sweep, offered requests/s at a fixed rate. */
export const stepX = (s: LoadStep): number => s.concurrency ?? s.offeredRate ?? 1;

/** Short numbers for axis ticks: 3,040 → 3k, 0.5 → 0.5. */
export function tick(v: number): string {
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1).replace(/\.0$/, '')}k`;
  if (v >= 10) return String(Math.round(v));
  return String(Number(v.toPrecision(2)));
}

interface Series {
  name: string;
  className: string;
  values: number[];
}

interface ChartSpec {
  title: string;
  yLabel: string;
  series: Series[];
  /** A dashed horizontal line (the p99 target), with its label. */
  line?: { value: number; label: string };
}

function lineChart(report: LoadTestReport, spec: ChartSpec): SVGElement {
  const steps = report.steps;
  const xs = steps.map(stepX);
  const lx = xs.map((x) => Math.log2(Math.max(x, 1e-9)));
  const minX = Math.min(...lx);
  const maxX = Math.max(...lx);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const base = PAD.top + plotH;
  const x = (l: number) => (maxX === minX ? PAD.left + plotW / 2 : PAD.left + ((l - minX) / (maxX - minX)) * plotW);
  const highest = Math.max(1e-9, ...spec.series.flatMap((s) => s.values));
  // A target far above every measurement would flatten the curves to the floor: it is named instead of drawn.
  const lineShown = spec.line !== undefined && spec.line.value <= highest * 3;
  const top = Math.max(highest, lineShown ? spec.line!.value : 0) * 1.1;
  const y = (v: number) => base - (Math.max(0, v) / top) * plotH;
  const nodes: Node[] = [];

  for (const v of [0, top / 2, top]) {
    nodes.push(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'loadtest-grid' }));
    nodes.push(svg('text', { x: PAD.left - 4, y: y(v) + 3, 'text-anchor': 'end', class: 'loadtest-tick' }, [text(tick(v))]));
  }
  nodes.push(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: base, y2: base, class: 'loadtest-axis' }));
  xs.forEach((v, i) =>
    nodes.push(svg('text', { x: x(lx[i]), y: base + 12, 'text-anchor': 'middle', class: 'loadtest-tick' }, [text(tick(v))])),
  );
  nodes.push(
    svg('text', { x: PAD.left + plotW / 2, y: H - 4, 'text-anchor': 'middle', class: 'loadtest-tick' }, [
      text(report.mode === 'rate' ? 'offered requests/s (log scale)' : 'concurrent clients (log scale)'),
    ]),
  );
  nodes.push(
    svg(
      'text',
      {
        x: 10,
        y: PAD.top + plotH / 2,
        'text-anchor': 'middle',
        class: 'loadtest-tick',
        transform: `rotate(-90 10 ${PAD.top + plotH / 2})`,
      },
      [text(spec.yLabel)],
    ),
  );

  if (spec.line && lineShown) {
    nodes.push(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(spec.line.value), y2: y(spec.line.value), class: 'loadtest-target' }));
    nodes.push(
      svg('text', { x: W - PAD.right, y: y(spec.line.value) - 3, 'text-anchor': 'end', class: 'loadtest-tick' }, [text(spec.line.label)]),
    );
  } else if (spec.line) {
    nodes.push(
      svg('text', { x: W - PAD.right, y: PAD.top - 2, 'text-anchor': 'end', class: 'loadtest-tick loadtest-target-above' }, [
        text(`${spec.line.label}: far above the chart`),
      ]),
    );
  }
  if (report.knee) {
    const kx = x(Math.log2(Math.max(report.knee.concurrency ?? report.knee.offeredRate ?? 1, 1e-9)));
    nodes.push(svg('line', { x1: kx, x2: kx, y1: PAD.top, y2: base, class: 'loadtest-knee', 'data-knee': report.knee.step }));
    nodes.push(svg('text', { x: kx + 3, y: PAD.top + 9, class: 'loadtest-tick loadtest-knee-label' }, [text('knee')]));
  }

  for (const s of spec.series) {
    const points = s.values.map((v, i) => `${x(lx[i]).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    nodes.push(svg('polyline', { points, class: `loadtest-line ${s.className}`, fill: 'none' }));
    s.values.forEach((v, i) => {
      const failed = steps[i].errors > 0;
      const dot = svg(
        'circle',
        {
          cx: x(lx[i]).toFixed(1),
          cy: y(v).toFixed(1),
          r: failed ? 4.5 : 3,
          class: `loadtest-point ${s.className}${failed ? ' loadtest-point-error' : ''}`,
          'data-series': s.name,
          'data-x': xs[i],
        },
        [
          svg('title', {}, [
            text(
              `${xs[i]} ${report.mode === 'rate' ? 'requests/s offered' : 'clients'}: ${s.name} ${tick(v)}` +
                (failed ? ` — ${steps[i].errors} failed (${(100 * steps[i].errorRate).toFixed(1)} %)` : ''),
            ),
          ]),
        ],
      );
      nodes.push(dot);
    });
  }
  return svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'loadtest-svg', role: 'img', 'aria-label': spec.title }, nodes);
}

function figure(kind: string, title: string, chart: SVGElement, legend: HTMLElement): HTMLElement {
  return h('figure', { className: 'loadtest-figure', attrs: { 'data-chart': kind } }, [h('figcaption', {}, [title]), chart, legend]);
}

const key = (className: string, label: string) =>
  h('span', { className: 'loadtest-legend-item' }, [h('span', { className: `loadtest-key ${className}` }), label]);

/** Throughput and latency against clients, side by side. */
export function loadTestCharts(report: LoadTestReport): HTMLElement {
  const anyErrors = report.steps.some((s) => s.errors > 0);
  // A function: each legend needs its own nodes (a node appended twice moves).
  const extra = () => [
    report.knee ? key('loadtest-key-knee', 'knee') : null,
    anyErrors ? key('loadtest-key-error', 'step with failed requests') : null,
  ];
  const throughput = lineChart(report, {
    title: 'Throughput (successful requests per second) against load',
    yLabel: 'req/s',
    series: [{ name: 'throughput', className: 'loadtest-throughput', values: report.steps.map((s) => s.throughput) }],
  });
  const latency = lineChart(report, {
    title: 'p50 and p99 latency (ms) against load, with the p99 target',
    yLabel: 'ms',
    series: [
      { name: 'p50', className: 'loadtest-p50', values: report.steps.map((s) => s.p50Ms) },
      { name: 'p99', className: 'loadtest-p99', values: report.steps.map((s) => s.p99Ms) },
    ],
    line: { value: report.p99TargetMs, label: `p99 target ${report.p99TargetMs} ms` },
  });
  return h('div', { className: 'loadtest-charts' }, [
    figure(
      'throughput',
      'Throughput (req/s)',
      throughput,
      h('div', { className: 'loadtest-legend muted small' }, [key('loadtest-throughput', 'requests/s'), ...extra()]),
    ),
    figure(
      'latency',
      'Latency p50 / p99 (ms)',
      latency,
      h('div', { className: 'loadtest-legend muted small' }, [
        key('loadtest-p50', 'p50'),
        key('loadtest-p99', 'p99'),
        key('loadtest-key-target', 'p99 target'),
        ...extra(),
      ]),
    ),
  ]);
}
