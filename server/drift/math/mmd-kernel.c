/*
 * The MMD permutation test's numeric core (mmd.ts), compiled to WebAssembly (scripts/build-wasm.mjs
 * writes the module into mmd-kernel-wasm.ts; mmd-wasm.ts runs it). The same arithmetic as mmd.ts's
 * JavaScript, step for step — squared distances summed column by column, the median heuristic, the
 * kernel rounded to float32, the same seeded shuffles (mulberry32), the sums in the same order, and
 * exp() computed as V8's Math.exp computes it (fdlibm's method, written out below) — so the result
 * is the JavaScript path's, bit for bit (test/drift/mmd-wasm.test.ts checks it).
 *
 * Why a module for it: the test runs once per check, in a freshly started worker thread, so its loops
 * (~2.5M multiply-adds for the distances, 320k exp, 100 permutations summing ~80k kernel values each
 * on 400 + 400 rows) ran mostly unoptimised in JavaScript: ~85 ms of a 0.45 s check. Compiled code
 * runs them at full speed from the first call.
 *
 * Built freestanding: no libc, no allocation; the caller lays out every buffer (mmd-wasm.ts).
 */
typedef unsigned int u32;
typedef unsigned long long u64;

static inline u64 bits_of(double x) {
  union { double d; u64 u; } v = { x };
  return v.u;
}
static inline double double_of(u64 u) {
  union { u64 u; double d; } v = { u };
  return v.d;
}

/*
 * e^x as fdlibm's e_exp.c (Sun Microsystems, 1993) computes it, which is what V8's Math.exp runs
 * (src/base/ieee754.cc): x = k·ln2 + r with ln2 split in two (hi has trailing zeros, so k·hi is
 * exact), then e^r from a degree-5 minimax polynomial in r² via a Remez-style rational form, then 2^k
 * added to the exponent. Callers here pass x ≤ 0 only, but every branch is kept so the function is
 * the whole of Math.exp (the test compares them on all kinds of arguments).
 *
 * The method and its constants are fdlibm's, whose notice goes with them:
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunSoft, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted, provided that this
 *   notice is preserved.
 */
static double fdlibm_exp(double x) {
  const double ln2_hi = double_of(0x3fe62e42fee00000ull);
  const double ln2_lo = double_of(0x3dea39ef35793c76ull);
  const double inv_ln2 = double_of(0x3ff71547652b82feull);
  const double p1 = double_of(0x3fc555555555553eull);
  const double p2 = double_of(0xbf66c16c16bebd93ull);
  const double p3 = double_of(0x3f11566aaf25de2cull);
  const double p4 = double_of(0xbebbbd41c5d26bf1ull);
  const double p5 = double_of(0x3e66376972bea4d0ull);
  const double over = double_of(0x40862e42fefa39efull);  /* 709.78…: larger overflows */
  const double under = double_of(0xc0874910d52d3051ull); /* -745.13…: smaller underflows to 0 */
  const double two_m1000 = double_of(0x0170000000000000ull);
  const double huge = 1.0e300;

  u64 b = bits_of(x);
  u32 hx = (u32)(b >> 32);
  int negative = (int)(hx >> 31);
  hx &= 0x7fffffff;
  if (hx >= 0x40862e42) { /* |x| ≥ 709.78… */
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | (u32)b) != 0) return x + x; /* NaN */
      return negative ? 0.0 : x;                         /* e^±inf */
    }
    if (x > over) return huge * huge;
    if (x < under) return two_m1000 * two_m1000;
  }
  double hi = 0, lo = 0;
  int k = 0;
  if (hx > 0x3fd62e42) { /* |x| > ln2 / 2 */
    if (hx < 0x3ff0a2b2) { /* and |x| < 1.5 ln2 */
      if (x == 1.0) return double_of(0x4005bf0a8b145769ull); /* V8 returns Math.E here (the steps below miss its last bit) */
      hi = negative ? x + ln2_hi : x - ln2_hi;
      lo = negative ? -ln2_lo : ln2_lo;
      k = negative ? -1 : 1;
    } else {
      k = (int)(inv_ln2 * x + (negative ? -0.5 : 0.5));
      double t = k;
      hi = x - t * ln2_hi;
      lo = t * ln2_lo;
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) { /* |x| < 2^-28 */
    return 1.0 + x;
  }
  double t = x * x;
  double c = x - t * (p1 + t * (p2 + t * (p3 + t * (p4 + t * p5))));
  if (k == 0) return 1.0 - ((x * c) / (c - 2.0) - x);
  double y = 1.0 - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) return double_of(bits_of(y) + ((u64)(long long)k << 52));
  return double_of(bits_of(y) + ((u64)(long long)(k + 1000) << 52)) * two_m1000;
}

__attribute__((export_name("exp"))) double wasm_exp(double x) { return fdlibm_exp(x); }

/* mulberry32, as server/model/samples.ts's seededRandom: the same stream for the same seed. */
static u32 rng_state;
static double next_random(void) {
  rng_state += 0x6d2b79f5u;
  u32 t = rng_state;
  t = (t ^ (t >> 15)) * (t | 1u);
  t ^= t + (t ^ (t >> 7)) * (t | 61u);
  return (double)(t ^ (t >> 14)) / 4294967296.0;
}

/* The k-th smallest of values[0, n) (0-based), reordering them: mmd.ts's selectKth, the same pivots. */
static double select_kth(double *values, int n, int kth) {
  int lo = 0, hi = n - 1;
  while (hi > lo) {
    double pivot = values[(u32)(lo + hi) >> 1];
    int i = lo, j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        double t = values[i];
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

/*
 * Unbiased MMD² when X is rows order[0, m) and Y the rest: mmd.ts's mmd2 — the pairs within X summed
 * row by row of the packed triangle, X's members in ascending order, the other sums from the row sums.
 */
static double mmd2(const float *K, int n, const int *order, int m, const double *row_sums, double pair_total, unsigned char *in_x, int *xs) {
  for (int i = 0; i < n; i++) in_x[i] = 0;
  for (int a = 0; a < m; a++) in_x[order[a]] = 1;
  int used = 0;
  for (int i = 0; i < n; i++)
    if (in_x[i]) xs[used++] = i;
  double xx = 0, rows = 0;
  for (int a = 0; a < m; a++) {
    int i = xs[a];
    const float *row = K + ((long)i * n - (long)i * (i + 1) / 2 - i - 1);
    double s = 0;
    for (int b = a + 1; b < m; b++) s += row[xs[b]];
    xx += s;
    rows += row_sums[i];
  }
  double xy = rows - 2 * xx;
  double yy = pair_total - xx - xy;
  int k = n - m;
  return (2 * xx) / ((double)m * (m - 1)) + (2 * yy) / ((double)k * (k - 1)) - (2 * xy) / ((double)m * k);
}

/*
 * The squared distance between rows i and j of `all`: summed column by column, as mmd.ts sums it (the
 * same doubles each time it is called).
 */
static inline double distance2(const double *all, int width, int i, int j) {
  double s = 0;
  for (int c = 0; c < width; c++) {
    double d = all[i * width + c] - all[j * width + c];
    s += d * d;
  }
  return s;
}

/*
 * The test on the pooled, standardised sample `all` (n rows × width, the first m rows the reference),
 * in stages the caller runs one after another (mmd-wasm.ts): `begin`, `distances` over every row range,
 * `bandwidth`, `kernel` over every row range, `observe`, then `permute` until all permutations are done.
 * Buffers (the caller's): d2 holds n(n−1)/2 doubles — the squared distances, reordered by the median's
 * selection, then the kernel as float32 over its first half —; row_sums n doubles; order and xs n ints;
 * in_x n bytes.
 *
 * Why stages, not one call: V8 runs a WebAssembly function first as quickly compiled baseline code
 * (Liftoff) and swaps in optimised code only for the calls made after it found the function hot — one
 * call doing all the work ran the whole test in baseline code (~27 ms instead of ~15 ms on 400 + 400
 * rows). Row ranges and batches of permutations in several calls get the optimised code from the
 * second or third call on; the arithmetic and its order are unchanged (running sums go on across calls).
 *
 * The distances are computed twice (for the median, then for the kernel) rather than kept in a second
 * buffer: the test runs once per check in a worker whose memory is new, and on the machines measured a
 * first touch of a 4 KiB page costs ~10 µs — the second 2.5 MB buffer cost more than the 2.5M
 * multiply-adds it saved.
 */
static const double *t_all;
static int t_n, t_width, t_m;
static double *t_d2, *t_row_sums;
static int *t_order, *t_xs;
static unsigned char *t_in_x;
static double t_scale, t_pair_total, t_observed;
static int t_at_least;

/* Pair (i, j), i < j, in the packed upper triangle: the pairs of rows before i, then j − i − 1. */
static inline long pair_index(int n, int i, int j) { return (long)i * n - (long)i * (i + 1) / 2 + (j - i - 1); }

__attribute__((export_name("begin"))) void begin(const double *all, int n, int width, int m, double *d2, double *row_sums, int *order,
                                                  int *xs, unsigned char *in_x) {
  t_all = all;
  t_n = n;
  t_width = width;
  t_m = m;
  t_d2 = d2;
  t_row_sums = row_sums;
  t_order = order;
  t_xs = xs;
  t_in_x = in_x;
}

/* The squared distances of rows [i0, i1) to every later row. */
__attribute__((export_name("distances"))) void distances(int i0, int i1) {
  for (int i = i0; i < i1; i++) {
    long u = pair_index(t_n, i, i + 1);
    for (int j = i + 1; j < t_n; j++) t_d2[u++] = distance2(t_all, t_width, i, j);
  }
}

/* The median heuristic: σ² = median squared distance / 2. Returns σ; the kernel's sums start over. */
__attribute__((export_name("bandwidth"))) double bandwidth(void) {
  long pairs = (long)t_n * (t_n - 1) / 2;
  double median = select_kth(t_d2, (int)pairs, (int)(pairs / 2));
  if (!(median != 0)) median = 1; /* mmd.ts: `|| 1` (0 or NaN) */
  double sigma = __builtin_sqrt(median / 2);
  t_scale = -1 / (2 * sigma * sigma);
  for (int i = 0; i < t_n; i++) t_row_sums[i] = 0;
  t_pair_total = 0;
  return sigma;
}

/* The kernel of rows [i0, i1) with every later row, over the distances it no longer needs; row sums and total go on. */
__attribute__((export_name("kernel"))) void kernel(int i0, int i1) {
  float *K = (float *)t_d2;
  double pair_total = t_pair_total;
  for (int i = i0; i < i1; i++) {
    long u = pair_index(t_n, i, i + 1);
    for (int j = i + 1; j < t_n; j++) {
      float v = (float)fdlibm_exp(distance2(t_all, t_width, i, j) * t_scale);
      K[u++] = v;
      t_row_sums[i] += v;
      t_row_sums[j] += v;
      pair_total += v;
    }
  }
  t_pair_total = pair_total;
}

/* The observed MMD² (the reference rows first); the permutations then draw from mulberry32(seed). */
__attribute__((export_name("observe"))) double observe(u32 seed) {
  for (int i = 0; i < t_n; i++) t_order[i] = i;
  t_observed = mmd2((const float *)t_d2, t_n, t_order, t_m, t_row_sums, t_pair_total, t_in_x, t_xs);
  rng_state = seed;
  t_at_least = 0;
  return t_observed;
}

/* `count` more permutations; returns how many of all so far gave an MMD² at least the observed one. */
__attribute__((export_name("permute"))) int permute(int count) {
  const float *K = (const float *)t_d2;
  int n = t_n;
  for (int p = 0; p < count; p++) {
    for (int i = n - 1; i > 0; i--) {
      int j = (int)(next_random() * (i + 1));
      int t = t_order[i];
      t_order[i] = t_order[j];
      t_order[j] = t;
    }
    if (mmd2(K, n, t_order, t_m, t_row_sums, t_pair_total, t_in_x, t_xs) >= t_observed) t_at_least++;
  }
  return t_at_least;
}
