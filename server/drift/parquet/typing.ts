/**
 * How a Parquet column is typed, following pandas' `read_parquet` (pyarrow engine), so that a column
 * gets the kind the CSV path gives the same data written by `to_csv`:
 * - FLOAT, DOUBLE, FLOAT16, DECIMAL → numbers (pandas: float64; decimals are objects there, but their
 *   CSV spelling parses as numbers, so numbers here); nulls, NaN and ±inf are missing (±inf counted).
 * - INT32/INT64 (any width, signed or not) → numbers; an integer column with no null is "integer
 *   dtype" (pandas: int64), one with nulls is float64 (pandas turns nulls into NaN).
 * - BOOLEAN → categories "True"/"False" (the CSV path reads pandas' `True`/`False` as text).
 * - strings (UTF8, ENUM, JSON, UUID, plain BYTE_ARRAY), dictionary-encoded or not → categories, as
 *   pandas' object/category dtypes; only nulls are missing (an empty string or "NA" is a value, as in
 *   pandas; the CSV path cannot tell them from missing cells).
 * - TIMESTAMP, INT96, DATE → categories spelled as `to_csv` writes them (`2024-01-31 12:00:00`).
 * - nested (LIST, MAP, STRUCT), TIME, INTERVAL, BSON, geometry → not comparable: refused by name.
 */
import type { SchemaTree } from 'hyparquet';

export type ParquetValueKind = 'number' | 'integer' | 'boolean' | 'text' | 'timestamp' | 'date' | 'unsupported';

export interface ParquetColumnType {
  kind: ParquetValueKind;
  /** For 'unsupported': what the column is, in words. */
  what?: string;
}

/** The kind of one top-level column of the schema. */
export function columnType(node: SchemaTree): ParquetColumnType {
  const e = node.element;
  if (node.children.length > 0) {
    const what = e.logical_type?.type ?? e.converted_type ?? 'STRUCT';
    return { kind: 'unsupported', what: `a nested (${what.toLowerCase()}) column` };
  }
  if (e.repetition_type === 'REPEATED') return { kind: 'unsupported', what: 'a repeated (list) column' };
  const logical = e.logical_type?.type;
  const converted = e.converted_type;
  if (logical === 'DECIMAL' || converted === 'DECIMAL' || logical === 'FLOAT16') return { kind: 'number' };
  if (logical === 'DATE' || converted === 'DATE') return { kind: 'date' };
  if (logical === 'TIMESTAMP' || converted === 'TIMESTAMP_MILLIS' || converted === 'TIMESTAMP_MICROS') return { kind: 'timestamp' };
  if (logical === 'TIME' || converted === 'TIME_MILLIS' || converted === 'TIME_MICROS')
    return { kind: 'unsupported', what: 'a time-of-day column' };
  for (const name of ['INTERVAL', 'BSON', 'GEOMETRY', 'GEOGRAPHY', 'VARIANT', 'MAP', 'LIST'] as const) {
    if (logical === name || converted === name) return { kind: 'unsupported', what: `a ${name.toLowerCase()} column` };
  }
  switch (e.type) {
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'INT32':
    case 'INT64':
      return { kind: 'integer' };
    case 'INT96':
      return { kind: 'timestamp' };
    case 'FLOAT':
    case 'DOUBLE':
      return { kind: 'number' };
    case 'BYTE_ARRAY':
    case 'FIXED_LEN_BYTE_ARRAY':
      return { kind: 'text' };
    default:
      return { kind: 'unsupported', what: `a column of physical type ${String(e.type)}` };
  }
}

/** Kinds whose values are numbers (the others become categories). */
export const isNumericKind = (kind: ParquetValueKind) => kind === 'number' || kind === 'integer';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A timestamp as pandas' `to_csv` writes a naive datetime64 value: `YYYY-MM-DD HH:MM:SS`, with the
 * fraction only when there is one (micro- or nanoseconds). `nanos` since the epoch (UTC).
 */
export function formatTimestamp(nanos: bigint): string {
  const NS_PER_DAY = 86_400_000_000_000n;
  let days = nanos / NS_PER_DAY;
  let rest = nanos % NS_PER_DAY;
  if (rest < 0n) {
    rest += NS_PER_DAY;
    days -= 1n;
  }
  const seconds = Number(rest / 1_000_000_000n);
  const fraction = Number(rest % 1_000_000_000n);
  const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  const text = `${formatDate(Number(days))} ${time}`;
  if (fraction === 0) return text;
  const digits = pad(fraction, 9);
  return `${text}.${digits.endsWith('000') ? digits.slice(0, 6) : digits}`;
}

/** A DATE as pandas writes a `datetime.date`: `YYYY-MM-DD`. */
export function formatDate(days: number): string {
  const d = new Date(days * 86_400_000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * A number as pandas writes it to a CSV (Python's `repr`): shortest round-trip digits like JS, but an
 * integral float keeps `.0` and the exponent form starts at 1e16 and below 1e-4 (`1e-05`, `1e+16`).
 * Used when a numeric column is compared as categories (forced, or text in the other file).
 */
export function formatNumber(value: number, integer: boolean): string {
  if (integer || !Number.isFinite(value))
    return Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e16 || abs < 1e-4)) {
    const [mantissa, exponent] = value.toExponential().split('e');
    const e = Number(exponent);
    return `${mantissa}e${e < 0 ? '-' : '+'}${pad(Math.abs(e))}`;
  }
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}
