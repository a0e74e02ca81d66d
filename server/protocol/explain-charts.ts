/**
 * Inline SVG charts of an explanation, shared by the HTML report (server/explain/report) and the
 * Explain tab (webview/app/explain), so both draw the same pictures with no scripts and no external
 * assets: bars with error bars, PDP lines with thin ICE curves (bars for categories), a heat map, a
 * SHAP waterfall and a beeswarm.
 * Pure functions of numbers to SVG text; every label goes through escapeHtml.
 */
import { escapeHtml } from './html';
import type { ReportValue } from './explain';

const W = 560;
const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const fmt = (v: number) =>
  Math.abs(v) >= 1000 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(2) : v.toFixed(Math.abs(v) >= 100 ? 1 : 3);
/** A feature value: whole numbers (counts, codes, days) as they are, not "0.000". */
const label = (v: ReportValue) =>
  typeof v === 'number' ? (Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : fmt(v)) : String(v ?? 'missing');

function scale(lo: number, hi: number, from: number, to: number): (v: number) => number {
  const span = hi - lo || 1;
  return (v) => from + ((v - lo) / span) * (to - from);
}

function svg(width: number, height: number, title: string, body: string): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" ` +
    `aria-label="${escapeHtml(title)}">${body}</svg>`
  );
}

/** Horizontal bars (value ± error) for named items, largest first as given. */
export function barChart(items: { name: string; value: number; error?: number }[], title: string): string {
  const row = 20;
  const left = 190;
  const height = items.length * row + 30;
  const hi = Math.max(0, ...items.map((i) => i.value + (i.error ?? 0)));
  const lo = Math.min(0, ...items.map((i) => i.value - (i.error ?? 0)));
  const x = scale(lo, hi, left, W - 60);
  const body = items
    .map((item, i) => {
      const y = 10 + i * row;
      const x0 = x(Math.min(0, item.value));
      const bar =
        `<rect x="${x0}" y="${y + 3}" width="${Math.max(1, Math.abs(x(item.value) - x(0)))}" ` + `height="${row - 6}" fill="#4c78a8"/>`;
      const err = item.error
        ? `<line x1="${x(item.value - item.error)}" x2="${x(item.value + item.error)}" y1="` +
          `${y + row / 2}" y2="${y + row / 2}" stroke="#222"/>`
        : '';
      return (
        `<text x="${left - 6}" y="${y + row / 2 + 4}" text-anchor="end" font-size="12">${escapeHtml(item.name)}</text>${bar}${err}` +
        `<text x="${Math.max(x(item.value), x(0)) + 4}" y="${y + row / 2 + 4}" font-size="11" fill="#555">${fmt(item.value)}</text>`
      );
    })
    .join('');
  const axis = `<line x1="${x(0)}" x2="${x(0)}" y1="8" y2="${height - 18}" stroke="#888"/>`;
  return svg(W, height, title, axis + body);
}

/** One PDP panel: the average per output as lines (bars for categories), thin ICE curves of the first output. */
export function pdpChart(feature: string, grid: ReportValue[], average: number[][], ice: number[][], outputs: string[]): string {
  const width = 360;
  const height = 200;
  const all = [...average.flat(), ...ice.flat()];
  const y = scale(Math.min(...all), Math.max(...all), height - 30, 10);
  const numeric = grid.every((g) => typeof g === 'number');
  // Numbers on a linear axis; categories at evenly spaced slots.
  const linear = numeric ? scale(grid[0], grid[grid.length - 1], 50, width - 10) : null;
  const at = (i: number) => (linear && numeric ? linear(grid[i]) : 50 + ((i + 0.5) * (width - 60)) / grid.length);
  const line = (curve: number[], style: string) =>
    `<polyline fill="none" ${style} points="${curve.map((v, i) => `${at(i)},${y(v)}`).join(' ')}"/>`;
  let body = '';
  if (numeric) {
    for (const curve of ice) body += line(curve, 'stroke="#999" stroke-opacity="0.35" stroke-width="0.7"');
    average.forEach((curve, o) => (body += line(curve, `stroke="${PALETTE[o % PALETTE.length]}" stroke-width="2"`)));
  } else {
    const band = (width - 60) / grid.length / Math.max(1, average.length);
    average.forEach((curve, o) =>
      curve.forEach((v, i) => {
        const x0 = 50 + (i * (width - 60)) / grid.length + o * band;
        body +=
          `<rect x="${x0}" y="${y(v)}" width="${Math.max(1, band - 2)}" height="` +
          `${y(Math.min(...all)) - y(v) + 1}" fill="${PALETTE[o % PALETTE.length]}"/>`;
      }),
    );
  }
  const ticks = [0, Math.floor((grid.length - 1) / 2), grid.length - 1]
    .filter((v, i, a) => a.indexOf(v) === i)
    .map((i) => `<text x="${at(i)}" y="${height - 14}" font-size="10" text-anchor="middle">${escapeHtml(label(grid[i]))}</text>`)
    .join('');
  const yTicks = [Math.min(...all), Math.max(...all)]
    .map((v) => `<text x="46" y="${y(v) + 4}" font-size="10" text-anchor="end">${fmt(v)}</text>`)
    .join('');
  const legend =
    outputs.length > 1 ? outputs.map((o, i) => `<tspan fill="${PALETTE[i % PALETTE.length]}">■ ${escapeHtml(o)} </tspan>`).join('') : '';
  return svg(
    width,
    height,
    `partial dependence of ${feature}`,
    `<text x="50" y="${height - 2}" font-size="11" font-weight="bold">${escapeHtml(feature)} ` +
      `<tspan font-weight="normal">${legend}</tspan></text>` +
      body +
      ticks +
      yTicks,
  );
}

/** A heat map of [i][j] values with row and column labels. */
export function heatMap(values: number[][], rows: ReportValue[], columns: ReportValue[], names: [string, string]): string {
  const cell = Math.max(6, Math.min(24, Math.floor(420 / Math.max(rows.length, columns.length))));
  const left = 70;
  const top = 10;
  const flat = values.flat();
  const lo = Math.min(...flat);
  const hi = Math.max(...flat);
  const colour = (v: number) => {
    const t = hi === lo ? 0.5 : (v - lo) / (hi - lo);
    return `rgb(${Math.round(255 * t)},${Math.round(80 + 60 * (1 - Math.abs(t - 0.5) * 2))},${Math.round(255 * (1 - t))})`;
  };
  let body = '';
  values.forEach((row, i) =>
    row.forEach((v, j) => {
      const tip = escapeHtml(`${names[0]}=${label(rows[i])}, ${names[1]}=${label(columns[j])}: ${fmt(v)}`);
      const at = `x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}"`;
      body += `<rect ${at} fill="${colour(v)}"><title>${tip}</title></rect>`;
    }),
  );
  const height = top + rows.length * cell + 40;
  body += `<text x="4" y="${top + 10}" font-size="10">${escapeHtml(label(rows[0]))}</text>`;
  body += `<text x="4" y="${top + rows.length * cell}" font-size="10">${escapeHtml(label(rows[rows.length - 1]))}</text>`;
  body += `<text x="${left}" y="${height - 22}" font-size="10">${escapeHtml(label(columns[0]))}</text>`;
  body +=
    `<text x="${left + columns.length * cell}" y="${height - 22}" font-size="10" ` +
    `text-anchor="end">${escapeHtml(label(columns[columns.length - 1]))}</text>`;
  body +=
    `<text x="${left}" y="${height - 6}" font-size="11">rows: ${escapeHtml(names[0])}, ` +
    `columns: ${escapeHtml(names[1])}; colour ${fmt(lo)} (blue) to ${fmt(hi)} (red)</text>`;
  return svg(Math.max(W, left + columns.length * cell + 10), height, `interaction of ${names[0]} and ${names[1]}`, body);
}

/** SHAP waterfall: from the expected value, each feature's contribution (largest first), to the prediction. */
export function waterfall(names: string[], values: ReportValue[], shap: number[], base: number, prediction: number): string {
  const order = shap.map((v, j) => j).sort((a, b) => Math.abs(shap[b]) - Math.abs(shap[a]));
  const row = 20;
  const left = 220;
  const height = (order.length + 2) * row + 20;
  let running = base;
  const points = [base, prediction];
  for (const j of order) points.push((running += shap[j]));
  const x = scale(Math.min(...points), Math.max(...points), left, W - 70);
  running = base;
  let body =
    `<text x="${left - 6}" y="${row}" text-anchor="end" font-size="12">expected value ` +
    `${fmt(base)}</text><line x1="${x(base)}" x2="${x(base)}" y1="6" y2="${height - 10}" ` +
    `stroke="#888" stroke-dasharray="3"/>`;
  order.forEach((j, i) => {
    const y = (i + 1) * row + 6;
    const from = running;
    running += shap[j];
    const colour = shap[j] >= 0 ? '#d62728' : '#1f77b4';
    body +=
      `<text x="${left - 6}" y="${y + 13}" text-anchor="end" font-size="12">${escapeHtml(`${names[j]} = ${label(values[j])}`)}</text>` +
      (`<rect x="${Math.min(x(from), x(running))}" y="${y + 2}" width="` +
        `${Math.max(1, Math.abs(x(running) - x(from)))}" height="${row - 4}" fill="${colour}"/>`) +
      (`<text x="${Math.max(x(from), x(running)) + 4}" y="${y + 14}" font-size="11" fill="#555">` +
        `${shap[j] >= 0 ? '+' : ''}${fmt(shap[j])}</text>`);
  });
  const yEnd = (order.length + 1) * row + 20;
  body +=
    `<text x="${left - 6}" y="${yEnd}" text-anchor="end" font-size="12" ` +
    `font-weight="bold">prediction ${fmt(prediction)}</text><line x1="${x(prediction)}" x2="` +
    `${x(prediction)}" y1="6" y2="${height - 10}" stroke="#222"/>`;
  return svg(W, height, 'SHAP waterfall', body);
}

/** Beeswarm: a row of dots per feature, x = SHAP value, colour = the feature's value (low blue → high red). */
export function beeswarm(names: string[], shap: number[][], values: ReportValue[][], order: number[]): string {
  const row = 22;
  const left = 190;
  const height = order.length * row + 30;
  const all = shap.flat();
  const x = scale(Math.min(0, ...all), Math.max(0, ...all), left, W - 20);
  let body = `<line x1="${x(0)}" x2="${x(0)}" y1="4" y2="${height - 20}" stroke="#888"/>`;
  order.forEach((j, i) => {
    const y = 10 + i * row + row / 2;
    const column = values.map((v) => v[j]);
    const numbers = column.filter((v): v is number => typeof v === 'number');
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    body += `<text x="${left - 6}" y="${y + 4}" text-anchor="end" font-size="12">${escapeHtml(names[j])}</text>`;
    shap.forEach((r, k) => {
      const v = column[k];
      const t = typeof v === 'number' && hi > lo ? (v - lo) / (hi - lo) : 0.5;
      const jitter = ((k * 7919) % 13) - 6;
      body +=
        `<circle cx="${x(r[j])}" cy="${y + jitter * 0.7}" r="2.5" fill="rgb(` +
        `${Math.round(255 * t)},40,${Math.round(255 * (1 - t))})" fill-opacity="0.75"/>`;
    });
  });
  body += `<text x="${left}" y="${height - 4}" font-size="11">SHAP value (colour: feature value, blue low → red high)</text>`;
  return svg(W, height, 'SHAP beeswarm', body);
}
