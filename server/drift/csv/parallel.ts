/**
 * Reads the reference and the current file at the same time: the current file in the engine's
 * worker thread, the reference on this thread (parsing is the largest cost of a check and the machines
 * this runs on have ≥ 2 cores). Each side is sorted where it was read, so sorting is split too.
 * Without a worker (see threads.ts) both are read here, one after the other — same results.
 */
import { populationStd } from '../stattests/wasserstein';
import { runInWorker, type WorkerMessage } from '../threads';
import { abortError, readCsvColumns, sortColumns, type CsvColumns, type ReadCsvOptions } from './read';
import { CsvFormatError } from './tokenizer';

export interface SideRequest {
  file: string;
  options: ReadCsvOptions;
}

/** How one side is read on this thread, and how the worker's error comes back as that reader's error. */
export interface SideReader {
  read: (file: string, options: ReadCsvOptions) => Promise<CsvColumns>;
  rebuild: (message: Extract<WorkerMessage, { type: 'error' }>) => Error;
}

/**
 * Reads both sides concurrently when a worker is available; results are sorted (`sort: true`).
 * `fromCache` may supply the reference instead of reading it (null = read it after all). `reader`: CSV by
 * default; read-sides.ts passes the reader that also takes Parquet (the worker picks by extension itself).
 * `onBothRead` is called once both sides are read, possibly before either is sorted: what it may
 * use then is what sorting leaves alone (the row samples, kinds and counts), not the values.
 */
export async function readBoth(
  reference: SideRequest,
  current: SideRequest,
  useWorker = true,
  fromCache?: () => Promise<CsvColumns | null>,
  reader: SideReader = { read: readCsvColumns, rebuild: rebuildError },
  onBothRead?: (ref: CsvColumns, cur: CsvColumns) => void,
): Promise<[CsvColumns, CsvColumns]> {
  if (!useWorker) {
    const ref = (await fromCache?.()) ?? (await reader.read(reference.file, { ...reference.options, sort: true }));
    const cur = await reader.read(current.file, { ...current.options, sort: true });
    onBothRead?.(ref, cur);
    return [ref, cur];
  }
  // If either side fails, the other is stopped.
  const controller = new AbortController();
  const outer = current.options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    // The current file in the worker, the reference here; this thread also does reference-only work
    // the tests need (sorting, the Wasserstein norm).
    const mainIdle = new Int32Array(new SharedArrayBuffer(4));
    const curPromise = readInWorker(current, controller.signal, reader, mainIdle);
    let curRead: CsvColumns | null = null;
    let told = false;
    const tell = (ref: CsvColumns, cur: CsvColumns) => {
      if (told || !onBothRead) return;
      told = true;
      onBothRead(ref, cur);
    };
    const refPromise = (async () => {
      const cached = await fromCache?.();
      // Sorted here rather than inside the read: when the worker is done first, `onBothRead` (the MMD
      // test, in that idle worker) then starts before this sort, not after it.
      const ref = cached ?? (await reader.read(reference.file, { ...reference.options, signal: controller.signal }));
      if (curRead !== null) tell(ref, curRead);
      sortColumns(ref.columns.values(), reference.options.pool);
      for (const d of ref.columns.values())
        if (d.kind === 'numerical' && d.count > 0 && d.sorted) d.std ??= populationStd(d.values.subarray(0, d.count));
      // Nothing left here but waiting: the worker may leave its sort to this thread (see WorkerJob).
      Atomics.store(mainIdle, 0, 1);
      // No second worker is booted for what comes next (MMD, the next pass): the reading worker is
      // kept for it when it is done (threads.ts), which saves a thread's start-up CPU.
      return ref;
    })();
    void curPromise.then(
      (cur) => (curRead = cur),
      () => controller.abort(),
    );
    refPromise.catch(() => controller.abort());
    const both = await Promise.all([refPromise, curPromise]);
    // The MMD test first (into the worker, now free), then the current side's sort if the worker left it
    // here: on a 200k-row pair the worker starts ~100 ms after this thread and finishes its read last.
    tell(...both);
    sortColumns(both[1].columns.values(), current.options.pool);
    return both;
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function readInWorker(side: SideRequest, signal: AbortSignal, reader: SideReader, mainIdle: Int32Array): Promise<CsvColumns> {
  const { signal: _s, onProgress, categorical, pool, ...plain } = side.options;
  const buffers = pool?.drain() ?? [];
  return runInWorker<CsvColumns>(
    {
      type: 'read',
      file: side.file,
      options: { ...plain, sort: true, categorical: [...(categorical ?? [])] },
      pool: buffers,
      mainIdle: mainIdle.buffer as SharedArrayBuffer,
    },
    buffers,
    () => reader.read(side.file, { ...side.options, pool: undefined, signal, sort: true }),
    {
      signal,
      onProgress,
      rebuild: reader.rebuild,
      abortError: () => abortError(signal),
      onSpare: (spare) => spare.forEach((b) => pool?.put(b)),
    },
  );
}

/** The worker's error as the error the engine would have thrown here. */
export function rebuildError(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.where) return new CsvFormatError(message.where.file, message.where.line, message.where.column, message.where.detail);
  const err = new Error(message.message) as NodeJS.ErrnoException;
  err.name = message.name;
  if (message.code) err.code = message.code;
  return err;
}

export { sortColumns };
