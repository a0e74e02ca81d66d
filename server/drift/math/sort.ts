/**
 * Ascending in-place sorts of a Float64Array (no NaN expected), each giving exactly the order of
 * TypedArray.prototype.sort (-0 before 0 included).
 *
 * `sortFloat64` first spreads the values into n/2 buckets by value (bucket = ⌊(v − min) · buckets /
 * (max − min)⌋, monotone in v because every step is a correctly rounded operation), then finishes with
 * one insertion sort over the whole array, which only moves values within their bucket. For the smooth
 * distributions of real columns a bucket holds a handful of values, so that is three linear passes
 * instead of the radix sort's eight (measured ~3× faster on 200k pandas-written floats). A bucket that
 * caught many values (skewed data, outliers stretching the range) is spread again over its own min..max,
 * and below that sorted by the LSD radix sort — so the worst case stays the radix sort's O(n).
 *
 * The LSD radix sort works on the IEEE-754 bit patterns: 11 bits per pass (6 passes, a 2,048-entry
 * histogram stays in L1), all six histograms counted in one scan, passes whose digit is the same for
 * every value skipped; the scratch is one buffer the size of the input (8 bytes per value), which
 * matters for the 10M-row memory budget.
 */
import { wasmRadixSort } from './wasm-sort';

const BITS = 11;
const RADIX = 1 << BITS;
const MASK = RADIX - 1;

/** Buckets holding more values than this are sorted on their own before the final insertion sort. */
const SMALL_BUCKET = 32;
/** How many times a crowded bucket is spread again before the radix sort takes it. */
const MAX_SPREAD_DEPTH = 2;

/**
 * Sorts `values`. `scratch` (optional) carries buffers from one call to the next (several columns):
 * fresh ones cost page faults and zero-filling on every call. Pass the min and max when known.
 */
export function sortFloat64(values: Float64Array, scratch?: CountsScratch, knownMin?: number, knownMax?: number): Float64Array {
  const n = values.length;
  if (n < 512) return values.sort();
  // Up to 256k values: the WebAssembly radix sort, ~2× the spread sort below (wasm-sort.ts).
  if (wasmRadixSort(values)) return values;
  const [min, max] = knownMin === undefined || knownMax === undefined ? rangeOf(values) : [knownMin, knownMax];
  let copy: Float64Array;
  let starts: Int32Array | null = null;
  if (scratch) {
    if (!scratch.floats || scratch.floats.length < n) scratch.floats = new Float64Array(n);
    copy = scratch.floats.subarray(0, n);
    // A large array is sorted a coarse bucket at a time (coarseSort): offsets for one such bucket are enough.
    const bucketRoom = n > LARGE_SORT ? 2 * COARSE_BUCKET : n >>> 1;
    if (!scratch.buckets || scratch.buckets.length < bucketRoom) scratch.buckets = new Int32Array(bucketRoom);
    starts = scratch.buckets;
  } else {
    copy = new Float64Array(n);
  }
  if (n > LARGE_SORT) coarseSort(values, min, max, copy, starts);
  else spreadSort(values, min, max, copy, 0, starts);
  return values;
}

/** Above this many values the n/2 buckets of spreadSort no longer fit the CPU caches (see coarseSort). */
const LARGE_SORT = 1 << 18;
/** Values per coarse bucket: one bucket, its copy and its bucket offsets fit a core's L2 cache. */
const COARSE_BUCKET = 1 << 14;

/**
 * spreadSort for arrays far larger than the caches (a 10M-row column: 80 MB). Spreading n values over
 * n/2 buckets at once is a random write per value into 80 MB — a cache and TLB miss each, ~5× slower
 * per value than on 200k rows. Instead the values are first split by value into n/16k coarse buckets
 * (a few hundred sequential write streams, which the caches hold), then each bucket is spread-sorted
 * on its own range while it sits in cache. The order is the same: buckets are contiguous and ascending.
 */
function coarseSort(values: Float64Array, min: number, max: number, copy: Float64Array, bucketScratch: Int32Array | null): void {
  const n = values.length;
  const buckets = Math.ceil(n / COARSE_BUCKET);
  const scale = buckets / (max - min);
  if (!(min < max && scale > 0 && scale < Infinity && min > -Infinity && max < Infinity)) {
    spreadSort(values, min, max, copy, 0, bucketScratch);
    return;
  }
  const last = buckets - 1;
  const ends = new Int32Array(buckets);
  countBuckets(values, min, scale, last, ends);
  toStarts(ends);
  copy.set(values);
  scatter(copy, values, min, scale, last, ends);
  for (let b = 0, s = 0; b < buckets; s = ends[b++]) {
    const e = ends[b];
    if (e - s < 2) continue;
    const part = values.subarray(s, e);
    if (e - s < 512) {
      part.sort();
      continue;
    }
    if (wasmRadixSort(part)) continue;
    const [lo, hi] = rangeOf(part);
    spreadSort(part, lo, hi, copy.subarray(0, e - s), 0, bucketScratch);
  }
}

/**
 * Sorts `values` whose range is [min, max] by value buckets (see the top of the file); `copy` is scratch
 * of the same length, `bucketScratch` (optional) room for n/2 bucket offsets.
 */
function spreadSort(
  values: Float64Array,
  min: number,
  max: number,
  copy: Float64Array,
  depth: number,
  bucketScratch: Int32Array | null = null,
): void {
  const n = values.length;
  if (min === max) {
    // All equal as numbers; only ±0 may still need ordering (the built-in order puts -0 first).
    if (min === 0) radixSortFloat64(values, new Uint32Array(copy.buffer, copy.byteOffset, n * 2));
    return;
  }
  const buckets = n >>> 1;
  const scale = buckets / (max - min);
  // ±inf in the data, a range that overflows (scale 0) or is too small to divide by (scale ∞): bits instead.
  if (!(scale > 0 && scale < Infinity && min > -Infinity && max < Infinity)) {
    radixSortFloat64(values, new Uint32Array(copy.buffer, copy.byteOffset, n * 2));
    return;
  }
  const last = buckets - 1;
  // starts[b]: first the count of bucket b, then where it begins, then (after the scatter) where it ends.
  let starts: Int32Array;
  if (bucketScratch && bucketScratch.length >= buckets) {
    starts = bucketScratch.subarray(0, buckets);
    starts.fill(0);
  } else {
    starts = new Int32Array(buckets);
  }
  countBuckets(values, min, scale, last, starts);
  const crowded = toStarts(starts);
  // Skewed values (most of them in a few buckets): spreading would not pay, the radix sort takes them all.
  if (crowded > n >>> 2) {
    radixSortFloat64(values, new Uint32Array(copy.buffer, copy.byteOffset, n * 2));
    return;
  }
  copy.set(values);
  scatter(copy, values, min, scale, last, starts);
  if (crowded > 0) sortCrowded(values, starts, copy, depth);
  insertionSort(values);
}

// The steps of spreadSort, each its own small function: V8 optimises a long loop while it runs (OSR),
// and in one big function each later loop first ran unoptimised and then forced a re-compile.

/** starts[b] = how many values fall in bucket b. */
function countBuckets(values: Float64Array, min: number, scale: number, last: number, starts: Int32Array): void {
  for (let i = 0; i < values.length; i++) {
    const b = ((values[i] - min) * scale) | 0; // ≥ 0 (v ≥ min), at most `buckets` (rounding at max)
    starts[b < last ? (b > 0 ? b : 0) : last]++;
  }
}

/** Turns the counts into where each bucket begins; returns how many values sit in crowded buckets. */
function toStarts(starts: Int32Array): number {
  let crowded = 0;
  let sum = 0;
  for (let b = 0; b < starts.length; b++) {
    const count = starts[b];
    if (count > SMALL_BUCKET) crowded += count;
    starts[b] = sum;
    sum += count;
  }
  return crowded;
}

/** Moves each value of `from` to its bucket in `to`; afterwards starts[b] is where bucket b ends. */
function scatter(from: Float64Array, to: Float64Array, min: number, scale: number, last: number, starts: Int32Array): void {
  for (let i = 0; i < from.length; i++) {
    const v = from[i];
    const b = ((v - min) * scale) | 0;
    to[starts[b < last ? (b > 0 ? b : 0) : last]++] = v;
  }
}

/** Sorts the buckets holding more than SMALL_BUCKET values (`ends` as scatter left it). */
function sortCrowded(values: Float64Array, ends: Int32Array, copy: Float64Array, depth: number): void {
  for (let b = 0; b < ends.length; b++) {
    const s = b === 0 ? 0 : ends[b - 1];
    const e = ends[b];
    if (e - s <= SMALL_BUCKET) continue;
    const part = values.subarray(s, e);
    if (e - s < 512) part.sort();
    else if (depth >= MAX_SPREAD_DEPTH) radixSortFloat64(part, new Uint32Array(copy.buffer, copy.byteOffset, (e - s) * 2));
    else {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < part.length; i++) {
        const v = part[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      spreadSort(part, lo, hi, copy.subarray(0, e - s), depth + 1);
    }
  }
}

/** Insertion sort, linear when every value is already within a few places of where it belongs. -0 goes before 0. */
function insertionSort(a: Float64Array): void {
  for (let i = 1; i < a.length; i++) {
    const x = a[i];
    let j = i;
    if (x === 0 && 1 / x < 0) {
      // -0: also before any +0 (the built-in order).
      while (j > 0 && (a[j - 1] > x || (a[j - 1] === 0 && 1 / a[j - 1] > 0))) {
        a[j] = a[j - 1];
        j--;
      }
    } else {
      while (j > 0 && a[j - 1] > x) {
        a[j] = a[j - 1];
        j--;
      }
    }
    if (j !== i) a[j] = x;
  }
}

/** The LSD radix sort on the bit patterns (see the top of the file); `scratch` holds at least 2n words. */
export function radixSortFloat64(values: Float64Array, scratch?: Uint32Array): Float64Array {
  const n = values.length;
  if (n < 512) return values.sort();
  if (wasmRadixSort(values)) return values;
  const w = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  // Map to unsigned-comparable keys in place: negative → flip all bits, positive → flip the sign bit.
  // (Little-endian: w[2i] is the low word, w[2i+1] the high word.)
  for (let i = 0; i < n; i++) {
    const h = w[2 * i + 1];
    if (h & 0x80000000) {
      w[2 * i + 1] = ~h;
      w[2 * i] = ~w[2 * i];
    } else {
      w[2 * i + 1] = h | 0x80000000;
    }
  }
  const hist = new Uint32Array(6 * RADIX);
  for (let i = 0; i < n; i++) {
    const lo = w[2 * i];
    const hi = w[2 * i + 1];
    hist[lo & MASK]++;
    hist[RADIX + ((lo >>> 11) & MASK)]++;
    hist[2 * RADIX + (((lo >>> 22) | (hi << 10)) & MASK)]++;
    hist[3 * RADIX + ((hi >>> 1) & MASK)]++;
    hist[4 * RADIX + ((hi >>> 12) & MASK)]++;
    hist[5 * RADIX + (hi >>> 23)]++;
  }
  let src = w;
  let dst = scratch && scratch.length >= n * 2 ? scratch.subarray(0, n * 2) : new Uint32Array(n * 2);
  for (let pass = 0; pass < 6; pass++) {
    const off = pass * RADIX;
    if (hist[off + digit(src[0], src[1], pass)] === n) continue;
    let sum = 0;
    for (let d = 0; d < RADIX; d++) {
      const c = hist[off + d];
      hist[off + d] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const lo = src[2 * i];
      const hi = src[2 * i + 1];
      const k = hist[off + digit(lo, hi, pass)]++;
      dst[2 * k] = lo;
      dst[2 * k + 1] = hi;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== w) w.set(src);
  for (let i = 0; i < n; i++) {
    const h = w[2 * i + 1];
    if (h & 0x80000000) {
      w[2 * i + 1] = h & 0x7fffffff;
    } else {
      w[2 * i + 1] = ~h;
      w[2 * i] = ~w[2 * i];
    }
  }
  return values;
}

function digit(lo: number, hi: number, pass: number): number {
  switch (pass) {
    case 0:
      return lo & MASK;
    case 1:
      return (lo >>> 11) & MASK;
    case 2:
      return ((lo >>> 22) | (hi << 10)) & MASK;
    case 3:
      return (hi >>> 1) & MASK;
    case 4:
      return (hi >>> 12) & MASK;
    default:
      return hi >>> 23;
  }
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Counting sort is used when the integer range is at most this (16 MB of counts) and ≤ 8× the values. */
const MAX_COUNT_RANGE = 1 << 22;

/**
 * Sorts values that are all decimals with at most 9 fractional digits (what CSVs usually hold:
 * prices, ages, sensor readings written with a fixed precision) by counting sort on the integers
 * m = v·10^D, several times faster than the radix sort. Exact by construction: every value is checked
 * to round-trip (m / 10^D === v, the same correctly rounded division the parser does) and anything
 * else — or a range too wide to count — falls back to `sortFloat64`. (-0 comes back as 0.) Pass the
 * min and max when known (the reader tracks them) to save a pass. Columns the WebAssembly radix sort
 * takes (up to WASM_SORT_MAX values) go to it instead: in a check's fresh process the counting loops run
 * as cold JavaScript (200k × 10 pair of 4-decimal floats: 0.255 → 0.218 s whole).
 */
export function sortDecimals(values: Float64Array, knownMin?: number, knownMax?: number, scratch?: CountsScratch): Float64Array {
  const n = values.length;
  if (n < 512) return values.sort();
  if (wasmRadixSort(values)) return values; // see above
  const digits = decimalDigits(values);
  if (digits < 0) return sortFloat64(values, scratch, knownMin, knownMax);
  const scale = POW10[digits];
  const [min, max] = knownMin === undefined || knownMax === undefined ? rangeOf(values) : [knownMin, knownMax];
  const lo = Math.round(min * scale);
  const range = Math.round(max * scale) - lo + 1;
  if (!(range <= MAX_COUNT_RANGE && range <= 8 * n + 65536) || Math.abs(lo) > 2 ** 51) return sortFloat64(values, scratch, min, max);
  // One pass: check each value round-trips and count it.
  let counts: Int32Array;
  if (scratch?.counts && scratch.counts.length >= range) {
    counts = scratch.counts.subarray(0, range);
    counts.fill(0);
  } else {
    counts = new Int32Array(range);
    if (scratch) scratch.counts = counts;
  }
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const m = Math.round(v * scale);
    if (m / scale !== v) return sortFloat64(values, scratch, min, max);
    counts[m - lo]++;
  }
  let out = 0;
  for (let k = 0; k < range; k++) {
    let c = counts[k];
    if (c === 0) continue;
    const v = (k + lo) / scale;
    while (c-- > 0) values[out++] = v;
  }
  return values;
}

/** A counts buffer shared by the sorts of several columns (fewer large allocations, less GC). */
export interface CountsScratch {
  counts: Int32Array | null;
  /** sortFloat64's copy of the values and its bucket offsets. */
  floats?: Float64Array | null;
  buckets?: Int32Array | null;
}

/** Smallest D ≤ 9 such that the first values are all m / 10^D for integers m; -1 if none. */
function decimalDigits(values: Float64Array): number {
  const probe = Math.min(values.length, 256);
  for (let d = 0; d < POW10.length; d++) {
    const scale = POW10[d];
    let ok = true;
    for (let i = 0; i < probe && ok; i++) {
      const v = values[i];
      ok = Math.round(v * scale) / scale === v;
    }
    if (ok) return d;
  }
  return -1;
}

/** Smallest and largest value (one scan; done once per column, when the reader did not track them). */
function rangeOf(values: Float64Array): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
