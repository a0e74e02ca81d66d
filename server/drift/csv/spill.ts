/**
 * Tokenize once, even when the values do not fit in memory. A check whose columns need several
 * passes (plan.ts) reads each CSV once: the first pass keeps its own column group in memory and
 * writes every other numerical column's values, parsed, to a float64 file in a private temporary
 * folder (column.ts, `spill`; under TMPDIR, 8 bytes per value: ~3 GB for two 10M-row × 20-column
 * files — on a RAM-backed /tmp that is memory, so point TMPDIR at a disk there); each later pass
 * loads its group from those files — a plain read, no tokenizing or number parsing — and sorts it,
 * the current side in the worker thread as before.
 * Categorical columns are complete after the first pass (they are kept as counts), and so is the
 * MMD sample (the sampler picks rows, whichever columns it keeps).
 */
import { open } from 'node:fs/promises';
import { populationStd } from '../stattests/wasserstein';
import { runInWorker } from '../threads';
import type { BufferPool, ColumnData } from './column';
import { rebuildError } from './parallel';
import { abortError, sortColumns, type CsvColumns } from './read';

/** One side's first-pass result plus where its spilled values live. */
export interface SpilledSide {
  columns: CsvColumns;
  pool: BufferPool;
}

/** Reads a spill file into a buffer from `pool` (or a new one). */
async function loadValues(spill: { file: string; count: number }, pool?: BufferPool): Promise<Float64Array> {
  const values = (pool?.take(spill.count) ?? new Float64Array(spill.count)).subarray(0, spill.count);
  const bytes = new Uint8Array(values.buffer, values.byteOffset, spill.count * 8);
  const handle = await open(spill.file, 'r');
  try {
    for (let off = 0; off < bytes.length;) {
      // At most 1 GiB per read (the kernel's limit per call is just under 2 GiB).
      const { bytesRead } = await handle.read(bytes, off, Math.min(bytes.length - off, 1 << 30), off);
      if (bytesRead === 0) throw new Error(`the drift spill file ${spill.file} is shorter than expected`);
      off += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return values;
}

/**
 * The named columns of a first-pass result with their values loaded (and sorted when `sort`): new
 * ColumnData objects, the first-pass ones are left as they are (a later pass may need them again).
 */
export async function loadSpilledColumns(
  columns: ColumnData[],
  options: { pool?: BufferPool; signal?: AbortSignal; sort: boolean },
): Promise<ColumnData[]> {
  const loaded: ColumnData[] = [];
  for (const d of columns) {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (!d.spill) {
      loaded.push(d);
      continue;
    }
    const values = await loadValues(d.spill, options.pool);
    loaded.push({ ...d, values, count: values.length, sorted: false, spill: undefined });
  }
  if (options.sort) sortColumns(loaded);
  return loaded;
}

/** A side of this pass: the first pass's result narrowed to `group`, values loaded and sorted. */
function sideOf(first: CsvColumns, group: string[], loaded: ColumnData[]): CsvColumns {
  return { ...first, columns: new Map(group.map((name, i) => [name, loaded[i]])) };
}

/**
 * How a later pass splits the sorting: the worker loads and sorts the current side's columns and
 * `share` of the reference's spilled ones, this thread the rest — and then tests every column. Even
 * sorting would leave the worker idle through the tests, so the worker's share grows with the cost of
 * a test relative to a sort: with s ms to load and sort one column of one side and t ms to test one
 * column, both threads are busy equally long when share = t / (2s). That ratio depends on the data
 * (pandas' 17-digit floats sort slower than 4-decimal ones, which a counting sort takes), so it is
 * measured: `measure` after each pass, from this thread's loading and the pass's tests.
 */
export class LoadBalance {
  /** The first later pass knows no sort time yet: a quarter, between the two kinds of data above. */
  share = 0.25;
  /** This thread's loading in the current pass: milliseconds and columns. */
  mainMs = 0;
  mainColumns = 0;

  /** Sets the next pass's share from this pass's tests (ms per tested numerical column). */
  measure(testMsPerColumn: number): void {
    if (this.mainColumns > 0 && this.mainMs > 0 && Number.isFinite(testMsPerColumn))
      this.share = Math.min(0.75, Math.max(0, testMsPerColumn / (2 * (this.mainMs / this.mainColumns))));
    this.mainMs = 0;
    this.mainColumns = 0;
  }
}

/**
 * Loads `group` for both sides, sorted: the current file's columns (and a share of the reference's,
 * see LoadBalance) in the worker thread when `useWorker`, the reference's here (or from the cache).
 */
export async function loadBoth(
  reference: SpilledSide,
  current: SpilledSide,
  group: string[],
  useWorker: boolean,
  signal?: AbortSignal,
  fromCache?: () => Promise<CsvColumns | null>,
  balance = new LoadBalance(),
): Promise<[CsvColumns, CsvColumns]> {
  const curColumns = group.map((name) => current.columns.columns.get(name)!);
  const refColumns = group.map((name) => reference.columns.columns.get(name)!);
  // Reference columns handed to the worker (never with a cache: the reference may come from there).
  const spilledRef = refColumns.filter((d) => d.spill);
  const handed = useWorker && !fromCache ? spilledRef.slice(spilledRef.length - Math.round(spilledRef.length * balance.share)) : [];
  const workerPromise = useWorker
    ? loadInWorker([...curColumns, ...handed], current.pool, reference.pool, handed, signal)
    : loadSpilledColumns(curColumns, { pool: current.pool, signal, sort: true });
  workerPromise.catch(() => undefined); // awaited below; a failure here must not go unhandled meanwhile
  const cached = await fromCache?.();
  let ref: CsvColumns;
  if (cached) ref = cached;
  else {
    const mine = refColumns.filter((d) => !handed.includes(d));
    const t0 = performance.now();
    const loaded = await loadSpilledColumns(mine, { pool: reference.pool, signal, sort: true });
    balance.mainMs += performance.now() - t0;
    balance.mainColumns += mine.filter((d) => d.spill).length;
    const fromWorker = (await workerPromise).slice(curColumns.length);
    const byColumn = new Map<ColumnData, ColumnData>([
      ...mine.map((d, i) => [d, loaded[i]] as const),
      ...handed.map((d, i) => [d, fromWorker[i]] as const),
    ]);
    ref = sideOf(
      reference.columns,
      group,
      refColumns.map((d) => byColumn.get(d)!),
    );
  }
  for (const d of ref.columns.values()) if (d.kind === 'numerical' && d.count > 0) d.std ??= populationStd(d.values.subarray(0, d.count));
  return [ref, sideOf(current.columns, group, (await workerPromise).slice(0, curColumns.length))];
}

/** Loads `columns` in the worker with the current side's spare buffers and as many of the reference's as it loads of its columns. */
function loadInWorker(
  columns: ColumnData[],
  pool: BufferPool,
  referencePool: BufferPool,
  handed: ColumnData[],
  signal?: AbortSignal,
): Promise<ColumnData[]> {
  const buffers = pool.drain();
  for (const d of handed) {
    const buffer = referencePool.take(d.spill!.count)?.buffer as ArrayBuffer | undefined;
    if (buffer) buffers.push(buffer);
  }
  return runInWorker<ColumnData[]>(
    { type: 'load', columns, pool: buffers },
    buffers,
    () => loadSpilledColumns(columns, { signal, sort: true }),
    { signal, rebuild: rebuildError, abortError: () => abortError(signal!) },
  );
}
