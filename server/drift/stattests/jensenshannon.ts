/** Jensen–Shannon distance of binned shares, natural log (distance; drift when ≥ t). */
import { binnedShares } from './binning';
import { registerStatTest } from './registry';

export const jensenShannonStatTest = registerStatTest({
  name: 'jensenshannon',
  displayName: 'Jensen-Shannon distance',
  kinds: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  rule: 'distance>=',
  compute(pair) {
    const { ref, cur, bins } = binnedShares(pair, false);
    return { score: jensenShannonDistance(ref, cur), note: `${bins} bins` };
  },
});

/** scipy.spatial.distance.jensenshannon(p, q): both renormalised, sqrt of the mean KL to the midpoint. */
export function jensenShannonDistance(p: Float64Array, q: Float64Array): number {
  const sp = p.reduce((a, b) => a + b, 0);
  const sq = q.reduce((a, b) => a + b, 0);
  let left = 0;
  let right = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] / sp;
    const qi = q[i] / sq;
    const m = (pi + qi) / 2;
    if (pi > 0) left += pi * Math.log(pi / m);
    if (qi > 0) right += qi * Math.log(qi / m);
  }
  return Math.sqrt((left + right) / 2);
}
