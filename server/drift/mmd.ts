/**
 * Multivariate drift: Maximum Mean Discrepancy two-sample test (as alibi-detect's MMDDrift) on the
 * numerical columns, standardised with the reference sample's mean and std, RBF kernel with the
 * median-heuristic bandwidth (σ² = median squared distance / 2 over the pooled sample), unbiased
 * MMD², permutation p-value (b + 1) / (B + 1), b of the B permutations having MMD² ≥ the observed one.
 */
import type { MmdResult } from '../protocol/drift';
import { mulberry32 } from './math/random';
import { wasmMmd } from './math/mmd-wasm';

export type { MmdResult };

/** `ref` and `cur` are row-major samples with `width` values per row (rows with a non-finite value are dropped). */
export function mmdTest(
  columns: string[],
  ref: Float64Array,
  cur: Float64Array,
  options: { permutations?: number; alpha?: number; seed?: number } = {},
): MmdResult | null {
  const width = columns.length;
  const a = completeRows(ref, width);
  const b = completeRows(cur, width);
  const m = a.length / Math.max(width, 1);
  const k = b.length / Math.max(width, 1);
  if (width === 0 || m < 2 || k < 2) return null;
  // Pooled sample, standardised with the reference's mean and std (a constant column is centred only).
  const n = m + k;
  const all = new Float64Array(n * width);
  all.set(a);
  all.set(b, a.length);
  for (let c = 0; c < width; c++) {
    let sum = 0;
    for (let r = 0; r < m; r++) sum += all[r * width + c];
    const mean = sum / m;
    let sq = 0;
    for (let r = 0; r < m; r++) sq += (all[r * width + c] - mean) ** 2;
    const std = Math.sqrt(sq / m) || 1;
    for (let r = 0; r < n; r++) all[r * width + c] = (all[r * width + c] - mean) / std;
  }
  const permutations = options.permutations ?? 100;
  const seed = options.seed ?? 7;
  // The same arithmetic in WebAssembly when it can run (math/mmd-kernel.c: same results, bit for bit).
  const {
    mmd2: observed,
    sigma,
    exceeding: atLeast,
  } = wasmMmd(all, width, m, permutations, seed) ?? permutationTest(all, n, width, m, permutations, seed);
  const alpha = options.alpha ?? 0.05;
  // A permutation p-value counts the observed split as one of the permutations (Phipson & Smyth 2010):
  // (b + 1) / (B + 1), never 0 — with B = 100 the smallest p-value this test can give is 1/101.
  const pValue = (atLeast + 1) / (permutations + 1);
  return {
    columns,
    rowsPerSide: { reference: m, current: k },
    mmd2: observed,
    pValue,
    permutations,
    exceeding: atLeast,
    sigma,
    threshold: alpha,
    drift: pValue < alpha,
  };
}

/**
 * The kernel, the observed MMD² and how many of `permutations` shuffles reach it: the JavaScript twin of
 * math/mmd-kernel.c (which runs instead where WebAssembly can; keep the two the same, step for step).
 */
function permutationTest(
  all: Float64Array,
  n: number,
  width: number,
  m: number,
  permutations: number,
  seed: number,
): { mmd2: number; sigma: number; exceeding: number } {
  // Squared distances over the distinct pairs (i < j, row by row) and the median heuristic over them.
  // The kernel is kept the same way — the packed upper triangle, each pair once — in float32: the
  // permutations stream it 100 times and a quarter of the full float64 matrix's bytes stays in the
  // cache; sums are still accumulated in float64, and the observed statistic and the permuted ones
  // are computed the same way, so the p-value is unaffected by the rounding (mmd2 itself carries
  // ~1e-7 relative error). The distances are computed again for the kernel rather than kept beside
  // the copy the selection reorders, as math/mmd-kernel.c does (there a second buffer of new memory
  // cost more than the arithmetic).
  const distance2 = (i: number, j: number): number => {
    let s = 0;
    for (let c = 0; c < width; c++) {
      const d = all[i * width + c] - all[j * width + c];
      s += d * d;
    }
    return s;
  };
  const K = new Float32Array((n * (n - 1)) / 2);
  const upper = new Float64Array((n * (n - 1)) / 2);
  let u = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) upper[u++] = distance2(i, j);
  // The upper median (element floor(len/2) of the sorted distances), found without a full sort.
  const medianD2 = selectKth(upper, Math.floor(upper.length / 2)) || 1;
  const sigma = Math.sqrt(medianD2 / 2);
  const scale = -1 / (2 * sigma * sigma);
  // Kernel matrix; row sums R_i = Σ_{j≠i} K_ij and the total over pairs are fixed under permutation.
  const rowSums = new Float64Array(n);
  let pairTotal = 0;
  u = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      K[u] = Math.exp(distance2(i, j) * scale);
      const v = K[u++]; // the float32 value, so the fixed sums match what the permutations add
      rowSums[i] += v;
      rowSums[j] += v;
      pairTotal += v;
    }
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const xs = new Int32Array(m);
  const observed = mmd2(K, n, order, m, rowSums, pairTotal, xs);
  const random = mulberry32(seed);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    if (mmd2(K, n, order, m, rowSums, pairTotal, xs) >= observed) atLeast++;
  }
  return { mmd2: observed, sigma, exceeding: atLeast };
}

/** Rows whose values are all finite, concatenated. */
function completeRows(values: Float64Array, width: number): Float64Array {
  const out = new Float64Array(values.length);
  let used = 0;
  for (let r = 0; (r + 1) * width <= values.length; r++) {
    let ok = true;
    for (let c = 0; c < width; c++) if (!Number.isFinite(values[r * width + c])) ok = false;
    if (!ok) continue;
    for (let c = 0; c < width; c++) out[used++] = values[r * width + c];
  }
  return out.subarray(0, used);
}

/**
 * Unbiased MMD² when the first sample is rows order[0..m) and the second the rest. Only the pairs
 * within X are summed (m²/2 work, not n²): with R_i the row sums, Σ_{i∈X} R_i = 2·xx + xy and the pair
 * total T = xx + xy + yy give the other two sums. K is the packed upper triangle (pair i < j at
 * i·n − i(i+1)/2 + j − i − 1).
 */
function mmd2(K: Float32Array, n: number, order: Int32Array, m: number, rowSums: Float64Array, pairTotal: number, xs: Int32Array): number {
  // X's indices in ascending order: each row's pairs with later members of X lie in that row of the
  // triangle, visited front to back.
  xs.set(order.subarray(0, m));
  xs.sort();
  let xx = 0; // Σ over pairs i < j in X
  let rows = 0;
  for (let a = 0; a < m; a++) {
    const i = xs[a];
    const base = i * n - (i * (i + 1)) / 2 - i - 1; // + j: the pair (i, j)
    let s = 0;
    for (let b = a + 1; b < m; b++) s += K[base + xs[b]];
    xx += s;
    rows += rowSums[i];
  }
  const xy = rows - 2 * xx;
  const yy = pairTotal - xx - xy;
  const k = n - m;
  return (2 * xx) / (m * (m - 1)) + (2 * yy) / (k * (k - 1)) - (2 * xy) / (m * k);
}

/** The k-th smallest value (0-based) by quickselect; reorders `values`. */
export function selectKth(values: Float64Array, kth: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (hi > lo) {
    const pivot = values[(lo + hi) >>> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return values[kth];
  }
  return values[kth];
}
