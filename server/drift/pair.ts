/**
 * One column seen in both files, cleaned like Evidently (missing and ±inf dropped), with the derived
 * views the tests share computed once: sorted values, distinct counts, counts over the union of values.
 */
import type { ColumnData, ColumnKind } from './csv/column';
import { sortDecimals } from './math/sort';
import { wasmWalk } from './math/wasm-walk';
import { lowerBound } from './math/bounds';

export type ValueKey = number | string;

/** Counts of each value of the union of both samples (keys in first-seen order, reference first). */
export interface UnionCounts {
  keys: ValueKey[];
  ref: Float64Array;
  cur: Float64Array;
}

/** What one walk over both sorted samples gives (see `mergeSorted`). */
export interface MergedWalk {
  distinct: number;
  wasserstein1: number;
}

/** The worker's answer to a walk job (walk.ts): the walks, and the value arrays handed back. */
export interface WalkResult {
  walked: MergedWalk[];
  pairs: { ref: Float64Array; cur: Float64Array }[];
}

export class ColumnPair {
  private sortedCache: { ref: Float64Array; cur: Float64Array } | null = null;
  private unionCache: UnionCounts | null = null;
  private mergedCache: MergedWalk | null;

  /** `merged`: the walk over this column's sorted samples when it was done already (in the worker: walk.ts). */
  constructor(
    readonly name: string,
    readonly kind: ColumnKind,
    readonly ref: ColumnData,
    readonly cur: ColumnData,
    merged: MergedWalk | null = null,
  ) {
    this.mergedCache = merged;
  }

  /** Cleaned sizes (what Evidently calls len(reference_data) after dropna). */
  get nRef(): number {
    return this.kind === 'numerical' ? this.ref.count : sumCounts(this.ref.categories);
  }
  get nCur(): number {
    return this.kind === 'numerical' ? this.cur.count : sumCounts(this.cur.categories);
  }

  /** Both samples sorted ascending (numerical only). Sorts in place: file order is not needed after reading. */
  sorted(): { ref: Float64Array; cur: Float64Array } {
    if (!this.sortedCache) {
      const sorted = (d: ColumnData) => {
        const values = d.values.subarray(0, d.count);
        if (!d.sorted) sortDecimals(values);
        d.sorted = true;
        return values;
      };
      const ref = sorted(this.ref);
      const cur = sorted(this.cur);
      this.sortedCache = { ref, cur };
    }
    return this.sortedCache;
  }

  /** Distinct values in the reference alone. */
  uniqueRef(): number {
    if (this.kind === 'categorical') return this.ref.categories.size;
    if (this.ref.distinct) return this.ref.distinct.length;
    return countRuns(this.sorted().ref);
  }

  /** Distinct values of reference ∪ current (`n` in Evidently's default choice). */
  uniqueUnion(): number {
    if (this.kind === 'categorical' || this.unionCache) return this.union().keys.length;
    const a = this.ref.distinct;
    const b = this.cur.distinct;
    if (a && b) return new Set([...a, ...b]).size;
    return this.merged().distinct;
  }

  /**
   * One walk over both sorted samples giving what the default path needs: the number of distinct
   * values of the union and the Wasserstein-1 distance ∫|F_ref − F_cur| (scipy's, unnormalised).
   */
  merged(): MergedWalk {
    if (this.mergedCache) return this.mergedCache;
    const { ref: u, cur: v } = this.sorted();
    this.mergedCache = mergeSorted(u, v);
    return this.mergedCache;
  }

  /** Whether a side holds one distinct value only (cheap: no union needed). */
  isConstant(side: 'ref' | 'cur'): boolean {
    const d = side === 'ref' ? this.ref : this.cur;
    if (this.kind === 'categorical') return d.categories.size === 1;
    if (d.distinct) return d.distinct.length === 1;
    return false;
  }

  /**
   * Numerical with a few distinct values on each side (tracked while reading) and not sorted: then the
   * union counts say all the default path needs (sortColumns leaves such columns unsorted).
   */
  countsOnly(): boolean {
    return (
      this.kind === 'numerical' &&
      this.ref.distinct !== null &&
      this.cur.distinct !== null &&
      !this.sortedCache &&
      !(this.ref.sorted && this.cur.sorted)
    );
  }

  /** Value counts over the union of both samples. */
  union(): UnionCounts {
    if (this.unionCache) return this.unionCache;
    if (this.kind === 'categorical') {
      const keys: string[] = [...this.ref.categories.keys()];
      for (const k of this.cur.categories.keys()) if (!this.ref.categories.has(k)) keys.push(k);
      const ref = Float64Array.from(keys, (k) => this.ref.categories.get(k) ?? 0);
      const cur = Float64Array.from(keys, (k) => this.cur.categories.get(k) ?? 0);
      this.unionCache = { keys, ref, cur };
      return this.unionCache;
    }
    // A few distinct values on both sides (flags, counts, ratings — tracked while reading): counted
    // straight from the values, without sorting them or a walk over both.
    if (this.countsOnly()) {
      this.unionCache = countFewValues(this.ref, this.cur);
      return this.unionCache;
    }
    const { ref: r, cur: c } = this.sorted();
    const keys: number[] = [];
    const refCounts: number[] = [];
    const curCounts: number[] = [];
    let i = 0;
    let j = 0;
    while (i < r.length || j < c.length) {
      const v = j >= c.length || (i < r.length && r[i] <= c[j]) ? r[i] : c[j];
      let a = 0;
      let b = 0;
      while (i < r.length && r[i] === v) {
        i++;
        a++;
      }
      while (j < c.length && c[j] === v) {
        j++;
        b++;
      }
      keys.push(v);
      refCounts.push(a);
      curCounts.push(b);
    }
    this.unionCache = { keys, ref: Float64Array.from(refCounts), cur: Float64Array.from(curCounts) };
    return this.unionCache;
  }
}

/**
 * The union counts of two numerical columns whose few distinct values were tracked while reading:
 * the keys ascending (as the walk over sorted values gives them; -0 and 0 are one value, as there),
 * each side's values counted by a search in that short list — the value before is tried first, as
 * such columns repeat values in runs.
 */
export function countFewValues(ref: ColumnData, cur: ColumnData): UnionCounts {
  const keys = Float64Array.from(new Set([...ref.distinct!, ...cur.distinct!])).sort();
  // Two spellings of zero would be two keys here but one run in the walk (=== is true for them): keep the first.
  let unique = 0;
  for (let k = 0; k < keys.length; k++) if (k === 0 || keys[k] !== keys[unique - 1]) keys[unique++] = keys[k];
  const sorted = keys.subarray(0, unique);
  const count = (d: ColumnData) => {
    const counts = new Float64Array(unique);
    // Counted while reading (column.ts): each tracked value's count goes to its key.
    if (d.distinctCounts?.length === d.distinct!.length) {
      d.distinct!.forEach((v, k) => (counts[lowerBound(sorted, v)] += d.distinctCounts![k]));
      return counts;
    }
    const values = d.values;
    let last = 0;
    for (let i = 0; i < d.count; i++) {
      const v = values[i];
      if (v !== sorted[last]) last = lowerBound(sorted, v);
      counts[last]++;
    }
    return counts;
  };
  return { keys: Array.from(sorted), ref: count(ref), cur: count(cur) };
}

/** The distinct values of u ∪ v and the Wasserstein-1 distance ∫|F_u − F_v|, from one walk over both (sorted) samples. */
export function mergeSorted(u: Float64Array, v: Float64Array): MergedWalk {
  // The same walk in WebAssembly when it can run (math/sorted-walk.c: branch-free, same results bit for bit).
  const inWasm = wasmWalk(u, v, firstValue(u, v), u.length + v.length > 0 ? 1 : 0);
  if (inWasm) return inWasm;
  const distinct = walkSorted(u, v);
  return { distinct, wasserstein1: WALK_TOTAL[0] };
}

/** Where walkSorted puts the Wasserstein-1 distance (a double returned from a call would be boxed). */
const WALK_TOTAL = new Float64Array(1);

/**
 * One walk over two sorted samples: returns the number of distinct values of their union and puts the
 * Wasserstein-1 distance ∫|F_u − F_v| (scipy's, unnormalised) in WALK_TOTAL[0]. A function of its own,
 * on typed arrays only: it is small, so V8 optimises it quickly (a CLI run does this walk once per column).
 */
function walkSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  let runs = nu + nv > 0 ? 1 : 0;
  let total = 0;
  let prev = firstValue(u, v);
  // |F_u − F_v| = |i·nv − j·nu| / (nu·nv): the numerator is an exact integer, so the walk needs no
  // division per step; the one division happens at the end. i·nv and j·nu are kept as running sums
  // (exact integers below 2^53) that start as the double -0: int32 products overflowed after ~10^4 steps
  // and each overflow threw the optimised loop away.
  let iNv = -0;
  let jNu = -0;
  // One value per step, from one loop (no tail loops that first run, unoptimised, after the main
  // one): when x is new, i and j count the values below it on each side — the terms and their order
  // are those of a walk over the distinct values (a repeated value would only add 0).
  while (i < nu || j < nv) {
    const a = i < nu ? u[i] : Infinity;
    const b = j < nv ? v[j] : Infinity;
    const fromU = i < nu && a <= b;
    const x = fromU ? a : b;
    if (x !== prev) {
      total += Math.abs(iNv - jNu) * (x - prev);
      prev = x;
      runs++;
    }
    if (fromU) {
      i++;
      iNv += nv;
    } else {
      j++;
      jNu += nu;
    }
  }
  // iNv is now nu·nv (exact): the same divisor as nu * nv, without an int32 product that overflows.
  WALK_TOTAL[0] = nu && nv ? total / iNv : 0;
  return runs;
}

/** Where walkSorted starts: the smaller first value (Math.min: -0 before 0), 0 when both are empty. */
function firstValue(u: Float64Array, v: Float64Array): number {
  return u.length && v.length ? Math.min(u[0], v[0]) : u.length ? u[0] : v.length ? v[0] : 0;
}

// Run on a few values at load, through every branch, a dozen times (V8 keeps type feedback only from
// a function's ~8th call on): the first real walk (400k steps) is then optimised as it runs with
// feedback for every line, instead of deoptimising at a comparison that had not run yet and running
// unoptimised again in the next column's walk (~100 ms each in the CLI on a busy machine, against
// ~6 ms optimised).
const WARM_U = Float64Array.of(-1.5, 0.25, 0.25, 2.5);
const WARM_V = Float64Array.of(-2.5, 0.25, 1.5, 3.5, 4.5);
for (let k = 0; k < 12; k++) walkSorted(WARM_U, WARM_V);

function sumCounts(m: Map<string, number>): number {
  let n = 0;
  for (const v of m.values()) n += v;
  return n;
}

/** Number of distinct values in a sorted array. */
export function countRuns(sorted: Float64Array): number {
  let runs = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) runs++;
  return runs;
}
