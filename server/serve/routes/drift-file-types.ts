/**
 * Which files the drift routes may open: data files the owner named, by extension (CSV and Parquet,
 * which the drift engine reads), and `.onnx` models for prediction drift. Anything else (`.env`,
 * keys, source) is refused before the disk is touched, and again after symlinks are followed
 * (`data.csv → ../.env` is no data file). The file list in the Drift tab and the checks use this one list.
 */
import { extname } from 'node:path';

/** Extensions of CSV data files (lower case, with the dot). */
export const DATA_FILE_EXTENSIONS: readonly string[] = ['.csv'];
/** Extensions a drift check reads: CSV and Parquet (other readers of data files, e.g. explain, take CSV only). */
export const DRIFT_DATA_FILE_EXTENSIONS: readonly string[] = [...DATA_FILE_EXTENSIONS, '.parquet'];
/** Extensions of the model a drift check may load for prediction drift. */
export const MODEL_FILE_EXTENSIONS: readonly string[] = ['.onnx'];

export function hasExtension(path: string, extensions: readonly string[]): boolean {
  return extensions.includes(extname(path).toLowerCase());
}
