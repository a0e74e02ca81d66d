/**
 * The drift engine's one public entry: compare a current CSV with a reference CSV, column by column,
 * with Evidently's default test choice, thresholds and verdicts, plus multiple-testing verdicts, a
 * multivariate MMD test and data-quality facts.
 *
 * @example
 * const report = await runDrift({ reference: 'train.csv', current: 'today.csv', onProgress: console.error });
 * if (report.dataset.share.drift) process.exitCode = 1;
 */
import { stat } from 'node:fs/promises';
import { testColumn } from './column-test';
import { readHeader } from './csv/header';
import { readBoth } from './csv/parallel';
import { abortError, readCsvColumns, type CsvColumns } from './csv/read';
import { mmdTest } from './mmd';
import { DEFAULT_MEMORY_BUDGET_MB, planReads } from './plan';
import { REPORT_SCHEMA_VERSION, type ColumnDrift, type DriftReport } from './report/types';
import { SampleColumns } from './sample';
import { getStatTest, isPValueRule } from './stattests';
import { datasetVerdicts } from './verdicts';

export type { DriftReport, ColumnDrift } from './report/types';
export { CsvFormatError } from './csv/tokenizer';
export { listStatTests } from './stattests';

export interface DriftProgress {
  /** `reading`: both files are read at once (rowsRead counts both); one read per pass. */
  phase: 'reading' | 'testing' | 'multivariate' | 'done';
  rowsRead: number;
  columnsDone: number;
  columnsTotal: number;
  /** Bytes read so far over all passes, and the total to read (both files × passes): a percentage. */
  bytesRead: number;
  bytesTotal: number;
  /** 1-based pass and number of passes (more than one when the columns do not fit the memory budget). */
  pass: number;
  passes: number;
}

export interface DriftOptions {
  reference: string;
  current: string;
  /** Only these columns (default: every column of the reference header). */
  columns?: string[];
  /** Columns to treat as categorical whatever their values look like (e.g. integer codes). */
  categorical?: string[];
  /** Per-column test by name (`ks`, `psi`…), overriding the default choice. */
  stattest?: Record<string, string>;
  /** One test for every column not named in `stattest`. */
  stattestAll?: string;
  /** Threshold for every column (default: each test's own). */
  threshold?: number;
  /** Per-column thresholds, winning over `threshold`. */
  thresholds?: Record<string, number>;
  /** Dataset drift when share of drifted columns ≥ this (Evidently's default 0.5). */
  driftShare?: number;
  /** Family-wise / false-discovery level of the Bonferroni and BH verdicts and of MMD (default 0.05). */
  alpha?: number;
  /** Multivariate MMD test (default true); rows sampled per side (default 400). */
  mmd?: boolean;
  mmdRows?: number;
  /** Memory for column values per pass, in MB (default 640); fewer MB → more passes, same results. */
  memoryBudgetMb?: number;
  /** Read the two files on two threads (default true). */
  parallel?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DriftProgress) => void;
}

/** Runs the whole check. Throws CsvFormatError for malformed files and Error for bad options. */
export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const started = performance.now();
  const driftShare = options.driftShare ?? 0.5;
  const alpha = options.alpha ?? 0.05;
  const categorical = new Set(options.categorical ?? []);
  for (const name of [...Object.values(options.stattest ?? {}), ...(options.stattestAll ? [options.stattestAll] : [])]) getStatTest(name);

  // The reference header decides the columns; both files are then read side by side, pass by pass.
  const header = await readHeader(options.reference);
  const names = options.columns ?? header;
  for (const name of names) {
    if (!header.includes(name)) {
      throw new Error(`--columns names "${name}", which is not in the reference header (columns: ${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''})`);
    }
  }
  for (const name of Object.keys(options.stattest ?? {})) {
    if (!names.includes(name)) throw new Error(`--stattest names column "${name}", which is not among the checked columns`);
  }
  const plan = await planReads(names, options.reference, options.current, (options.memoryBudgetMb ?? DEFAULT_MEMORY_BUDGET_MB) * 2 ** 20);
  const sizes = { reference: (await stat(options.reference)).size, current: (await stat(options.current)).size };
  const passes = plan.groups.length;
  const bytesTotal = (sizes.reference + sizes.current) * passes;
  const progress = { rowsRead: 0, columnsDone: 0, bytesDone: 0, pass: 1 };
  const report = (phase: DriftProgress['phase'], bytesRead = progress.bytesDone) => options.onProgress?.({
    phase, rowsRead: progress.rowsRead, columnsDone: progress.columnsDone, columnsTotal: names.length,
    bytesRead, bytesTotal, pass: progress.pass, passes,
  });
  const sampleRows = options.mmd === false ? 0 : (options.mmdRows ?? 400);
  const samples = { ref: new SampleColumns(), cur: new SampleColumns() };
  const columns: ColumnDrift[] = [];
  let rows = { ref: 0, cur: 0 };
  let readMs = 0;
  let testMs = 0;

  for (const [passIndex, group] of plan.groups.entries()) {
    progress.pass = passIndex + 1;
    const t0 = performance.now();
    const live = { ref: [0, 0], cur: [0, 0] }; // rows, bytes per side in this pass
    const onSide = (side: 'ref' | 'cur') => (rowsRead: number, bytes: number) => {
      live[side] = [rowsRead, bytes];
      progress.rowsRead = live.ref[0] + live.cur[0];
      report('reading', progress.bytesDone + live.ref[1] + live.cur[1]);
    };
    const common = { columns: group, categorical, signal: options.signal, sampleRows };
    const [ref, cur] = await readBoth(
      { file: options.reference, options: { ...common, seed: 1, expectedRows: plan.estimatedRows.reference, onProgress: onSide('ref') } },
      { file: options.current, options: { ...common, seed: 2, expectedRows: plan.estimatedRows.current, onProgress: onSide('cur') } },
      options.parallel !== false,
    );
    progress.bytesDone += sizes.reference + sizes.current;
    rows = { ref: ref.rows, cur: cur.rows };
    const typeChanges = await compareAsTextWhereKindsDiffer(group, ref, cur, options);
    const t1 = performance.now();
    for (const name of group) {
      if (options.signal?.aborted) throw abortError(options.signal);
      report('testing');
      columns.push(testColumn(name, ref.columns.get(name)!, cur.columns.get(name)!, typeChanges.get(name) ?? null, options));
      progress.columnsDone++;
      // Columns with no values on a side would drop every sampled row; leave them out of MMD.
      const r = ref.columns.get(name)!;
      const c = cur.columns.get(name)!;
      if (ref.sample && cur.sample && r.kind === 'numerical' && c.kind === 'numerical' && r.count > 0 && c.count > 0) {
        samples.ref.take(ref.sample, name);
        samples.cur.take(cur.sample, name);
      }
    }
    readMs += t1 - t0;
    testMs += performance.now() - t1;
  }

  report('multivariate');
  const t2 = performance.now();
  let multivariate = null;
  const numericNames = samples.ref.names();
  if (numericNames.length > 1) {
    multivariate = mmdTest(numericNames, samples.ref.rowMajor(numericNames), samples.cur.rowMajor(numericNames), { alpha });
  }
  testMs += performance.now() - t2;

  const tested = columns.filter((c) => c.error === null);
  const dataset = datasetVerdicts(
    tested.map((c) => ({ name: c.name, drift: c.drift, pValue: isPValueRule(c.rule) ? c.score : null })), driftShare, alpha);
  report('done', bytesTotal);
  const end = performance.now();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'model-lab drift',
    createdAt: new Date().toISOString(),
    reference: { file: options.reference, rows: rows.ref },
    current: { file: options.current, rows: rows.cur },
    options: {
      driftShare, alpha, threshold: options.threshold ?? null, stattestAll: options.stattestAll ?? null, stattest: options.stattest ?? {},
    },
    columns,
    dataset,
    multivariate,
    timings: { readMs: round(readMs), testMs: round(testMs), totalMs: round(end - started), passes },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A column numerical in one file and text in the other is compared as text: re-read the numeric side. */
async function compareAsTextWhereKindsDiffer(names: string[], ref: CsvColumns, cur: CsvColumns, options: DriftOptions): Promise<Map<string, string>> {
  const typeChanges = new Map<string, string>();
  const retext = { ref: [] as string[], cur: [] as string[] };
  for (const name of names) {
    const r = ref.columns.get(name)!;
    const c = cur.columns.get(name)!;
    if (r.kind !== c.kind) {
      typeChanges.set(name, `${r.kind} in reference, ${c.kind} in current — compared as categories`);
      (r.kind === 'numerical' ? retext.ref : retext.cur).push(name);
    }
  }
  await retextColumns(options.reference, ref, retext.ref, options.signal);
  await retextColumns(options.current, cur, retext.cur, options.signal);
  return typeChanges;
}

async function retextColumns(file: string, data: CsvColumns, names: string[], signal?: AbortSignal) {
  if (names.length === 0) return;
  const again = await readCsvColumns(file, { columns: names, categorical: new Set(names), signal });
  for (const name of names) data.columns.set(name, again.columns.get(name)!);
}
