/**
 * Memory plan: which columns are read together in one pass over both files. Numerical values are
 * kept exactly (float64: KS, Wasserstein and the binned tests need every value of a column, sorted),
 * so a 10M-row × 20-column pair of files (3.2 GB of values) cannot be held at once; instead the
 * columns are split into groups that fit the budget and the files are read once per group. Results
 * are identical to a single pass: every test sees all values of its column.
 */
import { stat } from 'node:fs/promises';
import { HEAD_BYTES, sniffCsvFormat } from './csv/format';
import { parquetRows } from './table';

/** Default budget for column values (plus sort scratch) per pass; peak RSS adds ~100 MB of runtime. */
export const DEFAULT_MEMORY_BUDGET_MB = 800;

export interface ReadPlan {
  groups: string[][];
  /** Estimated data rows per file (from the file size and the first 64 KiB), used to size buffers. */
  estimatedRows: { reference: number; current: number };
}

/**
 * Splits `names` into groups whose values fit `budgetBytes`, counting every column as numerical
 * (8 bytes per value per file, kinds are only known after reading) plus one sort scratch buffer
 * per file (8 bytes per value: both files are sorted at the same time on two threads).
 */
export async function planReads(names: string[], reference: string, current: string, budgetBytes: number): Promise<ReadPlan> {
  const estimatedRows = { reference: await estimateRows(reference), current: await estimateRows(current) };
  const rows = estimatedRows.reference + estimatedRows.current;
  const perColumn = 8 * rows * 1.05;
  const scratch = 8 * rows;
  const fit = Math.max(1, Math.floor((budgetBytes - scratch) / perColumn));
  const groups: string[][] = [];
  // Even groups (5+5+5+5 rather than 6+6+6+2) so the passes cost about the same.
  const passes = Math.ceil(names.length / fit);
  const size = Math.ceil(names.length / Math.max(passes, 1));
  for (let i = 0; i < names.length; i += size) groups.push(names.slice(i, i + size));
  return { groups: groups.length ? groups : [[]], estimatedRows };
}

/**
 * CSV rows ≈ text size / mean line length of the first 64 KiB (newlines in quoted fields make it an
 * overestimate). A gzip file's text size is its size times how much its first 64 KiB expanded.
 */
async function estimateRows(file: string): Promise<number> {
  // A Parquet footer says exactly.
  const exact = await parquetRows(file);
  if (exact !== null) return exact;
  const size = (await stat(file)).size;
  const { head: view, expansion } = await sniffCsvFormat(file);
  // Newlines found with indexOf (native code), not a byte loop: a loop over 64 KiB is hot enough for
  // V8 to compile it with TurboFan (~30 ms of compiler CPU per file, on the core the reading needs).
  const firstEnd = view.indexOf(0x0a);
  let lines = 0;
  for (let at = firstEnd; at >= 0; at = view.indexOf(0x0a, at + 1)) lines++;
  if (lines <= 1 || size <= HEAD_BYTES) return Math.max(0, lines - (firstEnd >= 0 ? 1 : 0)) + 1;
  const perLine = (view.length - firstEnd - 1) / (lines - 1);
  return Math.ceil((size * expansion - firstEnd - 1) / perLine);
}
