/**
 * A float64 as pandas' `to_csv` writes it: numpy's repr, i.e. Python's `repr(float)` — the shortest
 * digits that round-trip (up to 17 significant), scientific when the decimal exponent is < -4 or
 * ≥ 16 with at least two exponent digits (`1e-05`, `1.5e+16`), and `.0` on integral values.
 * JavaScript's `toExponential()` without an argument gives the same shortest digits.
 *
 * Speed matters (the --big benchmark writes 400 million of them): one `toExponential()` and a few
 * slices, no split/replace. Checked against the straightforward version and Python's repr
 * (test/bench/pandas-float.test.ts).
 */
export function pandasFloat(x: number): string {
  if (x !== x) return ''; // NaN
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const s = x.toExponential(); // [-]d[.ddd]e±x
  const at = s.indexOf('e');
  const e = +s.slice(at + 1);
  const neg = x < 0;
  const lead = neg ? 1 : 0; // index of the first digit
  if (e < -4 || e >= 16) {
    const exp = e < 0 ? -e : e;
    return `${s.slice(0, at)}e${e < 0 ? '-' : '+'}${exp < 10 ? '0' : ''}${exp}`;
  }
  const sign = neg ? '-' : '';
  // Digits without the point: the first one, then those after '.' (if any).
  const first = s[lead];
  const rest = at > lead + 1 ? s.slice(lead + 2, at) : '';
  if (e < 0) return `${sign}0.${'0000'.slice(0, -e - 1)}${first}${rest}`;
  if (e === 0) return `${sign}${first}.${rest || '0'}`;
  if (rest.length > e) return `${sign}${first}${rest.slice(0, e)}.${rest.slice(e)}`;
  return `${sign}${first}${rest}${'0'.repeat(e - rest.length)}.0`;
}
