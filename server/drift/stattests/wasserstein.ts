/**
 * Wasserstein-1 distance normed by the reference standard deviation (distance; drift when ≥ t):
 * scipy.stats.wasserstein_distance(ref, cur) / max(std(ref, ddof=0), 0.001).
 */
import { registerStatTest } from './registry';

export const wassersteinStatTest = registerStatTest({
  name: 'wasserstein',
  displayName: 'Wasserstein distance (normed)',
  kinds: ['numerical'],
  defaultThreshold: 0.1,
  rule: 'distance>=',
  compute(pair) {
    const { ref } = pair.sorted();
    const distance = pair.merged().wasserstein1;
    const std = pair.ref.std ?? populationStd(ref);
    return { score: distance / Math.max(std, 0.001), statistic: distance };
  },
});

/** Standard deviation with ddof = 0, two-pass for accuracy (indexed loops: for-of on a typed array is slow until optimised). */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  const mean = sumOf(values) / n;
  return Math.sqrt(squaredDeviations(values, mean) / n);
}

// Each loop in a function of its own: V8 optimises a long loop while it runs, and the code after it in
// the same function (not run yet then) made that code bail out on every column.
function sumOf(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum;
}

function squaredDeviations(values: Float64Array, mean: number): number {
  let sq = 0;
  for (let i = 0; i < values.length; i++) {
    const d = values[i] - mean;
    sq += d * d;
  }
  return sq;
}
