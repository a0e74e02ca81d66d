/** Population Stability Index over binned, zero-filled shares (distance; drift when ≥ t). */
import { binnedShares } from './binning';
import { registerStatTest } from './registry';

export const psiStatTest = registerStatTest({
  name: 'psi',
  displayName: 'PSI',
  kinds: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  rule: 'distance>=',
  compute(pair) {
    const { ref, cur, bins } = binnedShares(pair, true);
    let psi = 0;
    for (let i = 0; i < ref.length; i++) psi += (ref[i] - cur[i]) * Math.log(ref[i] / cur[i]);
    return { score: psi, note: `${bins} bins` };
  },
});
