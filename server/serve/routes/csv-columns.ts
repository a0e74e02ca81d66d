/**
 * How the columns of an uploaded CSV feed the model's features, and what prediction columns the output
 * CSV gets. Shared by the streaming batch route and MLflow's `text/csv` body.
 */
import type { RowPrediction } from '../../protocol/api';
import { InputError } from '../../protocol/codec';
import type { FeatureRecord, Signature } from '../../protocol/signature';

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
  const missing = signature.features.filter((_, i) => featureColumns[i]! < 0).map((f) => f.name);
  throw new InputError('CSV header', `no column for feature(s) ${missing.join(', ')}; the header has ${header.length} columns ` +
    `(${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''}) and the model needs ${signature.features.length} ` +
    `(${signature.features.map((f) => f.name).join(', ')}): name the columns like the features, or send exactly the feature columns in order`);
}

/** A CSV row as a record keyed by feature name. */
export function recordFromCsv(signature: Signature, mapping: ColumnMapping, values: string[]): FeatureRecord {
  const record: FeatureRecord = {};
  signature.features.forEach((f, i) => { record[f.name] = values[mapping.featureColumns[i]!]; });
  return record;
}

/** Prediction columns known from the signature alone: `label`, `p_<class>`…, or `prediction[_i]`. */
export function predictionColumns(signature: Signature, sample?: RowPrediction): string[] {
  const columns: string[] = [];
  const add = (c: string) => { if (!columns.includes(c)) columns.push(c); };
  for (const out of signature.outputs) {
    if (out.role === 'label') add('label');
    if (out.role === 'probabilities' || out.role === 'scores') {
      add('label');
      const width = out.dims[out.dims.length - 1];
      const names = out.classNames ?? signature.classNames ??
        (sample?.probabilities ? Object.keys(sample.probabilities) : typeof width === 'number' ? Array.from({ length: width }, (_, i) => String(i)) : []);
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
