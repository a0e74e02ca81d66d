/**
 * Dataset-level verdicts, side by side: Evidently's share rule, and multiple-testing corrections
 * over the per-column p-values (alibi-detect's Bonferroni and Benjamini–Hochberg FDR).
 */
import type { DatasetVerdicts } from '../protocol/drift';

export type { DatasetVerdicts };

export interface ColumnOutcome {
  name: string;
  drift: boolean;
  /** The p-value when the column's test yields one. */
  pValue: number | null;
}

export function datasetVerdicts(columns: ColumnOutcome[], driftShare: number, alpha: number): DatasetVerdicts {
  const tested = columns.length;
  const drifted = columns.filter((c) => c.drift).length;
  const share = tested === 0 ? 0 : drifted / tested;
  const withP = columns.filter((c) => c.pValue !== null && !Number.isNaN(c.pValue)) as (ColumnOutcome & { pValue: number })[];
  let bonferroni: DatasetVerdicts['bonferroni'] = null;
  let benjaminiHochberg: DatasetVerdicts['benjaminiHochberg'] = null;
  if (withP.length > 0) {
    const m = withP.length;
    const bonfThreshold = alpha / m;
    const bonfDrifted = withP.filter((c) => c.pValue < bonfThreshold).map((c) => c.name);
    bonferroni = { alpha, pValues: m, threshold: bonfThreshold, drift: bonfDrifted.length > 0, driftedColumns: bonfDrifted };
    // BH: largest k with p_(k) ≤ k·α/m; reject the k smallest.
    const sorted = [...withP].sort((a, b) => a.pValue - b.pValue);
    let k = 0;
    for (let i = 0; i < m; i++) if (sorted[i].pValue <= ((i + 1) * alpha) / m) k = i + 1;
    const bhThreshold = k > 0 ? (k * alpha) / m : alpha / m;
    benjaminiHochberg = { alpha, pValues: m, threshold: bhThreshold, drift: k > 0, driftedColumns: sorted.slice(0, k).map((c) => c.name) };
  }
  return {
    share: { driftedColumns: drifted, testedColumns: tested, shareOfDrifted: share, driftShare, drift: tested > 0 && share >= driftShare },
    bonferroni,
    benjaminiHochberg,
  };
}
