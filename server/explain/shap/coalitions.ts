/**
 * The game every model-agnostic SHAP method plays (interventional SHAP, as shap's KernelExplainer and
 * ExactExplainer with a background): the value of a coalition S of features for row x is
 * v(S) = mean over background rows b of f(x_S, b_rest) — the features in S taken from x, the others
 * from b. Coalitions are evaluated in large batches (many coalitions × the background per model call).
 */
import { throwIfCancelled } from '../../protocol/errors';
import type { ExplainContext } from '../context';
import type { Predictor } from '../predictor';
import { BATCH_ROWS } from '../predictor';

export interface Game {
  width: number;
  /** background rows × width */
  background: Float64Array;
  backgroundRows: number;
  predictor: Predictor;
}

/**
 * v(S) for each coalition (masks: coalitions × width, 1 = the feature comes from x), for several
 * explained rows at once: returns [row][coalition × outputs].
 */
export async function coalitionValues(
  game: Game,
  rows: Float64Array[],
  masks: Uint8Array,
  coalitions: number,
  context: ExplainContext,
  onRows?: (rows: number) => void,
): Promise<Float64Array[]> {
  const { width, background, backgroundRows: nb, predictor } = game;
  const perCall = Math.max(1, Math.floor(Math.max(BATCH_ROWS * 4, nb) / nb));
  const results: Float64Array[] = [];
  for (const x of rows) {
    let out: Float64Array | undefined;
    let k = 0;
    for (let first = 0; first < coalitions; first += perCall) {
      throwIfCancelled(context.signal);
      const count = Math.min(perCall, coalitions - first);
      const batch = new Float64Array(count * nb * width);
      for (let c = 0; c < count; c++) {
        const mask = masks.subarray((first + c) * width, (first + c + 1) * width);
        const at = c * nb * width;
        batch.set(background, at);
        for (let j = 0; j < width; j++) {
          if (!mask[j]) continue;
          const v = x[j];
          for (let b = 0; b < nb; b++) batch[at + b * width + j] = v;
        }
      }
      const pred = await predictor.predict(batch, count * nb, context.signal);
      k = predictor.outputs.length;
      out ??= new Float64Array(coalitions * k);
      for (let c = 0; c < count; c++)
        for (let o = 0; o < k; o++) {
          let sum = 0;
          for (let b = 0; b < nb; b++) sum += pred[(c * nb + b) * k + o];
          out[(first + c) * k + o] = sum / nb;
        }
      onRows?.(count * nb);
    }
    results.push(out!);
  }
  return results;
}
