/**
 * A look at the reference CSV: header, a sample of rows for the form, and per-column facts (numeric
 * or not, range, distinct values) that name and describe features. Reads at most `scanRows` rows, so
 * a huge reference costs the same as a small one.
 */
import { parse } from 'csv-parse';
import type { ReferenceSample } from '../protocol/api';
import { ModelLabError } from '../protocol/errors';
import { csvDelimiterOf } from './csv-separator';
import { fileReadProblem, readFileThrough } from './file-stream';
import { uniqueHeader } from './csv-header';

export interface ColumnFacts {
  name: string;
  numeric: boolean;
  integer: boolean;
  min?: number;
  max?: number;
  /** Distinct non-empty values in order of first appearance, up to `MAX_DISTINCT` (undefined beyond). */
  distinct?: string[];
  missing: number;
}

export interface ReferenceLook {
  sample: ReferenceSample;
  columns: ColumnFacts[];
}

const MAX_DISTINCT = 200;

/** Error for a CSV that cannot be read, naming the file, line and column when the parser knows them (400 / exit 1). */
export class CsvError extends ModelLabError {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: string | number | undefined,
    reason: string,
  ) {
    super(`${file}${line ? `, line ${line}` : ''}${column !== undefined ? `, column ${column}` : ''}: ${reason}`, {
      status: 400,
      field: typeof column === 'string' ? column : undefined,
    });
  }
}

/** Turns a csv-parse error into a CsvError with line/column. */
export function csvError(file: string, err: unknown): CsvError {
  const e = err as { message?: string; lines?: number; column?: string | number; index?: number; code?: string };
  const reason = (e.message ?? String(err)).replace(/^Invalid Record Length: /, 'wrong number of fields: ').replace(/ at line \d+.*$/, '');
  const column = e.column !== undefined ? e.column : e.index !== undefined ? e.index + 1 : undefined;
  return new CsvError(file, e.lines, column, reason);
}

export async function readReference(path: string, options: { sampleRows?: number; scanRows?: number } = {}): Promise<ReferenceLook> {
  const sampleRows = options.sampleRows ?? 200;
  const scanRows = options.scanRows ?? 5000;
  const delimiter = await csvDelimiterOf(path);
  const parser = readFileThrough(path, parse({ bom: true, delimiter, relax_column_count: false, skip_empty_lines: true, trim: true }));
  let header: string[] | undefined;
  const rows: Record<string, string>[] = [];
  let facts: ColumnFacts[] = [];
  const distinct: Set<string>[] = [];
  let scanned = 0;
  let complete = true;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = uniqueHeader(record);
        facts = header.map((name) => ({ name, numeric: true, integer: true, missing: 0 }));
        header.forEach(() => distinct.push(new Set()));
        continue;
      }
      if (scanned >= scanRows) {
        complete = false;
        break;
      }
      scanned++;
      if (rows.length < sampleRows) rows.push(Object.fromEntries(header.map((h, i) => [h, record[i] ?? ''])));
      record.forEach((value, i) => observe(facts[i], distinct[i], value));
    }
  } catch (err) {
    const unreadable = fileReadProblem(err);
    if (unreadable) throw new CsvError(path, undefined, undefined, `cannot read the file: ${unreadable}`);
    throw csvError(path, err);
  } finally {
    parser.destroy();
  }
  if (!header) throw new CsvError(path, 1, undefined, 'the file is empty; expected a header row');
  facts.forEach((f, i) => {
    if (distinct[i].size <= MAX_DISTINCT) f.distinct = [...distinct[i]];
    if (f.missing === scanned) {
      f.numeric = false;
      f.integer = false;
    }
  });
  return { sample: { path, columns: header, rows, rowCount: complete ? scanned : null }, columns: facts };
}

const MISSING = new Set(['', 'na', 'nan', 'null', 'none', 'n/a']);

function observe(f: ColumnFacts, seen: Set<string>, value: string): void {
  if (MISSING.has(value.toLowerCase())) {
    f.missing++;
    return;
  }
  if (seen.size <= MAX_DISTINCT) seen.add(value);
  const n = Number(value);
  if (f.numeric && Number.isFinite(n)) {
    f.min = f.min === undefined ? n : Math.min(f.min, n);
    f.max = f.max === undefined ? n : Math.max(f.max, n);
    if (!Number.isInteger(n)) f.integer = false;
  } else {
    f.numeric = false;
    f.integer = false;
  }
}
