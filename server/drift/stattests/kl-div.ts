/** Kullback–Leibler divergence KL(ref ‖ cur) of binned, zero-filled shares, renormalised (scipy.stats.entropy). */
import { binnedShares } from './binning';
import { registerStatTest } from './registry';

export const klDivStatTest = registerStatTest({
  name: 'kl_div',
  displayName: 'Kullback-Leibler divergence',
  kinds: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  rule: 'distance>=',
  compute(pair) {
    const { ref, cur, bins } = binnedShares(pair, true);
    const sp = ref.reduce((a, b) => a + b, 0);
    const sq = cur.reduce((a, b) => a + b, 0);
    let kl = 0;
    for (let i = 0; i < ref.length; i++) {
      const p = ref[i] / sp;
      const q = cur[i] / sq;
      if (p > 0) kl += p * Math.log(p / q);
    }
    return { score: kl, note: `${bins} bins` };
  },
});
