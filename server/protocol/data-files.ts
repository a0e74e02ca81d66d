/**
 * Which data files the drift engine reads, by name: shared by the server's file checks and lists and
 * the extension's menus and file pickers, so all of them offer the same files.
 */
/** Extensions of CSV data files (lower case, with the dot). */
export const DATA_FILE_EXTENSIONS: readonly string[] = ['.csv'];
/**
 * Extensions a drift check reads: CSV (also tab-separated, and either gzip-compressed: the drift
 * reader tells the separator and the compression from the file's first bytes) and Parquet (other
 * readers of data files, e.g. explain, take plain CSV only).
 */
export const DRIFT_DATA_FILE_EXTENSIONS: readonly string[] = [...DATA_FILE_EXTENSIONS, '.tsv', '.csv.gz', '.tsv.gz', '.parquet'];

/** Whether the file's name ends in one of `extensions` (`.csv.gz` too), after at least one other character. */
export function hasExtension(path: string, extensions: readonly string[]): boolean {
  // The last path part, by hand: this module is also bundled where node:path is not (the UI's protocol).
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  return extensions.some((extension) => name.length > extension.length && name.endsWith(extension));
}
