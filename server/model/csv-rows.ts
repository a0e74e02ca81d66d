/**
 * CSV rows ↔ records and predictions ↔ CSV cells, shared by the server's CSV batch route and the CLI's
 * `predict`, so both write the same columns.
 */
import type { RowPrediction } from '../protocol/api';
import { InputError } from '../protocol/codec';
import type { FeatureRecord, Signature } from '../protocol/signature';

export interface CsvRowMapper {
  /** How columns were matched: by header name, or by position when the header does not name the features. */
  matchedBy: 'name' | 'position';
  toRecord(cells: string[]): FeatureRecord;
}

/**
 * Matches a CSV header to the signature's features: by name when every feature is a column, else by
 * position when the width equals the feature count. Throws an InputError naming the missing columns.
 */
export function csvRowMapper(signature: Signature, header: string[]): CsvRowMapper {
  const features = signature.features;
  if (features.some((f) => f.kind === 'image') || signature.inputs.some((b) => b.kind === 'raw')) {
    throw new InputError('csv', 'this model has image or tensor inputs, which CSV rows cannot carry; use the OIP v2 endpoint');
  }
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  const missing = features.filter((f) => !index.has(f.name));
  if (missing.length === 0) {
    const positions = features.map((f) => index.get(f.name)!);
    return {
      matchedBy: 'name',
      toRecord: (cells) => Object.fromEntries(features.map((f, j) => [f.name, cells[positions[j]!]])),
    };
  }
  if (header.length === features.length) {
    return { matchedBy: 'position', toRecord: (cells) => Object.fromEntries(features.map((f, j) => [f.name, cells[j]])) };
  }
  const shown = missing.slice(0, 5).map((f) => `'${f.name}'`).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
  throw new InputError('csv header', `missing column(s) ${shown}; the model needs ${features.length} features (${features.map((f) => f.name).join(', ')})`);
}

/** Empty CSV cells are missing values: for numeric features that is an error the row reports, not a 0. */
export function cleanCells(record: FeatureRecord): FeatureRecord {
  for (const key of Object.keys(record)) if (record[key] === '') record[key] = null;
  return record;
}

/** Prediction column names, derived from the signature and the first prediction. */
export function predictionColumns(signature: Signature, first: RowPrediction): string[] {
  const columns: string[] = [];
  if (first.label !== undefined) columns.push('label');
  if (first.probabilities) columns.push(...Object.keys(first.probabilities).map((c) => `p_${c}`));
  if (first.value !== undefined) {
    const names = signature.outputs.find((o) => o.role === 'value')?.names;
    if (Array.isArray(first.value)) columns.push(...first.value.map((_, i) => `prediction_${names?.[i] ?? i}`));
    else columns.push(names?.length === 1 ? `prediction_${names[0]}` : 'prediction');
  }
  for (const name of Object.keys(first.raw ?? {})) columns.push(`output_${name}`);
  return columns;
}

/** One prediction as CSV cells in the order of `columns`. */
export function predictionCells(columns: string[], p: RowPrediction): string[] {
  const values = Array.isArray(p.value) ? p.value : undefined;
  let valueIndex = 0;
  return columns.map((c) => {
    if (c === 'label') return p.label === undefined ? '' : String(p.label);
    if (c.startsWith('p_') && p.probabilities) return String(p.probabilities[c.slice(2)] ?? '');
    if (c === 'prediction' || (c.startsWith('prediction_') && !values)) return p.value === undefined ? '' : String(p.value);
    if (c.startsWith('prediction_') && values) return String(values[valueIndex++] ?? '');
    if (c.startsWith('output_')) return JSON.stringify(p.raw?.[c.slice(7)] ?? null);
    return '';
  });
}
