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
    return { score: distance / Math.max(populationStd(ref), 0.001), statistic: distance };
  },
});

/** ∫|F_u − F_v| over the merged support; both inputs sorted. */
export function wasserstein1(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let prev = Math.min(u[0], v[0]);
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i] <= v[j]) ? u[i] : v[j];
    total += Math.abs(i / nu - j / nv) * (x - prev);
    prev = x;
    while (i < nu && u[i] === x) i++;
    while (j < nv && v[j] === x) j++;
  }
  return total;
}

/** Standard deviation with ddof = 0, two-pass for accuracy. */
export function populationStd(values: Float64Array): number {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return Math.sqrt(sq / values.length);
}
