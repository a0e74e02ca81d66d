/**
 * Mann–Whitney U rank test as Evidently calls it: scipy.stats.mannwhitneyu(ref, cur, alternative="less")
 * (p-value; drift when p < t). scipy's method "auto": exact when a sample has ≤ 8 values and there are
 * no ties, else the normal approximation with tie correction and continuity correction.
 */
import { normalCdf } from '../math/special';
import { registerStatTest } from './registry';

export const mannWhitneyStatTest = registerStatTest({
  name: 'mannw',
  displayName: 'Mann-Whitney U-rank test',
  kinds: ['numerical'],
  defaultThreshold: 0.05,
  rule: 'p<',
  compute(pair) {
    const { ref, cur } = pair.sorted();
    const n1 = ref.length;
    const n2 = cur.length;
    // Rank sum of the reference over the merged sample, ties at their mean rank.
    let i = 0;
    let j = 0;
    let rank = 0;
    let r1 = 0;
    let tieTerm = 0;
    let ties = false;
    while (i < n1 || j < n2) {
      const v = j >= n2 || (i < n1 && ref[i] <= cur[j]) ? ref[i] : cur[j];
      let a = 0;
      let b = 0;
      while (i < n1 && ref[i] === v) {
        i++;
        a++;
      }
      while (j < n2 && cur[j] === v) {
        j++;
        b++;
      }
      const t = a + b;
      const meanRank = rank + (t + 1) / 2;
      r1 += a * meanRank;
      rank += t;
      tieTerm += t * t * t - t;
      if (t > 1) ties = true;
    }
    const u1 = r1 - (n1 * (n1 + 1)) / 2;
    const u2 = n1 * n2 - u1;
    // alternative "less": the statistic is U2, p = P(U ≥ U2).
    if ((n1 <= 8 || n2 <= 8) && !ties) return { score: exactUpperTail(u2, n1, n2), statistic: u1, note: 'exact' };
    const n = n1 + n2;
    const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
    const z = (u2 - (n1 * n2) / 2 - 0.5) / s;
    return { score: normalCdf(-z), statistic: u1, note: 'asymptotic' };
  },
});

/** P(U ≥ u) under H0 from the Gaussian-binomial generating function of U (sizes m, n). */
function exactUpperTail(u: number, m: number, n: number): number {
  const k = Math.min(m, n);
  const other = Math.max(m, n);
  const degree = k * other;
  // Coefficients of Π_{i=1..k} (1 − q^{other+i}) / (1 − q^i): counts of U values, scaled as we go.
  let poly = new Float64Array(degree + 1);
  poly[0] = 1;
  for (let i = 1; i <= k; i++) {
    const next = new Float64Array(degree + 1);
    const shift = other + i;
    for (let d = 0; d <= degree; d++) next[d] = poly[d] - (d >= shift ? poly[d - shift] : 0);
    for (let d = i; d <= degree; d++) next[d] += next[d - i];
    poly = next;
  }
  let total = 0;
  let tail = 0;
  for (let d = 0; d <= degree; d++) {
    total += poly[d];
    if (d >= u) tail += poly[d];
  }
  return Math.min(1, tail / total);
}
