/**
 * The drift report: what `runDrift` returns and `--format json` prints. The types are defined in
 * server/protocol/drift.ts (the UI and the job read them there); documented field by field in
 * server/drift/REPORT_SCHEMA.md. `schemaVersion` changes when a field changes meaning or goes away.
 */
export type {
  CacheStatus,
  ColumnDrift,
  ColumnHistogram,
  ColumnQuality,
  DriftReport,
  DriftSummary,
  HomogeneityCheck,
  PredictionDrift,
  SideSummary,
} from '../../protocol/drift';

/** 2: the target column left `columns` for `target`; MMD p-values are (b + 1) / (B + 1); `summary` added. */
export const REPORT_SCHEMA_VERSION = 2;
