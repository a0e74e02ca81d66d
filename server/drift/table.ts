/**
 * The engine's data files by extension: `.parquet` is read by parquet/ (loaded only when a Parquet
 * file is given, so CSV checks and other commands do not pay for it), anything else as a CSV. Both
 * give the same CsvColumns, so everything after reading is shared.
 */
import { extname } from 'node:path';
import { readHeader } from './csv/header';
import { readCsvColumns, type CsvColumns, type ReadCsvOptions } from './csv/read';

/** Extensions the engine reads as Parquet (lower case, with the dot). */
export const PARQUET_EXTENSIONS: readonly string[] = ['.parquet'];

export const isParquet = (file: string): boolean => PARQUET_EXTENSIONS.includes(extname(file).toLowerCase());

const parquet = () => import('./parquet/read');

/** Column names of a CSV's header or a Parquet file's schema. */
export async function readTableHeader(file: string): Promise<string[]> {
  return isParquet(file) ? (await parquet()).readParquetHeader(file) : readHeader(file);
}

/** The columns of a CSV or Parquet file, as the engine compares them. */
export async function readTableColumns(file: string, options: ReadCsvOptions = {}): Promise<CsvColumns> {
  return isParquet(file) ? (await parquet()).readParquetColumns(file, options) : readCsvColumns(file, options);
}

/** Data rows of a Parquet file (exact, from its footer), or null for a CSV (estimated elsewhere). */
export async function parquetRows(file: string): Promise<number | null> {
  return isParquet(file) ? (await parquet()).parquetRowCount(file) : null;
}
