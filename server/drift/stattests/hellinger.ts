/**
 * Hellinger distance (distance; drift when ≥ t). Categorical: over value shares. Numerical: density
 * histograms on Sturges edges computed over the distinct values of ref ∪ cur (Evidently's choice).
 */
import { histogramSorted, sturgesEdges } from './binning';
import { registerStatTest } from './registry';

export const hellingerStatTest = registerStatTest({
  name: 'hellinger',
  displayName: 'Hellinger distance',
  kinds: ['categorical', 'numerical'],
  defaultThreshold: 0.1,
  rule: 'distance>=',
  compute(pair) {
    let bc = 0;
    if (pair.kind === 'categorical') {
      const u = pair.union();
      for (let i = 0; i < u.keys.length; i++) bc += Math.sqrt((u.ref[i] / pair.nRef) * (u.cur[i] / pair.nCur));
    } else {
      const keys = pair.union().keys as number[];
      const integer = pair.ref.integerDtype && pair.cur.integerDtype;
      const edges = sturgesEdges(keys[0], keys[keys.length - 1], keys.length, integer);
      const { ref, cur } = pair.sorted();
      const h1 = density(histogramSorted(ref, edges), edges);
      const h2 = density(histogramSorted(cur, edges), edges);
      const width = (edges[edges.length - 1] - edges[0]) / (edges.length - 1);
      for (let i = 0; i < h1.length; i++) bc += Math.sqrt(h1[i] * h2[i]) * width;
    }
    return { score: Math.sqrt(1 - Math.min(1, Math.max(0, bc))) };
  },
});

function density(counts: Float64Array, edges: Float64Array): Float64Array {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((c, i) => c / (edges[i + 1] - edges[i]) / total);
}
