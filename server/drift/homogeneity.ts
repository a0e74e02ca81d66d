/**
 * The two-sample chi-square test of homogeneity, computed beside Evidently's chi-square.
 *
 * Evidently's `chisquare` is a goodness-of-fit test: expected = reference count × n_cur / n_ref, as if
 * the reference shares were the true ones. They are estimates too, so its statistic is inflated by the
 * reference's own sampling noise and the false alarms grow with the sample sizes (40 equally likely
 * categories, 1,000 vs 1,200 rows from one distribution: p ≈ 2e-10). The test of homogeneity treats
 * both samples as random — the 2 × K contingency table, expected = row total × column total / N, df =
 * K − 1 — which is `scipy.stats.chi2_contingency` (with Yates' correction on a 2 × 2 table, scipy's
 * default). Evidently's verdict stays the column's verdict (parity); this one is reported beside it.
 */
import type { HomogeneityCheck } from '../protocol/drift';
import { chi2Sf } from './math/special';
import type { ColumnPair } from './pair';
import { groupDigits } from '../protocol/number-text';

export interface ContingencyResult {
  statistic: number;
  df: number;
  pValue: number;
  correction: boolean;
}

/** chi2_contingency on the 2 × K table whose rows are `ref` and `cur` counts (every category seen on some side). */
export function chiSquareContingency(ref: ArrayLike<number>, cur: ArrayLike<number>): ContingencyResult {
  const k = ref.length;
  let nRef = 0;
  let nCur = 0;
  for (let i = 0; i < k; i++) {
    nRef += ref[i];
    nCur += cur[i];
  }
  const n = nRef + nCur;
  const df = k - 1;
  if (df < 1 || nRef === 0 || nCur === 0) return { statistic: 0, df: Math.max(df, 0), pValue: 1, correction: false };
  // scipy: Yates' correction when dof == 1 — each |observed − expected| shrinks by 0.5, not past 0.
  const correction = df === 1;
  let statistic = 0;
  for (let i = 0; i < k; i++) {
    const total = ref[i] + cur[i];
    for (const [observed, rowTotal] of [
      [ref[i], nRef],
      [cur[i], nCur],
    ]) {
      const expected = (rowTotal * total) / n;
      let diff = Math.abs(observed - expected);
      if (correction) diff = Math.max(0, diff - 0.5);
      statistic += (diff * diff) / expected;
    }
  }
  return { statistic, df, pValue: chi2Sf(statistic, df), correction };
}

/** The homogeneity check of a column Evidently tested with chi-square, and whether the two verdicts agree. */
export function homogeneityCheck(pair: ColumnPair, evidently: { score: number; drift: boolean }, threshold: number): HomogeneityCheck {
  const u = pair.union();
  const result = chiSquareContingency(u.ref, u.cur);
  const drift = result.pValue < threshold;
  return {
    test: 'chi2_contingency',
    displayName: 'chi-square test of homogeneity (two-sample)',
    statistic: result.statistic,
    df: result.df,
    pValue: result.pValue,
    threshold,
    drift,
    correction: result.correction,
    disagreement: drift === evidently.drift ? null : explain(evidently.drift, u.keys.length, pair.nRef, pair.nCur),
  };
}

function explain(evidentlyDrift: boolean, categories: number, nRef: number, nCur: number): string {
  const sizes = `${groupDigits(nRef)} reference and ${groupDigits(nCur)} current ` + `values over ${categories} categories`;
  return evidentlyDrift
    ? `Evidently's chi-square says drift, the two-sample test does not: Evidently treats the reference shares as exact, ` +
        `so the reference's own sampling noise counts as drift (${sizes}); likely a false alarm`
    : `the two-sample test says drift, Evidently's chi-square does not (${sizes}): ` +
        `the two tests weigh categories differently; look at the chart`;
}
