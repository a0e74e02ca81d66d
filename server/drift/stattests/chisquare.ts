/**
 * Chi-square goodness of fit of current counts against reference shares (p-value; drift when p < t).
 * Expected = reference count × n_cur/n_ref over the union of values; a value the reference never had
 * has expected 0, so the statistic is infinite and p = 0 (as scipy.stats.chisquare gives).
 */
import { chi2Sf } from '../math/special';
import { registerStatTest } from './registry';

export const chiSquareStatTest = registerStatTest({
  name: 'chisquare',
  displayName: 'chi-square p_value',
  kinds: ['categorical', 'numerical'],
  defaultThreshold: 0.05,
  rule: 'p<',
  compute(pair) {
    const u = pair.union();
    const kNorm = pair.nCur / pair.nRef;
    let stat = 0;
    for (let i = 0; i < u.keys.length; i++) {
      const expected = u.ref[i] * kNorm;
      const diff = u.cur[i] - expected;
      stat += (diff * diff) / expected;
    }
    const df = u.keys.length - 1;
    if (df < 1) return { score: NaN, statistic: stat, note: 'one value only: chi-square needs at least two' };
    return { score: chi2Sf(stat, df), statistic: stat, note: `df=${df}` };
  },
});
