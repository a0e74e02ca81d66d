/**
 * The drift report: what `runDrift` returns and `--format json` prints. Documented field by field in
 * server/drift/REPORT_SCHEMA.md; `schemaVersion` changes when a field changes meaning or goes away.
 */
import type { ColumnKind } from '../csv/column';
import type { MmdResult } from '../mmd';
import type { DriftRule } from '../stattests/registry';
import type { DatasetVerdicts } from '../verdicts';

export const REPORT_SCHEMA_VERSION = 1;

export interface SideSummary {
  rows: number;
  missing: number;
  missingShare: number;
  /** Values left after dropping missing/±inf (what the test sees). */
  values: number;
  kind: ColumnKind;
  min: number | null;
  max: number | null;
}

export interface ColumnHistogram {
  /** Numerical: bin edges (bins + 1). Categorical: category labels ("(other)" last if folded). */
  edges?: number[];
  labels?: string[];
  reference: number[];
  current: number[];
}

export interface ColumnQuality {
  missingShareChange: number;
  /** Share of current values outside the reference [min, max] (numerical). */
  outOfRangeShare: number | null;
  /** Categories in current never seen in reference (first 20) and how many in all. */
  newCategories: string[];
  newCategoryCount: number;
  /** Set when reference and current infer different kinds ("numerical → categorical"). */
  typeChange: string | null;
  constantInReference: boolean;
  constantInCurrent: boolean;
}

export interface ColumnDrift {
  name: string;
  kind: ColumnKind;
  test: string;
  testDisplayName: string;
  /** Why this test: the default rule that applied, or "chosen with --stattest". */
  reason: string;
  threshold: number;
  rule: DriftRule;
  /** p-value or distance (see rule); null when it could not be computed (see `error`). */
  score: number | null;
  statistic: number | null;
  note: string | null;
  drift: boolean;
  error: string | null;
  reference: SideSummary;
  current: SideSummary;
  quality: ColumnQuality;
  histogram: ColumnHistogram;
}

/** Drift of the model's outputs over both files (`--model`). */
export interface PredictionDrift {
  model: string;
  rows: { reference: number; current: number };
  /** Rows the model could not take (bad cell, fixed-batch remainder…); missing in every prediction column. */
  failedRows: { reference: number; current: number };
  firstError: string | null;
  /** `label` (categorical), `p_<class>` and `prediction[_i]` (numerical), default test choice. */
  columns: ColumnDrift[];
  /** Whether any prediction column drifted. */
  drift: boolean;
}

export type CacheStatus = 'off' | 'hit' | 'written' | `not written: ${string}`;

export interface DriftReport {
  schemaVersion: number;
  tool: 'model-lab drift';
  createdAt: string;
  /** `cache`: the reference statistics cache (`off`, `hit`, `written`, or `not written: <why>`). */
  reference: { file: string; rows: number; cache: CacheStatus };
  current: { file: string; rows: number };
  options: { driftShare: number; alpha: number; threshold: number | null; stattestAll: string | null; stattest: Record<string, string> };
  columns: ColumnDrift[];
  dataset: DatasetVerdicts;
  multivariate: MmdResult | null;
  /** Present when a model was given. */
  predictions: PredictionDrift | null;
  /** `passes`: reads of both files (more than 1 when the columns did not fit the memory budget). */
  timings: { readMs: number; testMs: number; totalMs: number; passes: number };
}
