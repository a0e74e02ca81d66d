/**
 * Cell classification the way pandas.read_csv does it by default: its NA strings become missing,
 * numbers (including `inf`) parse as float64, everything else is text.
 */

/** pandas' default `na_values` (plus the empty field). */
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

/**
 * Parses buf[start, end) as a decimal number without making a string in the common case.
 * Fast path (Clinger): a mantissa below 2^53 and |exponent| ≤ 22 is exact with one multiply or
 * divide by an exactly representable power of ten; anything else goes through `Number()`, which is
 * correctly rounded. Returns NaN for text and for empty cells (a real number never parses to NaN:
 * `nan`/`NaN` are missing tokens, which are text here).
 */
export function parseNumberBytes(buf: Buffer, start: number, end: number): number {
  let i = start;
  if (i >= end) return NaN;
  let negative = false;
  let c = buf[i];
  if (c === 0x2d || c === 0x2b) {
    negative = c === 0x2d;
    i++;
  }
  let mantissa = 0;
  let scale = 0;
  let integerLiteral = true;
  const intStart = i;
  for (; i < end; i++) {
    c = buf[i] - 0x30;
    if (c >>> 0 > 9) break; // not a digit (negative wraps around)
    mantissa = mantissa * 10 + c;
  }
  let sawDigit = i > intStart;
  if (i < end && buf[i] === 0x2e) {
    integerLiteral = false;
    i++;
    const fracStart = i;
    for (; i < end; i++) {
      c = buf[i] - 0x30;
      if (c >>> 0 > 9) break; // not a digit (negative wraps around)
      mantissa = mantissa * 10 + c;
    }
    scale = fracStart - i;
    sawDigit ||= i > fracStart;
  }
  if (sawDigit && i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    integerLiteral = false;
    i++;
    let expNegative = false;
    if (i < end && (buf[i] === 0x2d || buf[i] === 0x2b)) {
      expNegative = buf[i] === 0x2d;
      i++;
    }
    let exponent = 0;
    const expStart = i;
    for (; i < end; i++) {
      c = buf[i] - 0x30;
      if (c >>> 0 > 9) break; // not a digit (negative wraps around)
      exponent = exponent * 10 + c;
    }
    if (i === expStart) return parseNumberText(buf.toString('latin1', start, end));
    scale += expNegative ? -exponent : exponent;
  }
  if (!sawDigit || i !== end) return parseNumberText(buf.toString('latin1', start, end));
  lastWasIntegerLiteral = integerLiteral;
  // Clinger's fast path: the digits accumulated exactly (the mantissa never passed 2^53, so every
  // step was exact) and one correctly rounded multiply/divide by an exact power of ten.
  if (mantissa <= Number.MAX_SAFE_INTEGER && scale >= -22 && scale <= 22) {
    const magnitude = scale < 0 ? mantissa / POW10[-scale] : mantissa * POW10[scale];
    return negative ? -magnitude : magnitude;
  }
  return Number(buf.toString('latin1', start, end));
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
