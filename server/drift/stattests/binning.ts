/**
 * Shared binning, reproducing numpy: `histogram_bin_edges(..., bins="sturges")`, `histogram` with
 * explicit edges (each bin half-open, the last one closed) and Evidently's `get_binned_data`.
 */
import type { ColumnPair } from '../pair';
import { lowerBound, upperBound } from '../math/bounds';

export { lowerBound, upperBound };

/** numpy.histogram_bin_edges(a, bins="sturges") for data with this min, max and size. */
export function sturgesEdges(min: number, max: number, size: number, integerDtype: boolean): Float64Array {
  let first = min;
  let last = max;
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  let width = (max - min) / (Math.log2(size) + 1);
  // numpy: integer input never gets bins narrower than 1.
  if (integerDtype && width < 1 && width !== 0) width = 1;
  const bins = width ? Math.ceil((last - first) / width) : 1;
  const edges = new Float64Array(bins + 1);
  const step = (last - first) / bins;
  for (let i = 0; i < bins; i++) edges[i] = i * step + first;
  edges[bins] = last;
  return edges;
}

/**
 * numpy.histogram(sorted, edges)[0] for ascending `sorted`: bin i holds edges[i] ≤ v < edges[i+1],
 * the last bin edges[bins-1] ≤ v ≤ edges[bins]. Counted by binary search per edge (O(bins·log n)),
 * not by a pass over the values.
 */
export function histogramSorted(sorted: Float64Array, edges: Float64Array): Float64Array {
  const bins = edges.length - 1;
  const counts = new Float64Array(bins);
  let below = lowerBound(sorted, edges[0]);
  for (let b = 0; b < bins; b++) {
    const upTo = b === bins - 1 ? upperBound(sorted, edges[bins]) : lowerBound(sorted, edges[b + 1]);
    counts[b] = Math.max(0, upTo - below);
    below = Math.max(below, upTo);
  }
  return counts;
}

/**
 * histogramSorted for values given as ascending distinct `keys` with their `counts`: the same bins,
 * the same arithmetic (the bounds are counts of values below / up to each edge).
 */
export function histogramCounted(keys: Float64Array, counts: Float64Array, edges: Float64Array): Float64Array {
  // below[k]: how many values are at keys before k.
  const below = new Float64Array(keys.length + 1);
  for (let k = 0; k < keys.length; k++) below[k + 1] = below[k] + counts[k];
  const bins = edges.length - 1;
  const out = new Float64Array(bins);
  let from = below[lowerBound(keys, edges[0])];
  for (let b = 0; b < bins; b++) {
    const upTo = b === bins - 1 ? below[upperBound(keys, edges[bins])] : below[lowerBound(keys, edges[b + 1])];
    out[b] = Math.max(0, upTo - from);
    from = Math.max(from, upTo);
  }
  return out;
}

/** Evidently's get_binned_data: shares per bin (numerical, > 20 reference values) or per value. */
export function binnedShares(pair: ColumnPair, fillZeros: boolean): { ref: Float64Array; cur: Float64Array; bins: number } {
  let ref: Float64Array;
  let cur: Float64Array;
  if (pair.kind === 'numerical' && pair.uniqueRef() > 20) {
    const s = pair.sorted();
    const min = Math.min(s.ref[0], s.cur[0]);
    const max = Math.max(s.ref[s.ref.length - 1], s.cur[s.cur.length - 1]);
    const edges = sturgesEdges(min, max, s.ref.length + s.cur.length, pair.ref.integerDtype && pair.cur.integerDtype);
    ref = histogramSorted(s.ref, edges).map((c) => c / s.ref.length);
    cur = histogramSorted(s.cur, edges).map((c) => c / s.cur.length);
  } else {
    const u = pair.union();
    const nRef = pair.nRef;
    const nCur = pair.nCur;
    ref = u.ref.map((c) => c / nRef);
    cur = u.cur.map((c) => c / nCur);
  }
  if (fillZeros) {
    fillZeroShares(ref);
    fillZeroShares(cur);
  }
  return { ref, cur, bins: ref.length };
}

/** Evidently's zero fill: empty bins get min_nonzero/1e6 (if min_nonzero ≤ 1e-4) else 1e-4; no renormalising. */
export function fillZeroShares(shares: Float64Array): void {
  let minNonZero = Infinity;
  for (const s of shares) if (s !== 0 && s < minNonZero) minNonZero = s;
  const fill = minNonZero <= 0.0001 ? minNonZero / 1e6 : 0.0001;
  for (let i = 0; i < shares.length; i++) if (shares[i] === 0) shares[i] = fill;
}
