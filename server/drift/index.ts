/**
 * The drift engine's one public entry: compare a current CSV with a reference CSV, column by column,
 * with Evidently's default test choice, thresholds and verdicts, plus multiple-testing verdicts, a
 * multivariate MMD test and data-quality facts.
 *
 * @example
 * const report = await runDrift({ reference: 'train.csv', current: 'today.csv', onProgress: console.error });
 * if (report.dataset.share.drift) process.exitCode = 1;
 */
import type { ColumnData } from './csv/column';
import { readCsvColumns, type CsvColumns } from './csv/read';
import { mmdTest } from './mmd';
import { ColumnPair } from './pair';
import { chooseDefaultTest } from './choose';
import { columnHistogram, columnQuality } from './quality';
import { REPORT_SCHEMA_VERSION, type ColumnDrift, type DriftReport, type SideSummary } from './report/types';
import { getStatTest, isDrift, isPValueRule } from './stattests';
import { datasetVerdicts } from './verdicts';

export type { DriftReport, ColumnDrift } from './report/types';
export { CsvFormatError } from './csv/tokenizer';
export { listStatTests } from './stattests';

export interface DriftProgress {
  phase: 'reading reference' | 'reading current' | 'testing' | 'multivariate' | 'done';
  rowsRead: number;
  columnsDone: number;
  columnsTotal: number;
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

  const report = (phase: DriftProgress['phase'], rowsRead: number, columnsDone = 0, columnsTotal = 0) =>
    options.onProgress?.({ phase, rowsRead, columnsDone, columnsTotal });
  const sampleRows = options.mmd === false ? 0 : (options.mmdRows ?? 400);

  // Reference first: its header decides the columns; then the current file, same columns.
  const refFirst = await readCsvColumns(options.reference, {
    columns: options.columns, categorical, signal: options.signal, sampleRows, seed: 1,
    onProgress: (rows) => report('reading reference', rows),
  });
  const names = options.columns ?? refFirst.header;
  for (const name of Object.keys(options.stattest ?? {})) {
    if (!names.includes(name)) throw new Error(`--stattest names column "${name}", which is not among the checked columns`);
  }
  const ref: CsvColumns = refFirst;
  const cur = await readCsvColumns(options.current, {
    columns: names, categorical, signal: options.signal, sampleRows, seed: 2,
    onProgress: (rows) => report('reading current', rows),
  });

  // A column numerical in one file and text in the other is compared as text: re-read the numeric side.
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
  const readDone = performance.now();

  const columns: ColumnDrift[] = [];
  for (const [index, name] of names.entries()) {
    if (options.signal?.aborted) throw new Error('drift check cancelled');
    report('testing', ref.rows + cur.rows, index, names.length);
    columns.push(testColumn(name, ref.columns.get(name)!, cur.columns.get(name)!, typeChanges.get(name) ?? null, options));
  }
  const testDone = performance.now();

  report('multivariate', ref.rows + cur.rows, names.length, names.length);
  let multivariate = null;
  // Columns with no values on a side would drop every sampled row; leave them out of MMD.
  const numericNames = names.filter((n) => {
    const r = ref.columns.get(n)!;
    const c = cur.columns.get(n)!;
    return r.kind === 'numerical' && c.kind === 'numerical' && r.count > 0 && c.count > 0;
  });
  if (ref.sample && cur.sample && numericNames.length > 1) {
    multivariate = mmdTest(numericNames, pickColumns(ref.sample, numericNames), pickColumns(cur.sample, numericNames), { alpha });
  }

  const tested = columns.filter((c) => c.error === null);
  const dataset = datasetVerdicts(
    tested.map((c) => ({ name: c.name, drift: c.drift, pValue: isPValueRule(c.rule) ? c.score : null })), driftShare, alpha);
  report('done', ref.rows + cur.rows, names.length, names.length);
  const end = performance.now();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'model-lab drift',
    createdAt: new Date().toISOString(),
    reference: { file: options.reference, rows: ref.rows },
    current: { file: options.current, rows: cur.rows },
    options: {
      driftShare, alpha, threshold: options.threshold ?? null, stattestAll: options.stattestAll ?? null, stattest: options.stattest ?? {},
    },
    columns,
    dataset,
    multivariate,
    timings: { readMs: round(readDone - started), testMs: round(testDone - readDone), totalMs: round(end - started) },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** The sample's values for `names` only, row-major. */
function pickColumns(sample: NonNullable<CsvColumns['sample']>, names: string[]): Float64Array {
  const width = sample.columns.length;
  const idx = names.map((n) => sample.columns.indexOf(n));
  const out = new Float64Array(sample.rows * names.length);
  for (let r = 0; r < sample.rows; r++) for (let k = 0; k < idx.length; k++) out[r * idx.length + k] = sample.values[r * width + idx[k]];
  return out;
}

async function retextColumns(file: string, data: CsvColumns, names: string[], signal?: AbortSignal) {
  if (names.length === 0) return;
  const again = await readCsvColumns(file, { columns: names, categorical: new Set(names), signal });
  for (const name of names) data.columns.set(name, again.columns.get(name)!);
}

function summary(d: ColumnData, pair: ColumnPair, side: 'ref' | 'cur'): SideSummary {
  const numeric = d.kind === 'numerical' && d.count > 0;
  return {
    rows: d.rows, missing: d.missing, missingShare: d.rows ? d.missing / d.rows : 0,
    values: side === 'ref' ? pair.nRef : pair.nCur, kind: d.kind,
    min: numeric ? d.min : null, max: numeric ? d.max : null,
  };
}

function testColumn(name: string, r: ColumnData, c: ColumnData, typeChange: string | null, options: DriftOptions): ColumnDrift {
  const pair = new ColumnPair(name, r.kind, r, c);
  const chosenName = options.stattest?.[name] ?? options.stattestAll;
  let test;
  let reason;
  let error: string | null = null;
  if (pair.nRef === 0 || pair.nCur === 0) {
    test = getStatTest(chosenName ?? (pair.kind === 'numerical' ? 'ks' : 'chisquare'));
    reason = 'not tested';
    error = `${pair.nRef === 0 ? 'reference' : 'current'} has no values in this column (all missing) — nothing to compare`;
  } else if (chosenName) {
    test = getStatTest(chosenName);
    reason = `${pair.kind}, chosen with --stattest${options.stattest?.[name] ? '' : '-all'}`;
    if (!test.kinds.includes(pair.kind)) {
      error = `${test.name} does not apply to ${pair.kind} columns (it takes ${test.kinds.join(', ')}) — choose another test for "${name}"`;
    }
  } else {
    ({ test, reason } = chooseDefaultTest(pair));
  }
  const threshold = options.thresholds?.[name] ?? options.threshold ?? test.defaultThreshold;
  let score: number | null = null;
  let statistic: number | null = null;
  let note: string | null = null;
  if (error === null) {
    const result = test.compute(pair);
    score = result.score;
    statistic = result.statistic ?? null;
    note = result.note ?? null;
    if (Number.isNaN(score)) error = `${test.name} could not be computed${note ? `: ${note}` : ''}`;
  }
  return {
    name, kind: pair.kind, test: test.name, testDisplayName: test.displayName, reason, threshold, rule: test.rule,
    score: score === null || Number.isNaN(score) ? null : score, statistic: statistic === null || Number.isNaN(statistic) ? null : statistic, note,
    drift: error === null && score !== null && isDrift(test.rule, score, threshold), error,
    reference: summary(r, pair, 'ref'), current: summary(c, pair, 'cur'),
    quality: columnQuality(pair, typeChange),
    histogram: columnHistogram(pair),
  };
}
