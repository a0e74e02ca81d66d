/**
 * Correctly rounded parsing of decimals whose digits do not fit a double exactly — the 17-digit
 * floats pandas' `to_csv` writes (`-0.8019314252534474` is 16 digits, `1.2345678901234567` 17), which
 * fall outside Clinger's fast path (mantissa < 2^53) and used to go through `Number()` on a string.
 *
 * Method (all in double arithmetic, no BigInt, no string): the ≤ 19-digit mantissa w is held exactly
 * as a sum of two doubles (Dekker's exact product of its first 15 digits by 10^k, plus the last k ≤ 4
 * digits); the value w · 10^q (|q| ≤ 22, so 10^|q| is an exact double) is computed as a double-double
 * q1 + q2 whose error is far below 2^-40 ulp; rounding q1 + q2 to a double (one IEEE addition) then gives
 * the correctly rounded value unless the exact sum lies within that error of a half-way point between
 * two doubles — then, and for anything outside the ranges above, the caller falls back to `Number()`.
 * This is the classic "fast path with an error bound" (as in Gay's strtod or fast_float's Eisel–Lemire
 * step, which also gives up on the rare ambiguous cases); the test checks it bit for bit against
 * `Number()` on millions of decimals, half-way cases included.
 */

/** 10^0 … 10^22: every one an exact double. */
const POW10 = Float64Array.from({ length: 23 }, (_, i) => 10 ** i);
/** Veltkamp's splitting constant 2^27 + 1: a = hi + lo with both halves 26 bits, so hi·hi' is exact. */
const SPLIT = 134217729;
const POW10_HI = POW10.map((p) => {
  const c = SPLIT * p;
  return c - (c - p);
});
const POW10_LO = POW10.map((p, i) => p - POW10_HI[i]);

/** A scratch double viewed as two 32-bit words (little-endian: [1] holds sign, exponent, top mantissa bits). */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** The low part of the exact product a·b (a·b = fl(a·b) + result), by Dekker's algorithm. */
function productError(a: number, b: number, bHi: number, bLo: number, p: number): number {
  const c = SPLIT * a;
  const aHi = c - (c - a);
  const aLo = a - aHi;
  return aHi * bHi - p + aHi * bLo + aLo * bHi + aLo * bLo;
}

/** POW2[e] = 2^(e − 1075): half an ulp of a double whose biased exponent is e + 1. */
const POW2 = Float64Array.from({ length: 2047 }, (_, e) => 2 ** (e - 1075));

/** Not decided by the fast path (out of range, > 19 digits, or too close to a half-way point). */
export const UNDECIDED = -1;

/**
 * |w · 10^scale| correctly rounded, where w = head · 10^tailDigits + tail is the decimal mantissa:
 * `head` its first 15 significant digits (10^14 ≤ head < 10^15), `tail` the 1–4 digits after them.
 * UNDECIDED (a negative number, which a magnitude never is) when the caller must use `Number()`.
 */
export function parseLongDecimal(head: number, tail: number, tailDigits: number, scale: number): number {
  return longDecimalInto(head, tail, tailDigits, scale) ? LONG_DECIMAL[0] : UNDECIDED;
}

/** Where `longDecimalInto` puts its result: a double returned from a call is boxed (a heap object per cell). */
export const LONG_DECIMAL = new Float64Array(1);

/**
 * `parseLongDecimal` that writes the magnitude to LONG_DECIMAL[0] and returns true, or returns false (undecided).
 * (The WebAssembly fast path, fast-rows.c, reads such numbers by the Eisel–Lemire method instead; both are
 * correctly rounded, so both give Number()'s double — test/drift/fast-rows.test.ts holds them equal.)
 */
export function longDecimalInto(head: number, tail: number, tailDigits: number, scale: number): boolean {
  if (scale < -22 || scale > 22 || tailDigits > 4) return false;
  // wh + wl = w exactly: wh = fl(head · 10^k) and its exact error, plus the tail (small integers).
  const k = tailDigits;
  const wh = head * POW10[k];
  const wl = productError(head, POW10[k], POW10_HI[k], POW10_LO[k], wh) + tail;
  // An integer: wh + wl is exact, so one IEEE addition rounds it correctly, ties to even included.
  if (scale === 0) {
    LONG_DECIMAL[0] = wh + wl;
    return true;
  }
  let q1: number;
  let q2: number;
  if (scale > 0) {
    // w · D = wh·D (exact as p + e) + wl·D (one rounding, far below ulp(p)).
    const d = POW10[scale];
    q1 = wh * d;
    q2 = productError(wh, d, POW10_HI[scale], POW10_LO[scale], q1) + wl * d;
  } else {
    // w / D = q1 + r / D, with r = w − q1·D computed from exact pieces: wh − fl(q1·D) is exact
    // (Sterbenz: the two are within a factor 2), the rest are small.
    const d = POW10[-scale];
    q1 = wh / d;
    const p = q1 * d;
    const pErr = productError(q1, d, POW10_HI[-scale], POW10_LO[-scale], p);
    q2 = (wh - p - pErr + wl) / d;
  }
  // One correctly rounded addition, and its exact error t (Fast2Sum: |q2| is below ulp(q1) here).
  const x = q1 + q2;
  const t = q2 - (x - q1);
  f64[0] = x;
  const high = u32[1];
  const low = u32[0]; // read here, not only in the rare branch below (a first read there deoptimised the parser)
  const biased = (high >>> 20) & 0x7ff;
  // A power of two has a closer neighbour below than above: leave it to Number() (rare).
  if ((high & 0xfffff) === 0 && low === 0) return false;
  // ulp(x) = 2^(biased − 1075) for a normal x (every result here is between 1e-22 and 1e41).
  const halfUlp = POW2[biased - 1];
  const margin = t < 0 ? -t : t;
  // |exact − (q1 + q2)| < 2^-42 ulp(x) (error analysis: a few roundings of terms ≤ ~200 ulp(q1)·10^|scale|);
  // with a wide safety factor, decided unless q1 + q2 is within 2^-21 ulp(x) of x ± ulp/2.
  if (margin > halfUlp - halfUlp * 2 ** -20) return false;
  LONG_DECIMAL[0] = x;
  return true;
}
