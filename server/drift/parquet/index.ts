/**
 * The Parquet reader's one entry: what the drift engine reads from a Parquet file (columns, header, row
 * count) and what prediction drift reads (rows as text cells). Loaded only when a Parquet file is given
 * (table.ts, the worker, prediction drift), and in the drift CLI a bundle of its own, drift-parquet.js
 * (scripts/build.mjs), so a check of two CSVs never reads or compiles hyparquet.
 */
export { parquetRowCount, readParquetColumns, readParquetHeader } from './read';
export { parquetTextRows, writeCsvHead, type TextRows } from './rows';
