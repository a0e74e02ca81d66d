/**
 * CSV rows ↔ records and predictions ↔ CSV cells, shared by the server's CSV batch route, MLflow's
 * `text/csv` body and the CLI's `predict`, so every face writes the same columns and the same errors.
 */
import type { RowPrediction } from '../protocol/api';
import { decodePredictions, encodeRecords, InputError, type PlainTensor } from '../protocol/codec';
import { quote } from '../protocol/limits';
import type { FeatureRecord, Signature } from '../protocol/signature';

/** For each feature (in signature order), the index of the CSV column holding it. */
export interface ColumnMapping {
  featureColumns: number[];
  /** How the mapping was made, for the `X-Model-Lab-Columns` header and messages. */
  matchedBy: 'name' | 'position';
}

/**
 * Matches header names to feature names (exact, then trimmed case-insensitive); when some feature has no
 * column of its name but the CSV is exactly as wide as the feature list, columns are taken by position.
 */
export function mapColumns(signature: Signature, header: string[]): ColumnMapping {
  const norm = (s: string) => s.trim().toLowerCase();
  const featureColumns = signature.features.map((f) => {
    const exact = header.indexOf(f.name);
    return exact >= 0 ? exact : header.findIndex((h) => norm(h) === norm(f.name));
  });
  if (featureColumns.every((i) => i >= 0)) return { featureColumns, matchedBy: 'name' };
  if (header.length === signature.features.length) return { featureColumns: header.map((_, i) => i), matchedBy: 'position' };
  const missing = signature.features.filter((_, i) => featureColumns[i] < 0).map((f) => f.name);
  throw new InputError(
    'CSV header',
    `no column for feature(s) ${missing.join(', ')}; the header has ${header.length} columns ` +
      `(${quote(
        header
          .slice(0, 20)
          .map((h) => quote(h, 40))
          .join(', '),
      )}${header.length > 20 ? ', …' : ''}) and the model needs ${signature.features.length} ` +
      (`(${signature.features.map((f) => f.name).join(', ')}): name the columns like the ` +
        `features, or send exactly the feature columns in order`),
  );
}

/** A CSV row as a record keyed by feature name. */
export function recordFromCsv(signature: Signature, mapping: ColumnMapping, values: string[]): FeatureRecord {
  const record: FeatureRecord = {};
  signature.features.forEach((f, i) => {
    record[f.name] = values[mapping.featureColumns[i]];
  });
  return record;
}

/** Prediction columns known from the signature alone: `label`, `p_<class>`…, or `prediction[_i]`. */
export function predictionColumns(signature: Signature, sample?: RowPrediction): string[] {
  const columns: string[] = [];
  const add = (c: string) => {
    if (!columns.includes(c)) columns.push(c);
  };
  for (const out of signature.outputs) {
    if (out.role === 'label') add('label');
    if (out.role === 'probabilities' || out.role === 'scores') {
      add('label');
      const width = out.dims[out.dims.length - 1];
      const names =
        out.classNames ??
        signature.classNames ??
        (sample?.probabilities
          ? Object.keys(sample.probabilities)
          : typeof width === 'number'
            ? Array.from({ length: width }, (_, i) => String(i))
            : []);
      for (const n of names) add(`p_${n}`);
    }
    if (out.role === 'value') {
      const width = out.dims.length > 1 ? out.dims[out.dims.length - 1] : 1;
      const n = typeof width === 'number' ? width : Array.isArray(sample?.value) ? sample.value.length : 1;
      if (n === 1) add('prediction');
      else for (let i = 0; i < n; i++) add(`prediction_${out.names?.[i] ?? i}`);
    }
    if (out.role === 'raw') add(out.tensor);
  }
  return columns;
}

/** One prediction as values of `columns` (empty strings where the prediction has nothing). */
export function predictionCells(columns: string[], p: RowPrediction | undefined): string[] {
  if (!p) return columns.map(() => '');
  const values = Array.isArray(p.value) ? p.value : p.value === undefined ? [] : [p.value];
  let valueIndex = 0;
  return columns.map((c) => {
    if (c === 'label') return p.label === undefined ? '' : String(p.label);
    if (c.startsWith('p_') && p.probabilities && c.slice(2) in p.probabilities) return String(p.probabilities[c.slice(2)]);
    if (c === 'prediction' || c.startsWith('prediction_')) {
      const v = values[valueIndex++];
      return v === undefined ? '' : String(v);
    }
    if (p.raw && c in p.raw) return JSON.stringify(p.raw[c]);
    return '';
  });
}

/** An InputError's message without its `row N, field: ` prefix, to re-address it as a CSV line/column. */
export function inputErrorDetail(err: InputError): string {
  const prefix = err.row === undefined ? `${err.field}: ` : `row ${err.row + 1}, ${err.field}: `;
  return err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
}

/** `line 12, column distance: expected a float32 number, got "abc"` */
export function csvValueError(err: InputError, line: number): string {
  return `line ${line}, column ${err.field}: ${inputErrorDetail(err)}`;
}

/** A data row of a CSV file: its 1-based line number and its cells. */
export interface CsvRow {
  line: number;
  values: string[];
}

/** What became of one row: a prediction, or an error naming the line and column. */
export interface RowResult {
  row: CsvRow;
  prediction?: RowPrediction;
  error?: string;
}

/**
 * Predicts a chunk of CSV rows. Rows that encode run together through `run` (in steps of the batch size
 * for fixed-batch models); a row that does not encode gets its own error and the others still run.
 */
export async function predictCsvChunk(
  signature: Signature,
  header: string[],
  mapping: ColumnMapping,
  rows: CsvRow[],
  run: (inputs: PlainTensor[]) => Promise<PlainTensor[]>,
): Promise<RowResult[]> {
  const results: RowResult[] = rows.map((row) => ({ row }));
  const good: { result: RowResult; record: FeatureRecord }[] = [];
  for (const result of results) {
    if (result.row.values.length !== header.length) {
      result.error = `line ${result.row.line}: expected ${header.length} columns like the header, got ${result.row.values.length}`;
      continue;
    }
    good.push({ result, record: recordFromCsv(signature, mapping, result.row.values) });
  }
  // Encoding the whole chunk is the fast path; only when it fails are rows encoded one by one to find the bad ones.
  let valid = good;
  if (signature.batch.dynamic) {
    try {
      encodeRecords(
        signature,
        good.map((g) => g.record),
      );
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      valid = good.filter((g) => encodesAlone(signature, g));
    }
  } else {
    valid = good.filter((g) => encodesAlone(signature, g, signature.batch.size ?? 1));
  }
  const step = signature.batch.dynamic ? Math.max(valid.length, 1) : (signature.batch.size ?? 1);
  for (let i = 0; i < valid.length; i += step) {
    const part = valid.slice(i, i + step);
    if (part.length < step) {
      const message =
        `line ${part[0].result.row.line}: this model takes exactly ${step} rows per run (fixed ` +
        `batch) and the file ends with ${part.length}`;
      for (const g of part) g.result.error = message;
      break;
    }
    try {
      const outputs = await run(
        encodeRecords(
          signature,
          part.map((g) => g.record),
        ),
      );
      decodePredictions(signature, outputs).forEach((p, j) => {
        part[j].result.prediction = p;
      });
    } catch (err) {
      const message =
        `lines ${part[0].result.row.line}-${part[part.length - 1].result.row.line}: inference ` + `failed: ${(err as Error).message}`;
      for (const g of part) g.result.error = message;
    }
  }
  return results;
}

/** Whether one row encodes (checked as `copies` identical rows for fixed-batch models); sets its error if not. */
function encodesAlone(signature: Signature, g: { result: RowResult; record: FeatureRecord }, copies = 1): boolean {
  try {
    encodeRecords(
      signature,
      Array.from({ length: copies }, () => g.record),
    );
    return true;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    g.result.error = csvValueError(err, g.result.row.line);
    return false;
  }
}

/** Record-per-row view of a header mapping, for engines that read CSVs themselves (drift). */
export interface CsvRowMapper {
  matchedBy: 'name' | 'position';
  toRecord(cells: string[]): FeatureRecord;
}

export function csvRowMapper(signature: Signature, header: string[]): CsvRowMapper {
  const mapping = mapColumns(signature, header);
  return { matchedBy: mapping.matchedBy, toRecord: (cells) => recordFromCsv(signature, mapping, cells) };
}

/** Empty CSV cells are missing values: for numeric features that is an error the row reports, not a 0. */
export function cleanCells(record: FeatureRecord): FeatureRecord {
  for (const key of Object.keys(record)) if (record[key] === '') record[key] = null;
  return record;
}
