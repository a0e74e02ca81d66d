/**
 * Permutation importance, sklearn's definition (`sklearn.inspection.permutation_importance`): the score
 * on the data, then for each feature and each of `nRepeats` repeats the score with that feature's column
 * shuffled; importance = baseline score − shuffled score (greater-is-better scores, so a loss's increase).
 * Reported as mean and standard deviation (population, ddof 0, as sklearn) over repeats, plus each repeat.
 *
 * Without a target column there is no score: the importance is then the mean absolute change of the
 * model's own outputs (all outputs averaged) when the column is shuffled — how much the model's answer
 * depends on the feature, not how much its accuracy does.
 */
import type { ExplainContext } from './context';
import { LOWER_IS_BETTER, METRIC_LABELS, score, type MetricName, type Truth } from './metrics';
import type { Predictor } from './predictor';
import { BATCH_ROWS } from './predictor';
import { createRandom, permutation } from './random';
import type { DataTable } from './table';
import type { FeatureImportance, PermutationImportance } from '../protocol/explain';

export interface PermutationOptions {
  nRepeats?: number;
  seed?: number;
  /** Required with a truth; ignored without. */
  metric?: MetricName;
  /**
   * Row orders to use instead of seeded shuffles: `permutations[r]` is the order of repeat r, used for
   * every feature (as sklearn does, one seed for all columns). Tests feed sklearn's own orders here.
   */
  permutations?: ArrayLike<number>[];
}

function meanStd(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance) };
}

export async function permutationImportance(
  predictor: Predictor,
  table: DataTable,
  truth: Truth | null,
  options: PermutationOptions,
  context: ExplainContext = {},
): Promise<PermutationImportance> {
  const nRepeats = options.permutations?.length ?? options.nRepeats ?? 5;
  const random = createRandom(options.seed ?? 0);
  const n = table.rows;
  const width = table.features.length;
  const metric: MetricName | null = truth ? (options.metric ?? (truth.kind === 'classes' ? 'accuracy' : 'r2')) : null;
  const total = n * (1 + width * nRepeats);
  const base = await predictor.predict(table.values, n, context.signal);
  const k = predictor.outputs.length;
  const baseline = metric && truth ? score(metric, truth, base, k) : 0;
  context.progress?.({ done: n, total, step: 'permutation importance: baseline' });

  const importance = (pred: Float64Array): number => {
    if (metric && truth) return baseline - score(metric, truth, pred, k);
    let change = 0;
    for (let i = 0; i < pred.length; i++) change += Math.abs(pred[i] - base[i]);
    return change / pred.length;
  };

  // Features are shuffled in groups so each model call carries about BATCH_ROWS rows.
  const perFeature = n * nRepeats;
  const group = Math.max(1, Math.floor(BATCH_ROWS / perFeature));
  const results: FeatureImportance[] = [];
  let done = n;
  for (let first = 0; first < width; first += group) {
    const features = Array.from({ length: Math.min(group, width - first) }, (_, i) => first + i);
    const rows = features.length * perFeature;
    const batch = new Float64Array(rows * width);
    for (let f = 0; f < features.length; f++) {
      const j = features[f];
      for (let r = 0; r < nRepeats; r++) {
        const order = options.permutations?.[r] ?? permutation(n, random);
        const at = (f * nRepeats + r) * n;
        batch.set(table.values, at * width);
        for (let i = 0; i < n; i++) batch[(at + i) * width + j] = table.values[order[i] * width + j];
      }
    }
    const pred = await predictor.predict(batch, rows, context.signal);
    for (let f = 0; f < features.length; f++) {
      const repeats: number[] = [];
      for (let r = 0; r < nRepeats; r++) {
        const at = (f * nRepeats + r) * n;
        repeats.push(importance(pred.subarray(at * k, (at + n) * k)));
      }
      results.push({ feature: table.features[features[f]].name, ...meanStd(repeats), repeats });
    }
    done += rows;
    context.progress?.({ done, total, step: `permutation importance: ${Math.min(width, first + group)} of ${width} features` });
  }
  return {
    metric: metric ?? 'output_change',
    metricLabel: metric ? METRIC_LABELS[metric] : 'mean absolute change of the model output',
    lowerIsBetter: metric ? LOWER_IS_BETTER.has(metric) : false,
    // Reported as the metric itself (a loss positive), not the negated scorer value.
    baseline: metric && LOWER_IS_BETTER.has(metric) ? -baseline : baseline,
    nRepeats,
    rows: n,
    target: table.targetName,
    features: results,
  };
}
