/**
 * Reads the reference and the current file of one pass through csv/parallel.ts (the current file in the
 * worker thread, the reference here, both sorted, the norm precomputed); when either side is Parquet, with
 * the reader that picks CSV or Parquet by extension (table.ts) and keeps Parquet errors' class.
 */
import type { WorkerMessage } from './threads';
import { readBoth, rebuildError, type SideRequest } from './csv/parallel';
import type { CsvColumns } from './csv/read';
import { ParquetFormatError } from './parquet/errors';
import { isParquet, readTableColumns } from './table';
import { ModelLabError } from '../protocol/errors';

export function readSides(
  reference: SideRequest,
  current: SideRequest,
  useWorker = true,
  fromCache?: () => Promise<CsvColumns | null>,
  onBothRead?: (ref: CsvColumns, cur: CsvColumns) => void,
): Promise<[CsvColumns, CsvColumns]> {
  if (!isParquet(reference.file) && !isParquet(current.file))
    return readBoth(reference, current, useWorker, fromCache, undefined, onBothRead);
  return readBoth(reference, current, useWorker, fromCache, { read: readTableColumns, rebuild: rebuildTableError }, onBothRead);
}

/** The worker's error as this thread would have thrown it (Parquet and input errors keep their class). */
export function rebuildTableError(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.name === 'ParquetFormatError') return ParquetFormatError.rebuilt(message.message);
  if (message.name === 'ModelLabError') return new ModelLabError(message.message);
  return rebuildError(message);
}
