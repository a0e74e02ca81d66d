/** Student's two-sample t-test, pooled variance — scipy.stats.ttest_ind defaults (p-value; drift when p < t). */
import { studentTwoSidedP } from '../math/special';
import { registerStatTest } from './registry';

export const tTestStatTest = registerStatTest({
  name: 't_test',
  displayName: 't_test',
  kinds: ['numerical'],
  defaultThreshold: 0.05,
  rule: 'p<',
  compute(pair) {
    const a = moments(pair.ref.values.subarray(0, pair.ref.count));
    const b = moments(pair.cur.values.subarray(0, pair.cur.count));
    const df = a.n + b.n - 2;
    const pooled = ((a.n - 1) * a.variance + (b.n - 1) * b.variance) / df;
    const t = (a.mean - b.mean) / Math.sqrt(pooled * (1 / a.n + 1 / b.n));
    return { score: studentTwoSidedP(t, df), statistic: t };
  },
});

function moments(values: Float64Array): { n: number; mean: number; variance: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) * (v - mean);
  return { n: values.length, mean, variance: sq / (values.length - 1) };
}
