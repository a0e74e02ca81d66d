/**
 * Two-proportion Z-test for columns with at most two values (p-value; drift when p < t).
 * The first value in sorted order is coded 0, the other 1 (Evidently's convention).
 */
import { normalCdf } from '../math/special';
import { registerStatTest } from './registry';

export const zStatTest = registerStatTest({
  name: 'z',
  displayName: 'Z-test p_value',
  kinds: ['categorical', 'numerical'],
  defaultThreshold: 0.05,
  rule: 'p<',
  compute(pair) {
    const u = pair.union();
    const refValues = u.keys.filter((_, i) => u.ref[i] > 0);
    const curValues = u.keys.filter((_, i) => u.cur[i] > 0);
    if (refValues.length === 1 && curValues.length === 1 && refValues[0] === curValues[0]) return { score: 1, statistic: 0 };
    const sorted = [...u.keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const zeroIndex = u.keys.indexOf(sorted[0]);
    const n1 = pair.nRef;
    const n2 = pair.nCur;
    const p1 = (n1 - u.ref[zeroIndex]) / n1;
    const p2 = (n2 - u.cur[zeroIndex]) / n2;
    const P = (p1 * n1 + p2 * n2) / (n1 + n2);
    const z = (p1 - p2) / Math.sqrt(P * (1 - P) * (1 / n1 + 1 / n2));
    return { score: 2 * (1 - normalCdf(Math.abs(z))), statistic: z };
  },
});
