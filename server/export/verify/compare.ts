/**
 * Compares two JSON-like values: numbers within a tolerance (max abs diff reported), everything else
 * exactly. Mismatch messages name the path (`output 'probabilities'[3]`, `v1 predictions[0].label`).
 */
export interface Comparison {
  maxAbsDiff: number;
  /** The first few mismatches, each naming where. */
  mismatches: string[];
}

export function compareValues(expected: unknown, actual: unknown, path: string, tolerance: number): Comparison {
  const result: Comparison = { maxAbsDiff: 0, mismatches: [] };
  walk(expected, actual, path, tolerance, result);
  return result;
}

function walk(e: unknown, a: unknown, path: string, tol: number, r: Comparison): void {
  if (r.mismatches.length >= 5) return;
  if (typeof e === 'number' && typeof a === 'number') {
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (!(Number.isNaN(e) && Number.isNaN(a))) r.mismatches.push(`${path}: expected ${e}, got ${a}`);
      return;
    }
    const d = e === a ? 0 : Math.abs(e - a);
    if (Number.isFinite(d)) r.maxAbsDiff = Math.max(r.maxAbsDiff, d);
    if (!(d <= tol)) r.mismatches.push(`${path}: expected ${e}, got ${a} (diff ${d.toExponential(2)})`);
    return;
  }
  if (Array.isArray(e) || Array.isArray(a)) {
    if (!Array.isArray(e) || !Array.isArray(a) || e.length !== a.length) {
      r.mismatches.push(`${path}: expected ${describe(e)}, got ${describe(a)}`);
      return;
    }
    e.forEach((v, i) => walk(v, a[i], `${path}[${i}]`, tol, r));
    return;
  }
  if (e && typeof e === 'object' && a && typeof a === 'object') {
    const keys = new Set([...Object.keys(e), ...Object.keys(a)]);
    for (const k of keys) walk((e as Record<string, unknown>)[k], (a as Record<string, unknown>)[k], `${path}.${k}`, tol, r);
    return;
  }
  if (e !== a) r.mismatches.push(`${path}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? `a list of ${v.length}` : JSON.stringify(v);
}
