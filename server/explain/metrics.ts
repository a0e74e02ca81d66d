/**
 * The scores permutation importance measures the drop of, as sklearn defines them (sklearn.metrics):
 * accuracy, balanced accuracy, ROC AUC (binary: the second class's probability; more classes: one-vs-rest,
 * macro average, sklearn's `roc_auc_ovr`) and log-loss for classifiers; R², MAE and RMSE for regressors.
 * Each is given "greater is better" the way sklearn's scorers are (losses negated), so importance is
 * always baseline score − permuted score.
 */
import { ModelLabError } from '../protocol/errors';

export const CLASSIFIER_METRICS = ['accuracy', 'balanced_accuracy', 'roc_auc', 'log_loss'] as const;
export const REGRESSOR_METRICS = ['r2', 'mae', 'rmse'] as const;
export type MetricName = (typeof CLASSIFIER_METRICS)[number] | (typeof REGRESSOR_METRICS)[number];

export const METRIC_LABELS: Record<MetricName, string> = {
  accuracy: 'accuracy',
  balanced_accuracy: 'balanced accuracy',
  roc_auc: 'ROC AUC',
  log_loss: 'log-loss',
  r2: 'R²',
  mae: 'mean absolute error',
  rmse: 'root mean squared error',
};

/** Losses: their scorer is the negated loss. */
export const LOWER_IS_BETTER = new Set<MetricName>(['log_loss', 'mae', 'rmse']);

/** The truth a score is computed against: class indices (classifier) or values (regressor). */
export type Truth = { kind: 'classes'; classes: Int32Array; count: number } | { kind: 'values'; values: Float64Array };

function argmax(pred: Float64Array, row: number, k: number): number {
  let best = 0;
  for (let c = 1; c < k; c++) if (pred[row * k + c] > pred[row * k + best]) best = c;
  return best;
}

/** Area under the ROC curve of `score` for `positive` rows (average ranks for ties, like sklearn). */
export function rocAuc(score: ArrayLike<number>, positive: ArrayLike<boolean>): number {
  const n = score.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => score[a] - score[b]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && score[order[j + 1]] === score[order[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let t = i; t <= j; t++)
      if (positive[order[t]]) {
        rankSum += rank;
        positives++;
      }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0)
    throw new ModelLabError('ROC AUC needs rows of both classes in the target column; choose another metric', { field: 'metric' });
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The score of predictions `pred` (rows × k), greater is better. */
export function score(metric: MetricName, truth: Truth, pred: Float64Array, k: number): number {
  if (truth.kind === 'classes') {
    const y = truth.classes;
    const n = y.length;
    switch (metric) {
      case 'accuracy': {
        let right = 0;
        for (let i = 0; i < n; i++) if (argmax(pred, i, k) === y[i]) right++;
        return right / n;
      }
      case 'balanced_accuracy': {
        const hits = new Float64Array(k);
        const totals = new Float64Array(k);
        for (let i = 0; i < n; i++) {
          totals[y[i]]++;
          if (argmax(pred, i, k) === y[i]) hits[y[i]]++;
        }
        let sum = 0;
        let classes = 0;
        for (let c = 0; c < k; c++)
          if (totals[c] > 0) {
            sum += hits[c] / totals[c];
            classes++;
          }
        return sum / classes;
      }
      case 'roc_auc': {
        const classes = k === 2 ? [1] : Array.from({ length: k }, (_, c) => c);
        let sum = 0;
        for (const c of classes) {
          const s = new Float64Array(n);
          const positive = new Array<boolean>(n);
          for (let i = 0; i < n; i++) {
            s[i] = pred[i * k + c];
            positive[i] = y[i] === c;
          }
          sum += rocAuc(s, positive);
        }
        return sum / classes.length;
      }
      case 'log_loss': {
        // sklearn: clip to [eps, 1 - eps] (float64 eps), renormalise each row, mean −log p(true class).
        const eps = 2.220446049250313e-16;
        let total = 0;
        for (let i = 0; i < n; i++) {
          let rowSum = 0;
          for (let c = 0; c < k; c++) rowSum += Math.min(1 - eps, Math.max(eps, pred[i * k + c]));
          total -= Math.log(Math.min(1 - eps, Math.max(eps, pred[i * k + y[i]])) / rowSum);
        }
        return -total / n;
      }
      default:
        throw new ModelLabError(`metric ${metric} is for regressors; this model is a classifier (${CLASSIFIER_METRICS.join(', ')})`, {
          field: 'metric',
        });
    }
  }
  const y = truth.values;
  const n = y.length;
  // A regressor's first output is the one scored.
  const p = (i: number) => pred[i * k];
  switch (metric) {
    case 'r2': {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += y[i];
      mean /= n;
      let res = 0;
      let tot = 0;
      for (let i = 0; i < n; i++) {
        res += (y[i] - p(i)) ** 2;
        tot += (y[i] - mean) ** 2;
      }
      return tot === 0 ? (res === 0 ? 1 : 0) : 1 - res / tot;
    }
    case 'mae': {
      let s = 0;
      for (let i = 0; i < n; i++) s += Math.abs(y[i] - p(i));
      return -s / n;
    }
    case 'rmse': {
      let s = 0;
      for (let i = 0; i < n; i++) s += (y[i] - p(i)) ** 2;
      return -Math.sqrt(s / n);
    }
    default:
      throw new ModelLabError(`metric ${metric} is for classifiers; this model is a regressor (${REGRESSOR_METRICS.join(', ')})`, {
        field: 'metric',
      });
  }
}

/** The target column's cells as truth for a model with outputs `classNames` (classifier) or a regressor. */
export function truthFromTarget(cells: string[], task: 'classification' | 'regression', classNames: string[], column: string): Truth {
  if (task === 'regression') {
    const values = new Float64Array(cells.length);
    cells.forEach((cell, i) => {
      const v = Number(cell);
      if (cell.trim() === '' || !Number.isFinite(v))
        throw new ModelLabError(`target: row ${i + 1} of column ${column} is '${cell}', not a number`, { field: 'target' });
      values[i] = v;
    });
    return { kind: 'values', values };
  }
  const classes = new Int32Array(cells.length);
  cells.forEach((cell, i) => {
    let c = classNames.indexOf(cell);
    // A 0/1 (or 0..k-1) target column for a model whose classes have names: the index is the class.
    if (c < 0 && /^\d+$/.test(cell) && Number(cell) < classNames.length && !classNames.some((n) => /^\d+$/.test(n))) c = Number(cell);
    if (c < 0)
      throw new ModelLabError(
        `target: row ${i + 1} of column ${column} is '${cell}', which is none of the model's classes (${classNames.join(', ')})`,
        { field: 'target' },
      );
    classes[i] = c;
  });
  return { kind: 'classes', classes, count: classNames.length };
}
