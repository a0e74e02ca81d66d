/**
 * The data an explanation works on: the model's features read from a CSV into one numeric matrix
 * (row-major, rows × features, float64), where a category feature holds the index of its value in
 * `categories`. Perturbing a row (shuffle a column, set a grid value, mix in a background row) is then
 * plain number copying whatever the model's inputs look like; ./predictor.ts turns rows back into the
 * model's tensors (packed, per-column, strings) through the signature.
 */
import { parse } from 'csv-parse';
import { ModelLabError } from '../protocol/errors';
import type { Feature, Signature } from '../protocol/signature';
import { csvDelimiterOf } from '../model/csv-separator';
import { fileReadProblem, readFileThrough } from '../model/file-stream';
import { CsvError, csvError } from '../model/reference';
import { mapColumns } from '../model/csv-rows';

export interface TableFeature {
  name: string;
  /** `category`: the matrix holds an index into `categories`; `number`: the value itself (NaN when missing). */
  kind: 'number' | 'category';
  categories: string[];
}

export interface DataTable {
  features: TableFeature[];
  rows: number;
  /** rows × features, row-major. */
  values: Float64Array;
  /** The target column's cells (as read), when a target was asked for. */
  target: string[] | null;
  targetName: string | null;
  /** Data rows in the file (before any cap). */
  rowsInFile: number;
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', 'n/a']);

/** The features of `signature` as the table holds them; category lists start from the signature's own. */
export function tableFeatures(signature: Signature): TableFeature[] {
  return signature.features.map((f: Feature) => {
    if (f.kind === 'image')
      throw new ModelLabError(`feature ${f.name} is an image; explanations work on tabular models only`, { status: 422 });
    return f.kind === 'category'
      ? { name: f.name, kind: 'category', categories: [...(f.categories ?? [])] }
      : { name: f.name, kind: 'number', categories: [] };
  });
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean' || typeof cell === 'bigint') return String(cell);
  return JSON.stringify(cell);
}

/** The number a cell becomes in the matrix (booleans as 0/1, missing numbers as NaN). */
export function cellValue(feature: TableFeature, cell: unknown): number {
  if (feature.kind === 'category') {
    const text = cellText(cell);
    let index = feature.categories.indexOf(text);
    if (index < 0) index = feature.categories.push(text) - 1;
    return index;
  }
  if (typeof cell === 'number') return cell;
  if (typeof cell === 'boolean') return cell ? 1 : 0;
  const text = cellText(cell).trim();
  if (MISSING.has(text.toLowerCase())) return NaN;
  if (text === 'true' || text === 'false') return text === 'true' ? 1 : 0;
  const n = Number(text);
  if (!Number.isFinite(n)) throw new ModelLabError(`column ${feature.name}: '${text}' is not a number`, { field: feature.name });
  return n;
}

/** One matrix row as plain values (category names, numbers), for reports. */
export function rowValues(table: DataTable, values: Float64Array, row: number): (number | string | null)[] {
  const width = table.features.length;
  return table.features.map((f, j) => {
    const v = values[row * width + j];
    if (f.kind === 'category') return f.categories[v] ?? null;
    return Number.isNaN(v) ? null : v;
  });
}

export interface ReadTableOptions {
  /** Column holding the true label/value (for permutation importance scores). */
  target?: string;
  /** When the target column is missing: false (default) refuses, true reads no target. */
  targetOptional?: boolean;
  /** Read at most this many data rows (default 100,000): explanations sample rows anyway. */
  maxRows?: number;
}

/** Reads `path` (a CSV with a header naming the features) into a table for `signature`. */
export async function readTable(path: string, signature: Signature, options: ReadTableOptions = {}): Promise<DataTable> {
  const features = tableFeatures(signature);
  const maxRows = options.maxRows ?? 100_000;
  const delimiter = await csvDelimiterOf(path);
  const parser = readFileThrough(path, parse({ bom: true, delimiter, relax_column_count: false, skip_empty_lines: true, trim: true }));
  let header: string[] | undefined;
  let columns: number[] = [];
  let targetColumn = -1;
  const cells: number[] = [];
  const target: string[] = [];
  let rowsInFile = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = record;
        columns = mapColumns(signature, header).featureColumns;
        if (options.target !== undefined) {
          targetColumn = header.indexOf(options.target);
          if (targetColumn < 0 && !options.targetOptional)
            throw new ModelLabError(`target: the CSV has no column '${options.target}' (its columns: ${header.slice(0, 30).join(', ')})`, {
              field: 'target',
            });
        }
        continue;
      }
      rowsInFile++;
      if (rowsInFile > maxRows) continue;
      features.forEach((f, j) => {
        try {
          cells.push(cellValue(f, record[columns[j]]));
        } catch (err) {
          throw new CsvError(path, rowsInFile + 1, f.name, (err as Error).message.replace(/^column [^:]+: /, ''));
        }
      });
      if (targetColumn >= 0) target.push(record[targetColumn]);
    }
  } catch (err) {
    if (err instanceof ModelLabError) throw err;
    const unreadable = fileReadProblem(err);
    if (unreadable) throw new CsvError(path, undefined, undefined, `cannot read the file: ${unreadable}`);
    throw csvError(path, err);
  } finally {
    parser.destroy();
  }
  if (!header) throw new CsvError(path, 1, undefined, 'the file is empty; expected a header row');
  const rows = Math.min(rowsInFile, maxRows);
  if (rows === 0) throw new CsvError(path, 2, undefined, 'the file has a header but no rows');
  return {
    features,
    rows,
    values: Float64Array.from(cells),
    target: targetColumn >= 0 ? target : null,
    targetName: targetColumn >= 0 ? (options.target ?? null) : null,
    rowsInFile,
  };
}

/**
 * A table from records keyed by feature name (the form's input, tests). Pass the `features` of the data
 * table the rows will be mixed with, so both code categories alike.
 */
export function tableFromRecords(signature: Signature, records: Record<string, unknown>[], features = tableFeatures(signature)): DataTable {
  const values = new Float64Array(records.length * features.length);
  records.forEach((record, r) =>
    features.forEach((f, j) => {
      if (!(f.name in record)) throw new ModelLabError(`record: no value for feature ${f.name}`, { field: f.name });
      values[r * features.length + j] = cellValue(f, record[f.name]);
    }),
  );
  return { features, rows: records.length, values, target: null, targetName: null, rowsInFile: records.length };
}

/** Rows `indices` of `table` as a new matrix. */
export function takeRows(table: DataTable, indices: ArrayLike<number>): Float64Array {
  const width = table.features.length;
  const out = new Float64Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) out.set(table.values.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  return out;
}
