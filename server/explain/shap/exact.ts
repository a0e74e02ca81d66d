/**
 * Exact interventional Shapley values by enumerating every coalition (2^M of them, so only for M ≤ 12
 * features): φ_i = Σ_{S ⊆ F∖{i}} |S|!(M−|S|−1)!/M! · (v(S ∪ {i}) − v(S)), v as in ./coalitions.ts. They
 * sum to f(x) − E[f(background)] by construction; they anchor KernelSHAP (tests compare the two).
 */
import { ModelLabError } from '../../protocol/errors';
import type { ExplainContext } from '../context';
import { coalitionValues, type Game } from './coalitions';

export const MAX_EXACT_FEATURES = 12;

export interface RowShap {
  /** [output][feature] */
  shap: number[][];
  /** [output] f(x) */
  prediction: number[];
  /** [output] E[f] over the background */
  expected: number[];
}

export async function exactShap(game: Game, rows: Float64Array[], context: ExplainContext = {}): Promise<RowShap[]> {
  const m = game.width;
  if (m > MAX_EXACT_FEATURES)
    throw new ModelLabError(
      `exact SHAP enumerates 2^M coalitions and stops at ${MAX_EXACT_FEATURES} features; this model has ${m}: use kernel`,
      {
        field: 'shapMethod',
      },
    );
  const count = 1 << m;
  const masks = new Uint8Array(count * m);
  for (let s = 0; s < count; s++) for (let j = 0; j < m; j++) masks[s * m + j] = (s >> j) & 1;
  // weight[s] = s!(M−s−1)!/M!
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const weight = Array.from({ length: m }, (_, s) => (factorial(s) * factorial(m - s - 1)) / factorial(m));
  const popcount = (s: number) => {
    let c = 0;
    for (let x = s; x; x &= x - 1) c++;
    return c;
  };
  let done = 0;
  const values = await coalitionValues(game, rows, masks, count, context, (r) => {
    done += r;
    context.progress?.({ done, total: rows.length * count * game.backgroundRows, step: 'SHAP values (exact)' });
  });
  return values.map((v) => {
    const k = v.length / count;
    const shap = Array.from({ length: k }, (_, o) => {
      const phi = new Array<number>(m).fill(0);
      for (let s = 0; s < count; s++) {
        const w = weight[popcount(s)];
        for (let i = 0; i < m; i++) if (!((s >> i) & 1)) phi[i] += w * (v[(s | (1 << i)) * k + o] - v[s * k + o]);
      }
      return phi;
    });
    return {
      shap,
      prediction: Array.from({ length: k }, (_, o) => v[(count - 1) * k + o]),
      expected: Array.from({ length: k }, (_, o) => v[o]),
    };
  });
}
