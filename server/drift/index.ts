/**
 * The drift engine's one public entry: compare a current file with a reference file (CSV or Parquet,
 * mixed as you like: table.ts), column by column,
 * with Evidently's default test choice, thresholds and verdicts, plus multiple-testing verdicts, a
 * multivariate MMD test and data-quality facts.
 *
 * @example
 * const report = await runDrift({ reference: 'train.csv', current: 'today.csv', onProgress: console.error });
 * if (report.dataset.share.drift) process.exitCode = 1;
 */
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_MAX_VALUES, cacheKey, loadReferenceCache, saveReferenceCache } from './cache';
import { testColumn } from './column-test';
import { refuseNoRows, refuseZeroBytes } from './csv/empty';
import { rebuildError } from './csv/parallel';
import { readSides } from './read-sides';
import { loadBoth, type SpilledSide } from './csv/spill';
import { isParquet, readTableColumns, readTableHeader } from './table';
import { BufferPool } from './csv/column';
import { abortError, type CsvColumns } from './csv/read';
import type { LoadedModel } from '../model/types';
import type { DriftProgress } from '../protocol/drift';
import { ModelLabError } from '../protocol/errors';
import { mmdTest, type MmdResult } from './mmd';
import type { MergedWalk } from './pair';
import { walkInWorker, walksForWorker } from './walk';
import { PARALLEL_MIN_BYTES, prestartWorker, releaseSpareWorker, runInWorker } from './threads';
import { openModel, predictionDrift, type OpenedModel } from './prediction-drift';
import { DEFAULT_MEMORY_BUDGET_MB, planReads } from './plan';
import { REPORT_SCHEMA_VERSION, type CacheStatus, type ColumnDrift, type DriftReport, type PredictionDrift } from './report/types';
import { SampleColumns } from './sample';
import { getStatTest, isPValueRule } from './stattests';
import { summarize } from './summary';
import { datasetVerdicts } from './verdicts';

export type { DriftReport, ColumnDrift } from './report/types';
export { CsvFormatError } from './csv/tokenizer';
export { EmptyCsvError } from './csv/empty';
export { ParquetFormatError } from './parquet/errors';
export { isParquet } from './table';
export { listStatTests } from './stattests';
export { PARALLEL_MIN_BYTES } from './threads';
/** The header of a CSV as the engine reads it (BOM, quotes, duplicate names made unique). */
export { readHeader } from './csv/header';
/** The column names of a CSV (as above) or a Parquet file (its schema, pandas' index left out). */
export { readTableHeader } from './table';

export type { DriftProgress };

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
  /**
   * Read the two files on two threads and run MMD beside the column tests: true / false, or by
   * default when both files have at least PARALLEL_MIN_BYTES (below that, starting the worker
   * thread costs more than it saves).
   */
  parallel?: boolean;
  /**
   * A model (path or loaded) to predict both files with: its outputs (label, class probabilities,
   * regression values) are tested like columns, in the report's `predictions` section.
   */
  model?: string | LoadedModel;
  /**
   * The CSV whose header names the model's features when the ONNX file does not (as `serve --reference`
   * does); default: `reference`. The server passes its own reference so the served signature is used.
   */
  modelReference?: string;
  /**
   * The target (true label) column: tested apart as target drift, never counted in the dataset
   * verdicts. Default: the model's signature's target when a model is given and the files have it.
   */
  target?: string;
  /** Reuse / write `<reference>.modellab-drift.json` so re-checks skip parsing the reference (see cache.ts). */
  cache?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DriftProgress) => void;
}

/** Runs the whole check. Throws CsvFormatError for malformed files and Error for bad options. */
export async function runDrift(options: DriftOptions): Promise<DriftReport> {
  const started = performance.now();
  const sizes = { reference: (await stat(options.reference)).size, current: (await stat(options.current)).size };
  refuseZeroBytes(options.reference, 'reference', sizes.reference);
  refuseZeroBytes(options.current, 'current', sizes.current);
  const parallel = options.parallel ?? Math.min(sizes.reference, sizes.current) >= PARALLEL_MIN_BYTES;
  if (parallel) prestartWorker();
  // The model is opened first: its signature may name the target. One that fails to open is reported, not thrown.
  const model = options.model ? await openModel(options.model, options.modelReference ?? options.reference) : null;
  try {
    return await check(options, sizes, parallel, started, model);
  } finally {
    releaseSpareWorker();
    if (model?.owned) await model.loaded?.dispose();
  }
}

async function check(
  options: DriftOptions,
  sizes: { reference: number; current: number },
  parallel: boolean,
  started: number,
  model: OpenedModel | null,
): Promise<DriftReport> {
  const driftShare = options.driftShare ?? 0.5;
  const alpha = options.alpha ?? 0.05;
  const categorical = new Set(options.categorical ?? []);
  for (const name of [...Object.values(options.stattest ?? {}), ...(options.stattestAll ? [options.stattestAll] : [])]) getStatTest(name);

  // The reference header decides the columns; both files are then read side by side, pass by pass.
  const header = await readTableHeader(options.reference);
  if (options.target !== undefined && !header.includes(options.target))
    throw new ModelLabError(`--target names "${options.target}", which is not in the reference header`, { field: 'target' });
  const { target, targetMissing } = await chooseTarget(options, header, model);
  const names = (options.columns ?? header).filter((n) => n !== target && n !== targetMissing);
  if (target) names.push(target);
  for (const name of names) {
    if (!header.includes(name)) {
      throw new ModelLabError(
        `--columns names "${name}", which is not in the reference header (columns: ` +
          `${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''})`,
        { field: name },
      );
    }
  }
  // Said before reading either file, with the shared columns to check instead (the reader would only say
  // "no column named …" about the current file's header).
  const currentHeader = await readTableHeader(options.current);
  const absent = names.filter((name) => !currentHeader.includes(name));
  if (absent.length) {
    const shared = names.filter((name) => currentHeader.includes(name));
    const list = (columns: string[]) =>
      columns
        .slice(0, 10)
        .map((c) => `"${c}"`)
        .join(', ') + (columns.length > 10 ? ', …' : '');
    const only = shared.length <= 10 ? ` (--columns ${shared.join(',')})` : '';
    throw new ModelLabError(
      `the current file has no column${absent.length === 1 ? '' : 's'} ${list(absent)}, which the reference has` +
        (shared.length
          ? ` — check only the ${shared.length} shared column${shared.length === 1 ? '' : 's'}${only}`
          : ' — the two files share no column'),
      { field: absent[0] },
    );
  }
  for (const name of Object.keys(options.stattest ?? {})) {
    if (!names.includes(name))
      throw new ModelLabError(`--stattest names column "${name}", which is not among the checked columns`, { field: name });
  }
  const plan = await planReads(names, options.reference, options.current, (options.memoryBudgetMb ?? DEFAULT_MEMORY_BUDGET_MB) * 2 ** 20);
  const passes = plan.groups.length;
  // Several passes over two CSVs: read each file once, spilling the later groups' values (csv/spill.ts).
  const spillDir = passes > 1 && !isParquet(options.reference) && !isParquet(options.current) ? await makeSpillDir() : null;
  const bytesTotal = (sizes.reference + sizes.current) * ((spillDir ? 1 : passes) + (options.model ? 1 : 0));
  const progress = { rowsRead: 0, columnsDone: 0, bytesDone: 0, pass: 1 };
  const report = (phase: DriftProgress['phase'], bytesRead = progress.bytesDone) =>
    options.onProgress?.({
      phase,
      rowsRead: progress.rowsRead,
      columnsDone: progress.columnsDone,
      columnsTotal: names.length,
      bytesRead,
      bytesTotal,
      pass: progress.pass,
      passes,
    });
  const sampleRows = options.mmd === false ? 0 : (options.mmdRows ?? 400);
  const samples = { ref: new SampleColumns(), cur: new SampleColumns() };
  const cache = options.cache ? await openCache(options.reference, names, categorical, sampleRows) : null;
  const columns: ColumnDrift[] = [];
  let rows = { ref: 0, cur: 0 };
  let readMs = 0;
  let testMs = 0;
  const pools = { ref: new BufferPool(), cur: new BufferPool() };
  let multivariate: Promise<MmdResult | null> = Promise.resolve(null);
  // With spilling, the first pass's result (every column; later groups' values in files).
  const firstPass: { sides: { ref: SpilledSide; cur: SpilledSide } | null } = { sides: null };

  try {
    for (const [passIndex, group] of plan.groups.entries()) {
      progress.pass = passIndex + 1;
      const t0 = performance.now();
      const live = { ref: [0, 0], cur: [0, 0] }; // rows, bytes per side in this pass
      const onSide = (side: 'ref' | 'cur') => (rowsRead: number, bytes: number) => {
        live[side] = [rowsRead, bytes];
        progress.rowsRead = live.ref[0] + live.cur[0];
        report('reading', progress.bytesDone + live.ref[1] + live.cur[1]);
      };
      // When spilling, the first pass reads every column: its group into memory, the rest into spill files.
      const spillOf = (side: string) =>
        spillDir ? { dir: join(spillDir, side), columns: names.filter((n) => !group.includes(n)) } : undefined;
      const common = { columns: spillDir ? names : group, categorical, signal: options.signal, sampleRows };
      const refRequest = {
        file: options.reference,
        options: {
          ...common,
          seed: 1,
          expectedRows: plan.estimatedRows.reference,
          onProgress: onSide('ref'),
          pool: pools.ref,
          spill: spillOf('ref'),
        },
      };
      const curRequest = {
        file: options.current,
        options: {
          ...common,
          seed: 2,
          expectedRows: plan.estimatedRows.current,
          onProgress: onSide('cur'),
          pool: pools.cur,
          spill: spillOf('cur'),
        },
      };
      // With --cache, the reference comes from the cache when it is valid (loaded while the worker reads the current file).
      const fromCache = cache ? () => cache.pick(group) : undefined;
      const spilled = firstPass.sides;
      // A later pass reads its group from the spill files (seconds on 10M rows): say which pass it is.
      if (spilled) report('reading');
      // The MMD test needs only the row samples: in a single pass it starts as soon as both files are read,
      // in the worker (idle by then when it read the current file first) while this thread still sorts.
      const lastPass = passIndex === passes - 1;
      const sampleAndStartMmd = (ref: CsvColumns, cur: CsvColumns) => {
        takeSamples(group, ref, cur, target, samples);
        if (lastPass) multivariate = startMmd(samples, alpha, parallel, options.signal);
      };
      const [ref, cur]: [CsvColumns, CsvColumns] = spilled
        ? await loadBoth(spilled.ref, spilled.cur, group, parallel, options.signal, fromCache)
        : await readSides(refRequest, curRequest, parallel, fromCache, passes === 1 ? sampleAndStartMmd : undefined);
      if (spillDir && !spilled) {
        // Kept for the later passes (their maps copied: this pass narrows its own to its group below).
        firstPass.sides = {
          ref: { columns: { ...ref, columns: new Map(ref.columns) }, pool: pools.ref },
          cur: { columns: { ...cur, columns: new Map(cur.columns) }, pool: pools.cur },
        };
      }
      if (spillDir) {
        // The first pass read all columns; this pass tests its group only.
        for (const side of [ref, cur]) for (const name of side.columns.keys()) if (!group.includes(name)) side.columns.delete(name);
      }
      // Every pass reads every row, so the first one knows whether a side is empty.
      refuseNoRows(options.reference, 'reference', ref.rows);
      refuseNoRows(options.current, 'current', cur.rows);
      if (cache && !cache.hit) cache.collect(ref);
      if (passIndex === 0 || !spillDir) progress.bytesDone += sizes.reference + sizes.current;
      rows = { ref: ref.rows, cur: cur.rows };
      const typeChanges = await compareAsTextWhereKindsDiffer(group, ref, cur, options);
      const t1 = performance.now();
      // After the last read, the MMD test runs in the worker thread while this one tests the columns
      // (started above already in a single pass; the kinds it looked at are those compared here too:
      // a column whose kinds differ is left out of MMD before and after it is re-read as text).
      // With several passes (big files), the worker walks the later half of this pass's big numerical
      // columns while this thread tests the others (walk.ts); the MMD test then follows in the worker.
      // Not in one pass: there the MMD test holds the worker then (tried on 1M rows: tests 187 → 250 ms).
      const chosenTest = (name: string) => options.stattest?.[name] ?? options.stattestAll;
      const toWorker = passes > 1 && parallel && !cache ? walksForWorker(group, ref.columns, cur.columns, chosenTest) : [];
      const walks = toWorker.length > 0 ? walkInWorker(toWorker, ref.columns, cur.columns, options.signal) : null;
      walks?.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      const done: { walks: Map<string, MergedWalk> | null } = { walks: null };
      const walksDone = async () => {
        done.walks = walks ? await walks : new Map();
        if (passes > 1) sampleAndStartMmd(ref, cur);
      };
      if (!walks) await walksDone();
      for (const name of group) {
        if (options.signal?.aborted) throw abortError(options.signal);
        // The columns the worker walks have their values there: wait for them before testing one.
        if (done.walks === null && toWorker.includes(name)) await walksDone();
        report('testing');
        const merged = done.walks?.get(name) ?? null;
        columns.push(testColumn(name, ref.columns.get(name)!, cur.columns.get(name)!, typeChanges.get(name) ?? null, options, merged));
        progress.columnsDone++;
      }
      if (done.walks === null) await walksDone();
      readMs += t1 - t0;
      testMs += performance.now() - t1;
      // The next pass reuses this pass's value buffers (not when they belong to the cache).
      if (passes > 1) {
        if (!cache?.hit && !cache?.keeps()) pools.ref.give(ref.columns.values());
        pools.cur.give(cur.columns.values());
      }
    }
  } finally {
    if (spillDir) await rm(spillDir, { recursive: true, force: true });
  }

  const cacheStatus = cache ? await cache.finish() : 'off';

  let predictions: PredictionDrift | null = null;
  if (model) {
    const t3 = performance.now();
    const done = progress.bytesDone;
    const live = { ref: 0, cur: 0 };
    const onSide = (side: 'ref' | 'cur') => (rowsRead: number, bytes: number) => {
      live[side] = bytes;
      progress.rowsRead = rowsRead;
      report('predicting', done + live.ref + live.cur);
    };
    predictions = await predictionDrift(model, options, onSide);
    progress.bytesDone += sizes.reference + sizes.current;
    testMs += performance.now() - t3;
  }
  report('multivariate');
  const t2 = performance.now();
  const mmd = await multivariate;
  testMs += performance.now() - t2;

  // The target is not a feature: it is reported apart and never counted in the dataset verdicts.
  const targetDrift = columns.find((c) => c.name === target) ?? null;
  const features = columns.filter((c) => c.name !== target);
  const tested = features.filter((c) => c.error === null);
  const dataset = datasetVerdicts(
    tested.map((c) => ({ name: c.name, drift: c.drift, pValue: isPValueRule(c.rule) ? c.score : null })),
    driftShare,
    alpha,
  );
  report('done', bytesTotal);
  const end = performance.now();
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: 'model-lab drift',
    createdAt: new Date().toISOString(),
    reference: { file: options.reference, rows: rows.ref, cache: cacheStatus },
    current: { file: options.current, rows: rows.cur },
    options: {
      driftShare,
      alpha,
      threshold: options.threshold ?? null,
      stattestAll: options.stattestAll ?? null,
      stattest: options.stattest ?? {},
      target: target ?? null,
    },
    summary: summarize({ columns: features, dataset, multivariate: mmd, target: targetDrift, targetMissing, predictions }),
    columns: features,
    dataset,
    target: targetDrift,
    multivariate: mmd,
    predictions,
    timings: { readMs: round(readMs), testMs: round(testMs), totalMs: round(end - started), passes },
  };
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/** A private temporary folder for the spilled values of a multi-pass check (ref/ and cur/ in it). */
async function makeSpillDir(): Promise<string> {
  let dir: string;
  try {
    dir = await mkdtemp(join(tmpdir(), 'model-lab-drift-'));
  } catch (err) {
    // Said in words, not as the system call's error: TMPDIR is the user's to fix.
    const why = (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'is not a folder' : 'cannot be written to';
    throw new ModelLabError(
      `the temporary folder (TMPDIR) ${why}: a check in several passes keeps the later column groups' values there — ` +
        'point TMPDIR at a writable folder, or give more memory (--memory-mb) for one pass',
      { status: 500 },
    );
  }
  await mkdir(join(dir, 'ref'));
  await mkdir(join(dir, 'cur'));
  return dir;
}

/** The reference cache for this run: either a hit (columns come from it) or a collector that writes it. */
async function openCache(reference: string, names: string[], categorical: Set<string>, sampleRows: number) {
  const key = await cacheKey(reference, names, categorical, sampleRows);
  let hit: CsvColumns | null = null;
  let loading: Promise<CsvColumns | null> | null = null;
  const collected: CsvColumns = { file: reference, header: [], rows: 0, columns: new Map(), sample: null };
  const sample = new SampleColumns();
  let tooLarge = false;
  let values = 0;
  return {
    get hit() {
      return hit !== null;
    },
    /** The cached columns of one pass (a fresh map: the caller may replace entries), or null on a miss. */
    async pick(group: string[]): Promise<CsvColumns | null> {
      loading ??= loadReferenceCache(reference, key);
      hit = await loading;
      return hit ? { ...hit, columns: new Map(group.map((n) => [n, hit!.columns.get(n)!])) } : null;
    },
    /** Whether collected reference columns are kept for writing (their buffers must not be reused). */
    keeps: () => !tooLarge,
    /** Keeps a pass's reference columns for writing the cache (unless it grows past the size limit). */
    collect(ref: CsvColumns): void {
      collected.header = ref.header;
      collected.rows = ref.rows;
      for (const [name, d] of ref.columns) {
        values += d.kind === 'numerical' ? d.count : 0;
        tooLarge ||= values > CACHE_MAX_VALUES;
        if (!tooLarge) collected.columns.set(name, d);
        if (ref.sample) sample.take(ref.sample, name);
      }
      if (tooLarge) collected.columns.clear();
    },
    async finish(): Promise<CacheStatus> {
      if (hit) return 'hit';
      if (tooLarge) return 'not written: the reference has more than 20,000,000 numeric values';
      const sampled = sample.names();
      if (sampled.length) collected.sample = { columns: sampled, rows: sample.rows(), values: sample.rowMajor(sampled) };
      return (await saveReferenceCache(reference, key, collected)) ? 'written' : 'not written: the reference is too large';
    },
  };
}

/** Adds a pass's sampled rows to `samples`: numerical columns with values on both sides, target excluded. */
function takeSamples(
  group: string[],
  ref: CsvColumns,
  cur: CsvColumns,
  target: string | undefined,
  samples: { ref: SampleColumns; cur: SampleColumns },
): void {
  // Columns with no values on a side would drop every sampled row; leave them out of MMD.
  for (const name of group) {
    const r = ref.columns.get(name)!;
    const c = cur.columns.get(name)!;
    if (name !== target && ref.sample && cur.sample && r.kind === 'numerical' && c.kind === 'numerical' && r.count > 0 && c.count > 0) {
      samples.ref.take(ref.sample, name);
      samples.cur.take(cur.sample, name);
    }
  }
}

/** Starts the MMD test on the numerical columns' samples (in the worker thread when there is one). */
function startMmd(
  samples: { ref: SampleColumns; cur: SampleColumns },
  alpha: number,
  parallel: boolean,
  signal?: AbortSignal,
): Promise<MmdResult | null> {
  const names = samples.ref.names();
  if (names.length < 2) return Promise.resolve(null);
  const ref = samples.ref.rowMajor(names);
  const cur = samples.cur.rowMajor(names);
  const here = () => Promise.resolve(mmdTest(names, ref, cur, { alpha }));
  if (!parallel) return here();
  const run = runInWorker<MmdResult | null>({ type: 'mmd', columns: names, ref, cur, alpha }, [], here, {
    signal,
    rebuild: rebuildError,
    abortError: () => abortError(signal!),
  });
  run.catch(() => undefined); // awaited later; don't report it as unhandled meanwhile
  return run;
}

/**
 * The target column: `--target` as given, else the one the model's signature names when the reference
 * has it. A target the current file lacks (labels not there yet) is left out and reported as missing.
 */
async function chooseTarget(
  options: DriftOptions,
  header: string[],
  model: OpenedModel | null,
): Promise<{ target: string | undefined; targetMissing: string | null }> {
  const named = options.target ?? model?.loaded?.signature.target;
  if (named === undefined || !header.includes(named)) return { target: undefined, targetMissing: null };
  if (!(await readTableHeader(options.current)).includes(named)) return { target: undefined, targetMissing: named };
  return { target: named, targetMissing: null };
}

/** A column numerical in one file and text in the other is compared as text: re-read the numeric side. */
async function compareAsTextWhereKindsDiffer(
  names: string[],
  ref: CsvColumns,
  cur: CsvColumns,
  options: DriftOptions,
): Promise<Map<string, string>> {
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
  const again = await readTableColumns(file, { columns: names, categorical: new Set(names), signal });
  for (const name of names) data.columns.set(name, again.columns.get(name)!);
}
