/**
 * KernelSHAP (Lundberg & Lee 2017, as shap's KernelExplainer): Shapley values as the weighted linear
 * regression of v(S) on the coalition indicators, with the Shapley kernel weight
 * (M−1) / (C(M,|S|)·|S|·(M−|S|)), constrained so the values sum to f(x) − E[f] (additivity enforced
 * exactly by eliminating one coefficient). Coalitions as shap chooses them: whole coalition sizes
 * (smallest and largest first, each with its complement) are enumerated while the budget allows, the
 * rest sampled — sizes by their remaining kernel weight, members uniformly, seeded. With a budget of
 * 2^M − 2 or more every coalition is enumerated and the result equals exact Shapley values.
 */
import type { ExplainContext } from '../context';
import { createRandom, permutation, type Random } from '../random';
import { coalitionValues, type Game } from './coalitions';
import type { RowShap } from './exact';

export interface KernelOptions {
  /** Coalitions evaluated per row (default 2·M + 512, at most 2^M − 2). */
  samples?: number;
  seed?: number;
}

export interface CoalitionPlan {
  masks: Uint8Array;
  weights: Float64Array;
  count: number;
}

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

function* subsetsOfSize(m: number, size: number): Generator<number[]> {
  const idx = Array.from({ length: size }, (_, i) => i);
  for (;;) {
    yield idx.slice();
    let i = size - 1;
    while (i >= 0 && idx[i] === m - size + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < size; j++) idx[j] = idx[j - 1] + 1;
  }
}

/** The coalitions (without the empty and the full one) and their regression weights. */
export function planCoalitions(m: number, budget: number, random: Random): CoalitionPlan {
  const masks: number[][] = [];
  const weights: number[] = [];
  const add = (members: number[], weight: number, complement: boolean) => {
    const mask = new Array<number>(m).fill(complement ? 1 : 0);
    for (const j of members) mask[j] = complement ? 0 : 1;
    masks.push(mask);
    weights.push(weight);
  };
  if (budget >= 2 ** m - 2) {
    // Every coalition, each with its Shapley kernel weight: the regression then gives exact Shapley values.
    for (let size = 1; size < m; size++) {
      const w = (m - 1) / (binomial(m, size) * size * (m - size));
      for (const members of subsetsOfSize(m, size)) add(members, w, false);
    }
    return { masks: Uint8Array.from(masks.flat()), weights: Float64Array.from(weights), count: masks.length };
  }
  const sizes = Math.ceil((m - 1) / 2);
  const pairedSizes = Math.floor((m - 1) / 2);
  const sizeWeight = Array.from({ length: sizes }, (_, i) => ((m - 1) / ((i + 1) * (m - i - 1))) * (i < pairedSizes ? 2 : 1));
  const totalWeight = sizeWeight.reduce((a, b) => a + b, 0);
  for (let i = 0; i < sizes; i++) sizeWeight[i] /= totalWeight;
  let left = budget;
  const remaining = sizeWeight.slice();
  let enumerated = 0;
  for (let i = 0; i < sizes; i++) {
    const size = i + 1;
    const paired = i < pairedSizes;
    const subsets = binomial(m, size) * (paired ? 2 : 1);
    if (left * remaining[i] < subsets - 1e-8) break;
    const w = sizeWeight[i] / binomial(m, size) / (paired ? 2 : 1);
    for (const members of subsetsOfSize(m, size)) {
      add(members, w, false);
      if (paired) add(members, w, true);
    }
    left -= subsets;
    enumerated = size;
    if (remaining[i] < 1) for (let r = i + 1; r < sizes; r++) remaining[r] /= 1 - remaining[i];
    remaining[i] = 0;
  }
  const fixed = masks.length;
  const weightLeft = 1 - sizeWeight.slice(0, enumerated).reduce((a, b) => a + b, 0);
  if (enumerated < sizes && left > 0) {
    const pool = remaining.slice(enumerated);
    const poolTotal = pool.reduce((a, b) => a + b, 0);
    const sampled = new Map<string, number>();
    let drawn = 0;
    // Each draw adds a coalition and (for paired sizes) its complement, so the sample stays symmetric.
    while (drawn < left) {
      let u = random() * poolTotal;
      let i = 0;
      while (i < pool.length - 1 && u >= pool[i]) u -= pool[i++];
      const size = enumerated + i + 1;
      const members = Array.from(permutation(m, random).subarray(0, size)).sort((a, b) => a - b);
      const paired = size - 1 < pairedSizes;
      for (const complement of paired ? [false, true] : [false]) {
        const key = (complement ? '!' : '') + members.join(',');
        const seen = sampled.get(key);
        if (seen !== undefined) weights[seen] += 1;
        else {
          sampled.set(key, masks.length);
          add(members, 1, complement);
        }
        drawn++;
      }
    }
    const sampledTotal = weights.slice(fixed).reduce((a, b) => a + b, 0);
    for (let s = fixed; s < weights.length; s++) weights[s] *= weightLeft / sampledTotal;
  }
  return { masks: Uint8Array.from(masks.flat()), weights: Float64Array.from(weights), count: masks.length };
}

/** Solves A·x = b in place (Gaussian elimination, partial pivoting); a zero pivot leaves its unknown at 0. */
function solve(a: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[pivot * n + col])) pivot = r;
    if (Math.abs(a[pivot * n + col]) < 1e-14) continue;
    if (pivot !== col) {
      for (let c = 0; c < n; c++) [a[col * n + c], a[pivot * n + c]] = [a[pivot * n + c], a[col * n + c]];
      [b[col], b[pivot]] = [b[pivot], b[col]];
    }
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col] / a[col * n + col];
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[col * n + c];
      b[r] -= f * b[col];
    }
  }
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.abs(a[i * n + i]) < 1e-14 ? 0 : b[i] / a[i * n + i];
  return x;
}

/** φ from coalition values: weighted least squares with Σφ = f(x) − E[f]. */
export function kernelRegression(
  plan: CoalitionPlan,
  m: number,
  v: Float64Array,
  fx: number,
  expected: number,
  k: number,
  o: number,
): number[] {
  if (m === 1) return [fx - expected];
  const delta = fx - expected;
  const n = m - 1;
  const a = new Float64Array(n * n);
  const b = new Float64Array(n);
  const row = new Float64Array(n);
  for (let s = 0; s < plan.count; s++) {
    const mask = plan.masks.subarray(s * m, (s + 1) * m);
    const last = mask[m - 1];
    for (let j = 0; j < n; j++) row[j] = mask[j] - last;
    const y = v[s * k + o] - expected - last * delta;
    const w = plan.weights[s];
    for (let i = 0; i < n; i++) {
      if (row[i] === 0) continue;
      const wi = w * row[i];
      b[i] += wi * y;
      for (let j = 0; j < n; j++) a[i * n + j] += wi * row[j];
    }
  }
  const phi = Array.from(solve(a, b, n));
  phi.push(delta - phi.reduce((x, y) => x + y, 0));
  return phi;
}

export async function kernelShap(
  game: Game,
  rows: Float64Array[],
  options: KernelOptions = {},
  context: ExplainContext = {},
): Promise<RowShap[]> {
  const m = game.width;
  const budget = Math.min(options.samples ?? 2 * m + 512, 2 ** Math.min(m, 40) - 2);
  const plan = planCoalitions(m, budget, createRandom(options.seed ?? 0));
  // Row 0: the empty coalition (E[f]), row 1: the full one (f(x)), then the plan's.
  const masks = new Uint8Array((plan.count + 2) * m);
  masks.fill(1, m, 2 * m);
  masks.set(plan.masks, 2 * m);
  let done = 0;
  const total = rows.length * (plan.count + 2) * game.backgroundRows;
  const values = await coalitionValues(game, rows, masks, plan.count + 2, context, (r) => {
    done += r;
    context.progress?.({ done, total, step: 'SHAP values (KernelSHAP)' });
  });
  return values.map((all) => {
    const k = all.length / (plan.count + 2);
    const expected = Array.from({ length: k }, (_, o) => all[o]);
    const prediction = Array.from({ length: k }, (_, o) => all[k + o]);
    const v = all.subarray(2 * k);
    return { shap: expected.map((e, o) => kernelRegression(plan, m, v, prediction[o], e, k, o)), prediction, expected };
  });
}

export function coalitionCount(m: number, samples?: number): number {
  return Math.min(samples ?? 2 * m + 512, 2 ** Math.min(m, 40) - 2);
}
