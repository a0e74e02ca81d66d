/**
 * Reads the reference and the current file of one pass through csv/parallel.ts (the current file in the
 * worker thread, the reference here, both sorted, the norm precomputed); when either side is Parquet, with
 * the reader that picks CSV or Parquet by extension (table.ts) and keeps Parquet errors' class.
 */
import { readBoth, type SideRequest } from './csv/parallel';
import type { CsvColumns } from './csv/read';
import { isParquet, readTableColumns, rebuildTableError } from './table';

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
