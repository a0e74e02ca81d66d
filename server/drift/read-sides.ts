/**
 * Reads the reference and the current file of one pass. Two CSVs go through csv/parallel.ts; when
 * either side is Parquet, each side is read by its own reader (table.ts) the same way — the current
 * file in the worker thread, the reference here — with the same sorting and precomputed norm.
 */
import { prestartWorker, runInWorker, type WorkerMessage } from './threads';
import { readBoth, rebuildError, type SideRequest } from './csv/parallel';
import { abortError, type CsvColumns } from './csv/read';
import { ParquetFormatError } from './parquet/errors';
import { populationStd } from './stattests/wasserstein';
import { isParquet, readTableColumns } from './table';
import { ModelLabError } from '../protocol/errors';

export async function readSides(
  reference: SideRequest,
  current: SideRequest,
  useWorker = true,
  fromCache?: () => Promise<CsvColumns | null>,
): Promise<[CsvColumns, CsvColumns]> {
  if (!isParquet(reference.file) && !isParquet(current.file)) return readBoth(reference, current, useWorker, fromCache);
  if (!useWorker) {
    const ref = (await fromCache?.()) ?? (await readTableColumns(reference.file, { ...reference.options, sort: true }));
    const cur = await readTableColumns(current.file, { ...current.options, sort: true });
    return [ref, cur];
  }
  // If either side fails, the other is stopped.
  const controller = new AbortController();
  const outer = current.options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuterAbort();
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const curPromise = readInWorker(current, controller.signal);
    const refPromise = (async () =>
      (await fromCache?.()) ?? readTableColumns(reference.file, { ...reference.options, signal: controller.signal, sort: true }))().then(
      (ref) => {
        for (const d of ref.columns.values())
          if (d.kind === 'numerical' && d.count > 0) d.std ??= populationStd(d.values.subarray(0, d.count));
        prestartWorker();
        return ref;
      },
    );
    curPromise.catch(() => controller.abort());
    refPromise.catch(() => controller.abort());
    return await Promise.all([refPromise, curPromise]);
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

function readInWorker(side: SideRequest, signal: AbortSignal): Promise<CsvColumns> {
  const { signal: _s, onProgress, categorical, pool, ...plain } = side.options;
  const buffers = pool?.drain() ?? [];
  return runInWorker<CsvColumns>(
    { type: 'read', file: side.file, options: { ...plain, sort: true, categorical: [...(categorical ?? [])] }, pool: buffers },
    buffers,
    () => readTableColumns(side.file, { ...side.options, pool: undefined, signal, sort: true }),
    { signal, onProgress, rebuild: rebuildTableError, abortError: () => abortError(signal) },
  );
}

/** The worker's error as this thread would have thrown it (Parquet and input errors keep their class). */
export function rebuildTableError(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.name === 'ParquetFormatError') return ParquetFormatError.rebuilt(message.message);
  if (message.name === 'ModelLabError') return new ModelLabError(message.message);
  return rebuildError(message);
}
