/**
 * Whole numbers with thousands separators ("1,234,567"), as `toLocaleString('en-US')` writes them, without
 * it: the first `toLocaleString` of a process loads ICU's locale data — ~20 ms of CPU, measured on the drift
 * CLI's first progress line and on the homogeneity note, both on the main thread while it reads or tests.
 */
export function groupDigits(n: number): string {
  if (!Number.isSafeInteger(n)) return String(n);
  const digits = String(Math.abs(n));
  let out = '';
  for (let end = digits.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + digits.slice(Math.max(0, end - 3), end) + out;
  return n < 0 ? `-${out}` : out;
}
