/**
 * The comparison as CSV, for the people who keep reports in a spreadsheet: one row per variant and batch
 * size (long format, so any batch list fits), sizes in bytes, times in microseconds, fractions 0..1 —
 * the units are in the column names. Written with csv-stringify, so labels with commas or quotes stay intact.
 */
import { stringify } from 'csv-stringify/sync';
import type { ComparisonReport, VariantReport } from '../protocol/perf-report';

const COLUMNS = [
  'variant',
  'label',
  'batch',
  'file_bytes',
  'gzip_bytes',
  'size_ratio',
  'p50_us',
  'p95_us',
  'p99_us',
  'mean_us',
  'rows_per_second',
  'iterations',
  'agreement_argmax_row_by_row',
  'agreement_argmax_batched',
  'max_abs_diff_row_by_row',
  'max_abs_diff_batched',
  'quality_metric',
  'quality_original',
  'quality_variant',
  'quality_rows',
  'quality_target',
  'error',
] as const;

function qualityCells(v: VariantReport): [string, number | '', number | '', number | '', string] {
  const q = v.agreement?.quality;
  if (!q) return ['', '', '', '', ''];
  if ('accuracy' in q.variant && 'accuracy' in q.original) return ['accuracy', q.original.accuracy, q.variant.accuracy, q.rows, q.target];
  if ('rmse' in q.variant && 'rmse' in q.original) return ['rmse', q.original.rmse, q.variant.rmse, q.rows, q.target];
  return ['', '', '', '', ''];
}

/** `report` as CSV text with a header row. */
export function comparisonCsv(report: ComparisonReport): string {
  const rows: (string | number | null)[][] = [];
  for (const v of [report.original, ...report.variants]) {
    const a = v.agreement;
    const latencies = v.latency.length ? v.latency : [null];
    for (const l of latencies) {
      rows.push([
        v.id,
        v.label,
        l?.batch ?? '',
        v.fileBytes,
        v.gzipBytes,
        v.sizeRatio,
        l?.p50Us ?? '',
        l?.p95Us ?? '',
        l?.p99Us ?? '',
        l?.meanUs ?? '',
        l?.rowsPerSecond ?? '',
        l?.iterations ?? '',
        a?.rowByRow?.argmax ?? '',
        a?.batched.argmax ?? '',
        a?.rowByRow?.maxAbsDiff ?? '',
        a?.batched.maxAbsDiff ?? '',
        ...qualityCells(v),
        v.error ?? '',
      ]);
    }
  }
  return stringify(rows, { header: true, columns: [...COLUMNS] });
}
