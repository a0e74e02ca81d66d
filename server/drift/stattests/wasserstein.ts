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
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    sq += d * d;
  }
  return Math.sqrt(sq / n);
}
