/**
 * What the "Why?" card shows once the explain job is done: the SHAP waterfall of one output (the
 * predicted class by default) from the base value to the prediction, the additivity check in numbers,
 * the method with its one-line note and how long it took. The chart is the shared one
 * (server/protocol/explain-charts.ts), the same picture as the Explain tab and the HTML report.
 */
import type { RowPrediction } from '../../../server/protocol/api';
import { waterfall } from '../../../server/protocol/explain-charts';
import type { ExplainReport, ReportValue, ShapExplanation } from '../../../server/protocol/explain';
import { h } from '../dom';
import { formatNumber } from '../format';

/** Above this many features the waterfall shows the largest ones and one bar for the rest (like shap's max_display). */
export const WHY_TOP_FEATURES = 12;
const GROUP_ABOVE = 16;

/** Whether the waterfall of `features` features groups the smallest ones (and so offers "Show all"). */
export const groupsFeatures = (features: number): boolean => features > GROUP_ABOVE;

const METHOD_NAMES: Record<ShapExplanation['method'], string> = {
  exact: 'Exact Shapley values',
  kernel: 'KernelSHAP',
  tree: 'TreeSHAP',
};

/** An SVG string (labels escaped by explain-charts) as a DOM node; no innerHTML, nothing runs. */
function svgNode(markup: string): Node {
  const parsed = new DOMParser().parseFromString(markup, 'image/svg+xml');
  return document.importNode(parsed.documentElement, true);
}

/** The output explained by default: the class the card shows as predicted, else the largest output, else the only one. */
export function defaultOutput(report: ExplainReport, prediction: RowPrediction): number {
  const outputs = report.model.outputs;
  if (prediction.label !== undefined) {
    const named = outputs.indexOf(String(prediction.label));
    if (named >= 0) return named;
  }
  const local = report.shap?.local;
  if (report.model.task === 'classification' && local && outputs.length > 1) return local.prediction.indexOf(Math.max(...local.prediction));
  return 0;
}

/** The card's own number for output `o` (probability of that class, or the value), to check the job explained the same answer. */
function cardValue(report: ExplainReport, prediction: RowPrediction, o: number): number | undefined {
  const name = report.model.outputs[o];
  if (prediction.probabilities && name in prediction.probabilities) return prediction.probabilities[name];
  if (typeof prediction.value === 'number' && o === 0) return prediction.value;
  if (Array.isArray(prediction.value)) return prediction.value[o];
  return undefined;
}

/** The features to draw: all of them, or the largest |SHAP| ones plus one "N other features" bar holding the rest's sum. */
export function waterfallRows(
  names: string[],
  values: ReportValue[],
  shap: number[],
  showAll: boolean,
): { names: string[]; values: ReportValue[]; shap: number[]; grouped: number } {
  if (showAll || !groupsFeatures(names.length)) return { names, values, shap, grouped: 0 };
  const order = shap.map((_, j) => j).sort((a, b) => Math.abs(shap[b]) - Math.abs(shap[a]));
  const top = order.slice(0, WHY_TOP_FEATURES);
  const rest = order.slice(WHY_TOP_FEATURES);
  return {
    names: [...top.map((j) => names[j]), `${rest.length} other features`],
    values: [...top.map((j) => values[j]), 'their sum'],
    shap: [...top.map((j) => shap[j]), rest.reduce((s, j) => s + shap[j], 0)],
    grouped: rest.length,
  };
}

export interface WhyReportOptions {
  report: ExplainReport;
  /** The prediction on the card, to pick the class and compare numbers. */
  prediction: RowPrediction;
  output: number;
  showAll: boolean;
  /** The job's wall time (start → result on the server), in ms. */
  jobMs: number | null;
}

/** The explanation of output `options.output`, as the children of the why card's result area. */
export function renderWhyReport({ report, prediction, output: o, showAll, jobMs }: WhyReportOptions): (HTMLElement | null)[] {
  const shap = report.shap!;
  const local = shap.local!;
  const features = report.model.features;
  const contributions = local.shap[o];
  const base = shap.expectedValue[o];
  const predicted = local.prediction[o];
  const sum = contributions.reduce((s, v) => s + v, 0);
  const gap = Math.abs(base + sum - predicted);
  const adds = gap <= 1e-6 * Math.max(1, Math.abs(predicted));
  const name = report.model.outputs[o];
  const what = report.model.task === 'classification' ? `P(${name})` : name;
  const rows = waterfallRows(features, local.values, contributions, showAll);
  const onCard = cardValue(report, prediction, o);
  // Rounding of float32 model outputs aside, the job ran the model the card asked: a real gap means it changed in between.
  const cardDiffers = onCard !== undefined && Math.abs(onCard - predicted) > 1e-4 * Math.max(1, Math.abs(onCard));
  const data = report.data.path ? (report.data.path.split(/[\\/]/).pop() ?? '') : 'the data';

  return [
    h('p', { className: 'why-explained' }, [
      `How each input moved ${what} from its average over the background data (base value) to this prediction.`,
    ]),
    h(
      'p',
      {
        className: `why-sum ${adds ? 'adds-up' : 'does-not-add-up'}`,
        attrs: {
          'data-base': String(base),
          'data-sum': String(sum),
          'data-prediction': String(predicted),
          'data-card-value': onCard === undefined ? undefined : String(onCard),
        },
      },
      [
        'base ',
        h('strong', {}, [formatNumber(base)]),
        ' + Σ SHAP ',
        h('strong', {}, [`${sum >= 0 ? '' : '−'}${formatNumber(Math.abs(sum))}`]),
        ' = ',
        h('strong', {}, [formatNumber(base + sum)]),
        ` = prediction ${formatNumber(predicted)} `,
        adds ? '✓' : `✗ off by ${formatNumber(gap)}`,
      ],
    ),
    cardDiffers
      ? h('div', { className: 'result-warning', attrs: { role: 'note' } }, [
          `The card shows ${formatNumber(onCard)} for ${name}, the explanation ${formatNumber(predicted)}: ` +
            'the model was probably reloaded in between. Press Predict, then Why? again.',
        ])
      : null,
    h('div', { className: 'why-chart' }, [svgNode(waterfall(rows.names, rows.values, rows.shap, base, predicted))]),
    h('p', { className: 'why-method small', attrs: { 'data-method': shap.method } }, [
      h('strong', {}, [`${METHOD_NAMES[shap.method]} (${shap.method})`]),
      ` — ${shap.methodNote}`,
    ]),
    h('p', { className: 'why-timing muted small' }, [
      `SHAP for this input ${local.ms.toFixed(1)} ms`,
      jobMs !== null ? ` · whole job ${(jobMs / 1000).toFixed(2)} s (reading ${data}, background, model calls)` : '',
      shap.method === 'tree'
        ? ` · node covers from ${shap.backgroundRows} rows of ${data}`
        : ` · background ${shap.backgroundRows} rows of ${data}`,
      shap.coalitions !== null ? ` · ${shap.coalitions} coalitions` : '',
      '.',
    ]),
  ];
}
