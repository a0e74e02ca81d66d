/**
 * Tokenize once, even when the values do not fit in memory. A check whose columns need several
 * passes (plan.ts) reads each CSV once: the first pass keeps its own column group in memory and
 * writes every other numerical column's values, parsed, to a float64 file in a private temporary
 * folder (column.ts, `spill`; under TMPDIR, 8 bytes per value: ~3 GB for two 10M-row × 20-column
 * files — on a RAM-backed /tmp that is memory, so point TMPDIR at a disk there); each later pass
 * loads its group from those files — a plain read, no tokenizing or number parsing — and sorts it,
 * the current side in the worker thread as before. The files' I/O (around the page cache where it can)
 * is spill-file.ts's.
 * Categorical columns are complete after the first pass (they are kept as counts), and so is the
 * MMD sample (the sampler picks rows, whichever columns it keeps).
 */
import { populationStd } from '../stattests/wasserstein';
import { runInWorker } from '../threads';
import type { BufferPool, ColumnData } from './column';
import { rebuildError } from './parallel';
import { abortError, sortColumns, type CsvColumns } from './read';
import { readSpill, spillRoom } from './spill-file';

/** One side's first-pass result plus where its spilled values live. */
export interface SpilledSide {
  columns: CsvColumns;
  pool: BufferPool;
}

/** Reads a spilled column's values into a buffer from `pool` (or a new one). */
function loadValues(spill: NonNullable<ColumnData['spill']>, pool?: BufferPool): Promise<Float64Array> {
  const room = spillRoom(spill.count);
  return readSpill(spill, (pool?.take(room) ?? new Float64Array(room)).subarray(0, room));
}

/**
 * The named columns of a first-pass result with their values loaded (and sorted when `sort`): new
 * ColumnData objects, the first-pass ones are left as they are (a later pass may need them again).
 * The next column is read while this one is sorted: the disk (or the kernel's copy) works beside the sort.
 */
export async function loadSpilledColumns(
  columns: ColumnData[],
  options: { pool?: BufferPool; signal?: AbortSignal; sort: boolean },
): Promise<ColumnData[]> {
  const loaded: ColumnData[] = [];
  const spilled = columns.filter((d) => d.spill);
  let next: Promise<Float64Array> | null = spilled.length > 0 ? loadValues(spilled[0].spill!, options.pool) : null;
  let at = 0;
  try {
    for (const d of columns) {
      if (options.signal?.aborted) throw abortError(options.signal);
      if (!d.spill) {
        loaded.push(d);
        continue;
      }
      const values = await next!;
      at++;
      // Its buffer is taken from the pool before this column's sort takes the sort scratch from it.
      next = at < spilled.length ? loadValues(spilled[at].spill!, options.pool) : null;
      const column: ColumnData = { ...d, values, count: values.length, sorted: false, spill: undefined };
      if (options.sort) sortColumns([column], options.pool);
      loaded.push(column);
    }
  } finally {
    // Cancelled or failed half-way: the read in flight still writes into its buffer; let it end first.
    if (next) await next.catch(() => undefined);
  }
  if (options.sort) sortColumns(loaded, options.pool);
  return loaded;
}

/** A side of this pass: the first pass's result narrowed to `group`, values loaded and sorted. */
function sideOf(first: CsvColumns, group: string[], loaded: ColumnData[]): CsvColumns {
  return { ...first, columns: new Map(group.map((name, i) => [name, loaded[i]])) };
}

/**
 * Loads `group` for both sides: the reference here (or from the cache), the current file's columns
 * in the worker thread when `useWorker` — the same split as reading, so sorting stays on two cores.
 */
export async function loadBoth(
  reference: SpilledSide,
  current: SpilledSide,
  group: string[],
  useWorker: boolean,
  signal?: AbortSignal,
  fromCache?: () => Promise<CsvColumns | null>,
): Promise<[CsvColumns, CsvColumns]> {
  const curColumns = group.map((name) => current.columns.columns.get(name)!);
  const curPromise = useWorker
    ? loadInWorker(curColumns, current.pool, signal)
    : loadSpilledColumns(curColumns, { pool: current.pool, signal, sort: true });
  curPromise.catch(() => undefined); // awaited below; a failure here must not go unhandled meanwhile
  const cached = await fromCache?.();
  const ref =
    cached ??
    sideOf(
      reference.columns,
      group,
      await loadSpilledColumns(
        group.map((name) => reference.columns.columns.get(name)!),
        { pool: reference.pool, signal, sort: true },
      ),
    );
  for (const d of ref.columns.values())
    if (d.kind === 'numerical' && d.count > 0 && d.sorted) d.std ??= populationStd(d.values.subarray(0, d.count));
  return [ref, sideOf(current.columns, group, await curPromise)];
}

function loadInWorker(columns: ColumnData[], pool: BufferPool, signal?: AbortSignal): Promise<ColumnData[]> {
  const buffers = pool.drain();
  return runInWorker<ColumnData[]>(
    { type: 'load', columns, pool: buffers },
    buffers,
    () => loadSpilledColumns(columns, { signal, sort: true }),
    { signal, rebuild: rebuildError, abortError: () => abortError(signal!), onSpare: (spare) => spare.forEach((b) => pool.put(b)) },
  );
}
