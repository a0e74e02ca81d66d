/**
 * Evidently's default test choice (legacy DataDriftPreset), with the reason spelled out:
 *
 * | column            | reference rows ≤ 1000          | > 1000         |
 * | numerical, n > 5  | KS                             | Wasserstein    |
 * | numerical, n ≤ 5  | chi-square if n > 2, else Z    | Jensen–Shannon |
 * | categorical       | chi-square if n > 2, else Z    | Jensen–Shannon |
 *
 * n = distinct values of reference ∪ current, after dropping missing values.
 */
import type { ColumnPair } from './pair';
import { getStatTest, type StatTest } from './stattests';

export interface TestChoice {
  test: StatTest;
  reason: string;
}

export function chooseDefaultTest(pair: ColumnPair): TestChoice {
  const n = pair.uniqueUnion();
  const rows = pair.nRef;
  const size = rows <= 1000 ? `reference has ${rows} rows ≤ 1000` : `reference has ${rows} rows > 1000`;
  const what = `${pair.kind}, ${n} unique value${n === 1 ? '' : 's'}`;
  if (rows <= 1000) {
    if (pair.kind === 'numerical' && n > 5) return { test: getStatTest('ks'), reason: `${what} > 5, ${size} → KS` };
    if (n > 2)
      return { test: getStatTest('chisquare'), reason: `${what}${pair.kind === 'numerical' ? ' ≤ 5' : ''} > 2, ${size} → chi-square` };
    return { test: getStatTest('z'), reason: `${what} ≤ 2, ${size} → Z-test` };
  }
  if (pair.kind === 'numerical' && n > 5)
    return { test: getStatTest('wasserstein'), reason: `${what} > 5, ${size} → Wasserstein (normed)` };
  return { test: getStatTest('jensenshannon'), reason: `${what}${pair.kind === 'numerical' ? ' ≤ 5' : ''}, ${size} → Jensen-Shannon` };
}
