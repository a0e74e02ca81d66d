/**
 * Which files the drift routes may open: data files the owner named, by extension (CSV and Parquet,
 * which the drift engine reads), and `.onnx` models for prediction drift. Anything else (`.env`,
 * keys, source) is refused before the disk is touched, and again after symlinks are followed
 * (`data.csv → ../.env` is no data file). The file list in the Drift tab and the checks use this one list.
 */
import { DATA_FILE_EXTENSIONS, DRIFT_DATA_FILE_EXTENSIONS, hasExtension } from '../../protocol/data-files';

export { DATA_FILE_EXTENSIONS, DRIFT_DATA_FILE_EXTENSIONS, hasExtension };

/** Extensions of the model a drift check may load for prediction drift. */
export const MODEL_FILE_EXTENSIONS: readonly string[] = ['.onnx'];
