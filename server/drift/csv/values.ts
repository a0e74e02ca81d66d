/**
 * Cell classification the way pandas.read_csv does it by default: its NA strings become missing,
 * numbers (including `inf`) parse as float64, everything else is text.
 */

import { LONG_DECIMAL, longDecimalInto } from './long-decimal';

/** pandas' default `na_values` (plus the empty field). fast-rows.c has the same list: change both together. */
export const MISSING_TOKENS = new Set([
  '',
  '#N/A',
  '#N/A N/A',
  '#NA',
  '-1.#IND',
  '-1.#QNAN',
  '-NaN',
  '-nan',
  '1.#IND',
  '1.#QNAN',
  '<NA>',
  'N/A',
  'NA',
  'NULL',
  'NaN',
  'None',
  'n/a',
  'nan',
  'null',
]);

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];
const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;
const INFINITY_TEXT = /^\s*([+-]?)(inf|infinity)\s*$/i;

/**
 * Whether the last number `parseNumberBytes` returned was written as an integer (no `.`, no
 * exponent): tells pandas' int64 columns from float64. A module variable rather than a result object
 * so the per-cell call returns a plain number.
 */
export let lastWasIntegerLiteral = false;

/** Where the number `scanNumber` last read ended (the first byte after it). A module variable, like the next one. */
export let scanEnd = 0;

/**
 * Parses buf[start, end) as a decimal number without making a string in the common case.
 * Returns NaN for text and for empty cells (a real number never parses to NaN: `nan`/`NaN` are
 * missing tokens, which are text here).
 */
export function parseNumberBytes(buf: Buffer, start: number, end: number): number {
  const v = scanNumber(buf, start, end);
  if (v === v && scanEnd === end) return v;
  return parseNumberText(buf.toString('latin1', start, end));
}

/**
 * Reads the number that starts at buf[start] and ends before `limit` or at the first byte that cannot
 * continue it (its end goes to `scanEnd`): the tokenizer calls this on a numeric column's field before
 * it knows where the field ends, so the bytes are read once. NaN when no number starts there (no digit,
 * or an exponent marker without digits) — the caller then treats the field as text.
 * The digits are read once: the first 15 significant ones into `head` (exact: < 10^15 < 2^53), any
 * further ones into `tail` (`tailDigits` of them). Then:
 * - up to 15 digits, or a longer mantissa that is still below 2^53, and |exponent| ≤ 22: Clinger's
 *   fast path, exact with one multiply or divide by an exactly representable power of ten;
 * - 16–19 digits (pandas writes up to 17) and |exponent| ≤ 22: the double-double path of
 *   long-decimal.ts, correctly rounded;
 * - anything else (or a near-tie that path leaves undecided): `Number()`, which is correctly rounded.
 * fast-rows.c (the WebAssembly fast path for plain rows) takes the same spellings (change both together)
 * and reads them correctly rounded too (Clinger, then Eisel–Lemire): the same doubles —
 * test/drift/fast-rows.test.ts holds them bit for bit equal.
 */
export function scanNumber(buf: Buffer, start: number, limit: number): number {
  const kind = scanNumberInto(buf, start, limit, SCANNED, 0);
  if (kind === NOT_A_NUMBER) return NaN;
  lastWasIntegerLiteral = kind === INTEGER_LITERAL;
  return SCANNED[0];
}

const SCANNED = new Float64Array(1);
/** What `scanNumberInto` found. */
export const NOT_A_NUMBER = 0;
export const DECIMAL_LITERAL = 1;
export const INTEGER_LITERAL = 2;

/**
 * `scanNumber` that writes the number to out[slot] and returns NOT_A_NUMBER, DECIMAL_LITERAL or
 * INTEGER_LITERAL (written without `.` or exponent). The tokenizer's form: a double returned from a
 * call that is not inlined is boxed, one short-lived heap object per cell (~22 MB per 200k × 7 file).
 */
export function scanNumberInto(buf: Buffer, start: number, limit: number, out: Float64Array, slot: number): number {
  let i = start;
  scanEnd = start;
  if (i >= limit) return NOT_A_NUMBER;
  let negative = false;
  let c = buf[i];
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d;
    i++;
  }
  let head = 0;
  let tail = 0;
  let tailDigits = 0;
  let scale = 0;
  let integerLiteral = true;
  const intStart = i;
  for (; i < limit; i++) {
    c = buf[i] - 0x30;
    if (c >>> 0 > 9) break; // not a digit (negative wraps around)
    // head < 10^14 has room for one more digit within 15; leading zeros keep it 0.
    if (head < 1e14) head = head * 10 + c;
    else {
      tail = tail * 10 + c;
      tailDigits++;
    }
  }
  let sawDigit = i > intStart;
  if (i < limit && buf[i] === 0x2e) {
    integerLiteral = false;
    i++;
    const fracStart = i;
    for (; i < limit; i++) {
      c = buf[i] - 0x30;
      if (c >>> 0 > 9) break; // not a digit (negative wraps around)
      if (head < 1e14) head = head * 10 + c;
      else {
        tail = tail * 10 + c;
        tailDigits++;
      }
    }
    scale = fracStart - i;
    sawDigit ||= i > fracStart;
  }
  if (!sawDigit) return NOT_A_NUMBER;
  if (i < limit && (buf[i] === 0x65 || buf[i] === 0x45)) {
    integerLiteral = false;
    i++;
    let expNegative = false;
    if (i < limit && (buf[i] === 0x2d || buf[i] === 0x2b)) {
      expNegative = buf[i] === 0x2d;
      i++;
    }
    let exponent = 0;
    const expStart = i;
    for (; i < limit; i++) {
      c = buf[i] - 0x30;
      if (c >>> 0 > 9) break; // not a digit (negative wraps around)
      exponent = exponent * 10 + c;
    }
    if (i === expStart) return NOT_A_NUMBER;
    scale += expNegative ? -exponent : exponent;
  }
  scanEnd = i;
  const kind = integerLiteral ? INTEGER_LITERAL : DECIMAL_LITERAL;
  if (scale >= -22 && scale <= 22 && tailDigits <= 4) {
    // head · 10^k + tail is exact while it stays below 2^53 (each step then is).
    const mantissa = tailDigits === 0 ? head : head * POW10[tailDigits] + tail;
    if (mantissa <= Number.MAX_SAFE_INTEGER) {
      // Clinger's fast path: an exact mantissa, one correctly rounded multiply/divide by an exact power of ten.
      const magnitude = scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
      out[slot] = negative ? -magnitude : magnitude;
      return kind;
    }
    // 16–19 significant digits, more than a double holds exactly: the double-double path.
    if (longDecimalInto(head, tail, tailDigits, scale)) {
      const magnitude = LONG_DECIMAL[0];
      out[slot] = negative ? -magnitude : magnitude;
      return kind;
    }
  }
  out[slot] = Number(buf.toString('latin1', start, i));
  return kind;
}

// Parse a few spellings at load, a dozen times (V8 keeps type feedback from a function's ~8th call on):
// each path of scanNumberInto then has feedback when the tokenizer's first rows get it optimised. Without
// it the first number with an exponent (pandas writes 1.2345e-05), deep in a file, deoptimised the parser
// and it ran unoptimised again for a while.
{
  const spellings = Buffer.from('-0.8019314252534474,1.0000000000000002,12,-7.5e-05,3E+2,1e,x,123456789012345678901,');
  const out = new Float64Array(1);
  for (let k = 0; k < 12; k++) {
    for (let i = 0; i < spellings.length; i = scanEnd + 1) {
      scanNumberInto(spellings, i, spellings.length, out, 0);
      if (spellings[scanEnd] !== 0x2c) scanEnd = spellings.indexOf(0x2c, i);
    }
  }
  lastWasIntegerLiteral = false;
}

/** Slow path: surrounding spaces, `inf`, or not a number at all. */
function parseNumberText(text: string): number {
  if (NUMBER_TEXT.test(text)) {
    lastWasIntegerLiteral = !/[.eE]/.test(text);
    return Number(text);
  }
  const inf = INFINITY_TEXT.exec(text);
  if (inf) {
    lastWasIntegerLiteral = false;
    return inf[1] === '-' ? -Infinity : Infinity;
  }
  return NaN;
}
