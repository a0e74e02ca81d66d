/**
 * The engine's data files by extension: `.parquet` is read by parquet/ (loaded only when a Parquet
 * file is given, so CSV checks and other commands do not pay for it), anything else as a CSV. Both
 * give the same CsvColumns, so everything after reading is shared.
 */
import { extname } from 'node:path';
import { CancelledError, ModelLabError } from '../protocol/errors';
import { readHeader } from './csv/header';
import { rebuildError } from './csv/parallel';
import { readCsvColumns, type CsvColumns, type ReadCsvOptions } from './csv/read';
import { ParquetFormatError } from './parquet/errors';
import { errorMessage, type WorkerMessage } from './threads';

/** Extensions the engine reads as Parquet (lower case, with the dot). */
export const PARQUET_EXTENSIONS: readonly string[] = ['.parquet'];

export const isParquet = (file: string): boolean => PARQUET_EXTENSIONS.includes(extname(file).toLowerCase());

/**
 * Runs `read` with the Parquet reader. In the drift CLI that reader is a bundle of its own
 * (drift-parquet.js, scripts/build.mjs) with its own copies of the error classes, so what it throws would
 * fail `instanceof ModelLabError` (and a bad file would look like a fault of ours): its errors are
 * thrown again as this bundle's, by name, as the worker thread's are. Where there is one copy of the
 * classes (from source, the server's bundle) they pass as they are.
 */
async function withParquet<T>(read: (reader: typeof import('./parquet')) => Promise<T>): Promise<T> {
  const reader = await import('./parquet');
  try {
    return await read(reader);
  } catch (err) {
    if (err instanceof ModelLabError || typeof (err as { status?: unknown } | null)?.status !== 'number') throw err;
    // A ModelLabError of the other bundle's copy: the same class here when it is one of the reader's,
    // else a ModelLabError with its status and exit code (bad input stays bad input).
    const e = err as ModelLabError;
    if (e.name === 'ParquetFormatError' || e.name === 'CancelledError') throw rebuildTableError(errorMessage(e));
    throw new ModelLabError(e.message, { status: e.status, exitCode: e.exitCode });
  }
}

/** Column names of a CSV's header or a Parquet file's schema. */
export async function readTableHeader(file: string): Promise<string[]> {
  return isParquet(file) ? withParquet((p) => p.readParquetHeader(file)) : readHeader(file);
}

/** The columns of a CSV or Parquet file, as the engine compares them. */
export async function readTableColumns(file: string, options: ReadCsvOptions = {}): Promise<CsvColumns> {
  return isParquet(file) ? withParquet((p) => p.readParquetColumns(file, options)) : readCsvColumns(file, options);
}

/** Data rows of a Parquet file (exact, from its footer), or null for a CSV (estimated elsewhere). */
export async function parquetRows(file: string): Promise<number | null> {
  return isParquet(file) ? withParquet((p) => p.parquetRowCount(file)) : null;
}

/**
 * An error of the worker thread (or of the Parquet reader's bundle) as this thread would have thrown it:
 * Parquet and input errors keep their class.
 */
export function rebuildTableError(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.name === 'ParquetFormatError') return ParquetFormatError.rebuilt(message.message);
  if (message.name === 'ModelLabError') return new ModelLabError(message.message);
  if (message.name === 'CancelledError') return new CancelledError(message.message);
  return rebuildError(message);
}
