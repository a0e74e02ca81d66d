/** Turning values into short, readable text for the UI. DOM-free. */

/**
 * Pretty JSON that keeps arrays of plain values on one line, so a request's `shape` and `data`
 * read as `[1, 8]` instead of one number per line.
 */
export function prettyJson(value: unknown, indent = ''): string {
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => JSON.stringify(v) ?? 'null').join(', ')}]`;
    const inner = indent + '  ';
    return `[\n${value.map((v) => inner + prettyJson(v, inner)).join(',\n')}\n${indent}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) return '{}';
    const inner = indent + '  ';
    return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${prettyJson(v, inner)}`).join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A number with at most 4 decimals (or 4 significant digits when tiny), without trailing zeros. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n !== 0 && Math.abs(n) < 0.001) return n.toPrecision(3);
  if (Math.abs(n) >= 1e6) return n.toExponential(3);
  return String(Number(n.toFixed(4)));
}

/**
 * A probability as a percentage with as many digits as it takes not to lie: 4e-10 reads `4e-8%`, not
 * `0%`, and 0.9999999996 reads `99.99999996%`, not `100%`. Only exact 0 and 1 read `0%` and `100%`.
 */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p)) return String(p);
  if (p === 0 || p === 1) return `${p * 100}%`;
  const percent = p * 100;
  // Below 1 %: two significant digits (exponent form when tiny), so 0.000004 % is not rounded away.
  if (Math.abs(percent) < 1) return `${trimExponent(percent.toPrecision(2))}%`;
  // Near-certain: add decimals until the text no longer rounds up to 100.
  for (let decimals = 1; decimals <= 12; decimals++) {
    const text = percent.toFixed(decimals);
    if (percent >= 100 || Number(text) < 100) return `${Number(text)}%`;
  }
  return `${percent}%`;
}

/** `4.0e-8` → `4e-8`, `1.5e-7` stays; plain decimals (`0.052`) pass through. */
function trimExponent(text: string): string {
  const [mantissa, exponent] = text.split('e');
  if (exponent === undefined) return String(Number(text));
  return `${Number(mantissa)}e${Number(exponent)}`;
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(1)} ms` : `${Math.round(ms)} ms`;
}

/** `"a=1, b=x, …"` from form values, for the history list. */
export function summarizeValues(values: Record<string, string | boolean>, maxItems = 4): string {
  const entries = Object.entries(values).filter(([k]) => !k.startsWith('@tensor:'));
  const shown = entries.slice(0, maxItems).map(([k, v]) => `${k}=${typeof v === 'string' && v.length > 16 ? v.slice(0, 16) + '…' : v}`);
  if (entries.length > maxItems) shown.push(`+${entries.length - maxItems} more`);
  return shown.join(', ') || '(tensor input)';
}

/** Cuts very long text for display, saying how much was left out. */
export function truncateForDisplay(text: string, maxChars = 20000): string {
  return text.length <= maxChars
    ? text
    : `${text.slice(0, maxChars)}\n… ${text.length - maxChars} more characters (Copy copies everything)`;
}
