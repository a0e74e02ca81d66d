/** Numbers as the Performance tab prints them: bytes in binary units, times in µs or ms, fractions in %. */

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(2)} MiB`;
}

export function micros(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '—';
  return us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`;
}

export const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)} %`);

/** A Pearson correlation to four places ("r 0.9999"); '—' when not measured or undefined (constant outputs). */
export const corr = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : `r ${x.toFixed(4)}`);
