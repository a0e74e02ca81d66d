/**
 * A float64 as pandas' `to_csv` writes it: numpy's repr, i.e. Python's `repr(float)` — the shortest
 * digits that round-trip (up to 17 significant), scientific when the decimal exponent is < -4 or
 * ≥ 16 with at least two exponent digits (`1e-05`, `1.5e+16`), and `.0` on integral values.
 * JavaScript's `toExponential()` without an argument gives the same shortest digits.
 */
export function pandasFloat(x: number): string {
  if (Number.isNaN(x)) return '';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (e < -4 || e >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  const whole = digits.slice(0, e + 1).padEnd(e + 1, '0');
  const fraction = digits.slice(e + 1);
  return `${sign}${whole}.${fraction || '0'}`;
}
