/** Kolmogorov–Smirnov two-sample test (p-value; drift when p ≤ threshold), scipy's ks_2samp. */
import { ks2samp } from '../math/ks2samp';
import { registerStatTest } from './registry';

export const ksStatTest = registerStatTest({
  name: 'ks',
  displayName: 'K-S p_value',
  kinds: ['numerical'],
  defaultThreshold: 0.05,
  rule: 'p<=',
  compute(pair) {
    const { ref, cur } = pair.sorted();
    const r = ks2samp(ref, cur);
    return { score: r.pValue, statistic: r.statistic, note: r.method };
  },
});
