/** Data-quality facts shown next to the drift verdicts, and the small histogram a report draws. */
import type { ColumnPair } from './pair';
import { histogramCounted, histogramSorted, lowerBound, sturgesEdges, upperBound } from './stattests/binning';
import type { ColumnHistogram, ColumnQuality } from './report/types';

export function columnQuality(pair: ColumnPair, typeChange: string | null): ColumnQuality {
  const refMissingShare = pair.ref.rows ? pair.ref.missing / pair.ref.rows : 0;
  const curMissingShare = pair.cur.rows ? pair.cur.missing / pair.cur.rows : 0;
  let outOfRangeShare: number | null = null;
  const newCategories: string[] = [];
  let newCategoryCount = 0;
  if (pair.countsOnly()) {
    const u = pair.union();
    const lo = firstPresent(u.ref);
    const hi = lastPresent(u.ref);
    if (lo >= 0 && pair.nCur > 0) {
      // The keys ascend: the current values outside the reference's [min, max] are those of the keys outside.
      let outside = 0;
      for (let i = 0; i < u.keys.length; i++) if (i < lo || i > hi) outside += u.cur[i];
      outOfRangeShare = outside / pair.nCur;
    }
  } else if (pair.kind === 'numerical') {
    const { ref, cur } = pair.sorted();
    if (ref.length && cur.length) {
      const lo = ref[0];
      const hi = ref[ref.length - 1];
      // Both sorted: the values outside [lo, hi] are a prefix and a suffix.
      outOfRangeShare = (lowerBound(cur, lo) + cur.length - upperBound(cur, hi)) / cur.length;
    }
  } else {
    for (const k of pair.cur.categories.keys()) {
      if (pair.ref.categories.has(k)) continue;
      newCategoryCount++;
      if (newCategories.length < 20) newCategories.push(k);
    }
  }
  return {
    missingShareChange: curMissingShare - refMissingShare,
    outOfRangeShare,
    newCategories,
    newCategoryCount,
    typeChange,
    constantInReference: pair.isConstant('ref'),
    constantInCurrent: pair.isConstant('cur'),
    rowNumbers: holdsRowNumbers(pair),
    identifier:
      pair.kind === 'categorical' &&
      pair.nRef >= 20 &&
      pair.nCur >= 20 &&
      pair.ref.categories.size === pair.nRef &&
      pair.cur.categories.size === pair.nCur,
  };
}

/**
 * Whether each side's values are consecutive whole numbers, each once (0…n−1, 1…n, or a later slice's
 * 1000…2999: `df.iloc[1000:].to_csv()` keeps the index): row numbers, see ColumnQuality.rowNumbers.
 */
function holdsRowNumbers(pair: ColumnPair): boolean {
  if (pair.kind !== 'numerical' || pair.countsOnly() || pair.ref.missing || pair.cur.missing) return false;
  const { ref, cur } = pair.sorted();
  const numbered = (v: Float64Array) => {
    if (v.length < 3 || !Number.isInteger(v[0]) || v[0] < 0 || v[v.length - 1] !== v[0] + v.length - 1) return false;
    for (let i = 1; i < v.length; i++) if (v[i] !== v[0] + i) return false;
    return true;
  };
  return numbered(ref) && numbered(cur);
}

/** At most 30 equal-width bins, or the 20 most frequent categories plus "(other)": small enough to embed. */
export function columnHistogram(pair: ColumnPair): ColumnHistogram {
  if (pair.countsOnly()) {
    const u = pair.union();
    const keys = Float64Array.from(u.keys as number[]);
    const lowest = (counts: Float64Array) => keys[firstPresent(counts)];
    const highest = (counts: Float64Array) => keys[lastPresent(counts)];
    if (!pair.nRef || !pair.nCur) return { edges: [], reference: [], current: [] };
    const min = Math.min(lowest(u.ref), lowest(u.cur));
    const max = Math.max(highest(u.ref), highest(u.cur));
    const edges = histogramEdges(min, max, pair.nRef + pair.nCur);
    const share = (counts: Float64Array, n: number) => Array.from(counts, (c) => c / n);
    return {
      edges: Array.from(edges),
      reference: share(histogramCounted(keys, u.ref, edges), pair.nRef),
      current: share(histogramCounted(keys, u.cur, edges), pair.nCur),
    };
  }
  if (pair.kind === 'numerical') {
    const { ref, cur } = pair.sorted();
    if (!ref.length || !cur.length) return { edges: [], reference: [], current: [] };
    const min = Math.min(ref[0], cur[0]);
    const max = Math.max(ref[ref.length - 1], cur[cur.length - 1]);
    const edges = histogramEdges(min, max, ref.length + cur.length);
    const share = (counts: Float64Array, n: number) => Array.from(counts, (c) => c / n);
    return {
      edges: Array.from(edges),
      reference: share(histogramSorted(ref, edges), ref.length),
      current: share(histogramSorted(cur, edges), cur.length),
    };
  }
  const u = pair.union();
  const order = u.keys.map((_, i) => i).sort((a, b) => u.ref[b] + u.cur[b] - (u.ref[a] + u.cur[a]));
  const top = order.slice(0, 20);
  const rest = order.slice(20);
  const nRef = pair.nRef || 1;
  const nCur = pair.nCur || 1;
  const labels = top.map((i) => String(u.keys[i]));
  const reference = top.map((i) => u.ref[i] / nRef);
  const current = top.map((i) => u.cur[i] / nCur);
  if (rest.length) {
    labels.push(`(other: ${rest.length})`);
    reference.push(rest.reduce((s, i) => s + u.ref[i], 0) / nRef);
    current.push(rest.reduce((s, i) => s + u.cur[i], 0) / nCur);
  }
  return { labels, reference, current };
}

/** Sturges' bins over [min, max], at most 30 (equal width then). */
function histogramEdges(min: number, max: number, n: number): Float64Array {
  const edges = sturgesEdges(min, max, n, false);
  return edges.length > 31 ? Float64Array.from({ length: 31 }, (_, i) => (i === 30 ? max : min + ((max - min) * i) / 30)) : edges;
}

/** Index of the first / last non-zero count (-1 when all are zero). */
function firstPresent(counts: Float64Array): number {
  return counts.findIndex((c) => c > 0);
}
function lastPresent(counts: Float64Array): number {
  for (let i = counts.length - 1; i >= 0; i--) if (counts[i] > 0) return i;
  return -1;
}
