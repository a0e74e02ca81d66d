/**
 * One column's distributions, drawn: reference and current shares per bin (numerical) or per category,
 * as inline SVG built with DOM calls (the webview CSP allows no inline styles or markup). A y-axis in
 * share of rows, the overlap of the two sides in its own colour (named in the legend), and category
 * labels under their bars (cut to 12 characters, the full label in the tooltip).
 */
import type { ColumnDrift } from '../../../server/protocol/drift';
import { h } from '../dom';

const SVG = 'http://www.w3.org/2000/svg';
const W = 320;
const H = 150;
const PAD = { left: 38, right: 6, top: 8, bottom: 18 };
/** Extra room under the plot for slanted category labels. */
const CATEGORY_LABEL_ROOM = 44;

function svg(tag: string, attrs: Record<string, string | number>, children: Node[] = []): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.appendChild(c);
  return el;
}
const text = (s: string) => document.createTextNode(s);

export function formatScore(score: number | null): string {
  if (score === null || Number.isNaN(score)) return '—';
  if (score === 0) return '0';
  return Math.abs(score) < 1e-3 ? score.toExponential(2) : score.toFixed(4);
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
/** Axis tick: whole percents when the scale allows, else one decimal. */
const tickPct = (x: number, max: number) => `${(100 * x).toFixed(max >= 0.1 ? 0 : 1)} %`;

export function formatEdge(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '';
  return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}

const shortLabel = (s: string) => (s.length > 12 ? `${s.slice(0, 11)}…` : s);

/** Reference and current shares per bin or category, with axes, for one column. */
export function histogramChart(c: ColumnDrift): HTMLElement {
  const hist = c.histogram;
  const n = Math.max(hist.reference.length, hist.current.length);
  const categorical = !hist.edges;
  const height = H + (categorical ? CATEGORY_LABEL_ROOM : 0);
  const max = Math.max(...hist.reference, ...hist.current, 1e-12);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const base = PAD.top + plotH;
  const y = (share: number) => base - (share / max) * plotH;
  const step = n ? plotW / n : plotW;
  const nodes: Node[] = [];

  // y-axis: 0, half and the top, in share of rows, with faint grid lines.
  for (const share of [0, max / 2, max]) {
    nodes.push(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: y(share), y2: y(share), class: 'drift-grid' }));
    nodes.push(svg('text', { x: PAD.left - 4, y: y(share) + 3, 'text-anchor': 'end', class: 'drift-tick' }, [text(tickPct(share, max))]));
  }
  nodes.push(svg('line', { x1: PAD.left, x2: PAD.left, y1: PAD.top, y2: base, class: 'drift-axis' }));
  nodes.push(svg('line', { x1: PAD.left, x2: W - PAD.right, y1: base, y2: base, class: 'drift-axis' }));

  for (let i = 0; i < n; i++) {
    const ref = hist.reference[i] ?? 0;
    const cur = hist.current[i] ?? 0;
    const label = categorical ? (hist.labels?.[i] ?? '') : `${formatEdge(hist.edges![i])}–${formatEdge(hist.edges![i + 1])}`;
    const tip = `${label}: reference ${pct(ref)}, current ${pct(cur)}`;
    const bar = (x: number, width: number, share: number, cls: string) =>
      svg(
        'rect',
        {
          x: x.toFixed(2),
          y: y(share).toFixed(2),
          width: Math.max(0.5, width).toFixed(2),
          height: (base - y(share)).toFixed(2),
          class: `drift-bar ${cls}`,
        },
        [svg('title', {}, [text(tip)])],
      );
    const x0 = PAD.left + i * step;
    if (categorical) {
      // Categories: the two sides next to each other, the label under the pair.
      nodes.push(bar(x0 + 0.5, step / 2 - 0.5, ref, 'drift-bar-reference'), bar(x0 + step / 2, step / 2 - 1, cur, 'drift-bar-current'));
      const lx = x0 + step / 2;
      nodes.push(
        svg(
          'text',
          { x: lx, y: base + 10, 'text-anchor': 'end', transform: `rotate(-40 ${lx} ${base + 10})`, class: 'drift-tick drift-category' },
          [text(shortLabel(label)), svg('title', {}, [text(label)])],
        ),
      );
    } else {
      // Bins: both sides full width, the shared part (the smaller share) drawn over them in the overlap colour.
      nodes.push(bar(x0, step - 1, ref, 'drift-bar-reference'), bar(x0, step - 1, cur, 'drift-bar-current'));
      nodes.push(bar(x0, step - 1, Math.min(ref, cur), 'drift-bar-overlap'));
    }
  }
  if (!categorical) {
    const edges = hist.edges ?? [];
    const ticks: [number, string][] = [
      [PAD.left, 'start'],
      [PAD.left + plotW / 2, 'middle'],
      [W - PAD.right, 'end'],
    ];
    const values = [edges[0], edges.length ? (edges[0] + edges[edges.length - 1]) / 2 : undefined, edges.at(-1)];
    ticks.forEach(([x, anchor], k) =>
      nodes.push(svg('text', { x, y: base + 13, 'text-anchor': anchor, class: 'drift-tick' }, [text(formatEdge(values[k]))])),
    );
  }
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${W} ${height}`,
      role: 'img',
      'aria-label': `${c.name}: share of rows per ${categorical ? 'category' : 'bin'}, reference and current`,
      class: 'drift-svg',
    },
    nodes,
  );
  return h(
    'figure',
    { className: c.drift ? 'drift-figure is-drift' : 'drift-figure', attrs: { 'data-column': c.name, 'data-drift': String(c.drift) } },
    [
      h('figcaption', {}, [
        h('strong', {}, [c.name]),
        ' ',
        h('span', { className: 'muted small' }, [`${c.testDisplayName} ${formatScore(c.score)} — ${c.drift ? 'drift' : 'no drift'}`]),
      ]),
      chart,
    ],
  );
}

export function chartLegend(): HTMLElement {
  const key = (side: string, label: string) => [
    h('span', { className: `drift-key drift-key-${side}`, attrs: { 'aria-hidden': 'true' } }),
    ` ${label} `,
  ];
  return h('p', { className: 'drift-legend small' }, [
    ...key('reference', 'reference'),
    ...key('current', 'current'),
    ...key('overlap', 'both (where the bins overlap)'),
    h('span', { className: 'muted' }, ['— bar height: share of rows in the bin or category']),
  ]);
}
