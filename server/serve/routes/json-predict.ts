/**
 * The row-shaped JSON requests users paste from other servers (TF Serving / KServe v1 `instances` and
 * `inputs`, MLflow `dataframe_*`), turned into either named-feature records (→ decoded RowPredictions)
 * or raw tensors (→ the raw output row), depending on what the rows look like and what the model takes.
 */
import { decodePredictions, encodeFeatureRows, encodeRecords, InputError, recordFromRow, type PlainTensor } from '../../protocol/codec';
import type { FeatureRecord } from '../../protocol/signature';
import type { LoadedModel } from '../../model/types';
import { quote } from '../../protocol/limits';
import { timedInfer, type RouteContext } from './common';
import { findInput, outputRow, tensorFromNested, tensorFromRows } from './tensors';

/** Where the request came from, for metrics and messages. */
export interface PredictTarget {
  ctx: RouteContext;
  route: string;
  model: LoadedModel;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isScalar(value: unknown): boolean {
  const type = typeof value;
  return value === null || type === 'number' || type === 'string' || type === 'boolean';
}

const namesOf = new WeakMap<LoadedModel, { features: Set<string>; inputNames: Set<string> }>();

/** The model's feature and input names as sets, made once per model (not per request). */
function names(model: LoadedModel): { features: Set<string>; inputNames: Set<string> } {
  let found = namesOf.get(model);
  if (!found) {
    found = { features: new Set(model.signature.features.map((f) => f.name)), inputNames: new Set(model.info.inputs.map((i) => i.name)) };
    namesOf.set(model, found);
  }
  return found;
}

/** True when every input is fed from named features, so records can be encoded. */
function takesRecords(model: LoadedModel): boolean {
  return model.signature.features.length > 0 && model.signature.inputs.every((b) => b.kind !== 'raw');
}

function featureList(model: LoadedModel): string {
  return model.signature.features.map((f) => f.name).join(', ');
}

/** Records keyed by feature name → one RowPrediction per record. */
export async function predictRecords(target: PredictTarget, records: FeatureRecord[]): Promise<unknown[]> {
  const { model } = target;
  if (!takesRecords(model)) {
    throw new InputError(
      'instances',
      `this model's inputs (${model.info.inputs.map((i) => i.name).join(', ')}) have no named features; ` +
        'send tensors instead (v1 "inputs", or OIP v2 /infer)',
    );
  }
  const tensors = encodeRecords(model.signature, records, 0, target.ctx.maxElements);
  const outputs = await timedInfer(target.ctx, target.route, tensors);
  return decodePredictions(model.signature, outputs);
}

/**
 * Rows of values in feature order → one RowPrediction per row: what {@link predictRecords} answers for
 * `recordFromRow` records, without a record per row (the usual v1 / MLflow one-row request).
 */
export async function predictFeatureRows(target: PredictTarget, rows: unknown[][]): Promise<unknown[]> {
  const { model } = target;
  const tensors = takesRecords(model) ? encodeFeatureRows(model.signature, rows, target.ctx.maxElements) : undefined;
  if (!tensors)
    return predictRecords(
      target,
      rows.map((row, i) => recordFromRow(model.signature, row, i)),
    );
  const outputs = await timedInfer(target.ctx, target.route, tensors);
  return decodePredictions(model.signature, outputs);
}

/** True when `columns` are the model's features, in order: rows under them are rows in feature order. */
export function areFeaturesInOrder(model: LoadedModel, columns: readonly unknown[]): boolean {
  const features = model.signature.features;
  if (columns.length !== features.length) return false;
  for (let i = 0; i < columns.length; i++) if (columns[i] !== features[i].name) return false;
  return true;
}

/** Tensors → the raw output per row: the row itself for one output, `{output: row}` for several. */
async function predictTensors(target: PredictTarget, tensors: PlainTensor[]): Promise<unknown[]> {
  const missing = target.model.info.inputs.filter((i) => !tensors.some((t) => t.name === i.name));
  if (missing.length) throw new InputError(`input '${missing[0].name}'`, 'missing; send a value for every input of the model');
  const outputs = await timedInfer(target.ctx, target.route, tensors);
  const rows = outputs[0]?.dims[0] ?? 0;
  const predictions: unknown[] = [];
  for (let r = 0; r < rows; r++) {
    if (outputs.length === 1) predictions.push(outputRow(outputs[0], r));
    else predictions.push(Object.fromEntries(outputs.map((t) => [t.name, outputRow(t, r)])));
  }
  return predictions;
}

/**
 * v1 / MLflow `instances`: each row a list in feature order, an object `{feature: value}` (or
 * `{input: value}` for tensor models), or, for single-input models, a bare value / nested tensor row.
 */
export async function predictInstances(target: PredictTarget, instances: unknown[]): Promise<unknown[]> {
  const { model } = target;
  if (instances.length === 0) throw new InputError('instances', 'no rows to predict');
  const { features, inputNames } = names(model);
  if (instances.every(isPlainObject)) {
    const keys = new Set(instances.flatMap((row) => Object.keys(row)));
    if (takesRecords(model) && [...keys].some((k) => features.has(k))) return predictRecords(target, instances);
    if ([...keys].every((k) => inputNames.has(k))) {
      return predictTensors(
        target,
        [...keys].map((name) =>
          tensorFromRows(
            findInput(model.info.inputs, name),
            instances.map((row) => row[name]),
            target.ctx.maxElements,
          ),
        ),
      );
    }
    throw new InputError(
      'instances',
      `keys ${quote(
        [...keys]
          .filter((k) => !features.has(k) && !inputNames.has(k))
          .map((k) => `'${quote(k, 60)}'`)
          .join(', '),
      )} ` + `are neither features (${featureList(model)}) nor inputs (${[...inputNames].join(', ')}) of this model`,
    );
  }
  const flatRows = instances.every((row) => Array.isArray(row) && row.every(isScalar));
  const scalarRows = instances.every(isScalar);
  if (takesRecords(model) && (flatRows || (scalarRows && features.size === 1))) {
    return predictFeatureRows(target, flatRows ? (instances as unknown[][]) : instances.map((row) => [row]));
  }
  if (model.info.inputs.length === 1)
    return predictTensors(target, [tensorFromRows(model.info.inputs[0], instances, target.ctx.maxElements)]);
  throw new InputError(
    'instances',
    `each row must be a list of ${features.size} values in feature order (${featureList(model)}) ` + 'or an object {feature: value}',
  );
}

/**
 * v1 / MLflow `inputs` (columnar): `{input: nested array}`, `{feature: [values…]}`, or a bare nested array
 * for a single-input model.
 */
export async function predictColumns(target: PredictTarget, inputs: unknown): Promise<unknown[]> {
  const { model } = target;
  if (Array.isArray(inputs)) {
    if (model.info.inputs.length !== 1) {
      throw new InputError(
        'inputs',
        `a bare array only works for single-input models; this one has inputs ` +
          `${model.info.inputs.map((i) => i.name).join(', ')}: send {"input": [...]} per input`,
      );
    }
    return predictTensors(target, [tensorFromNested(model.info.inputs[0], inputs, target.ctx.maxElements)]);
  }
  if (!isPlainObject(inputs)) throw new InputError('inputs', 'expected an object {input or feature: array} or an array');
  const keys = Object.keys(inputs);
  const { features, inputNames } = names(model);
  // Flat lists under feature names are feature columns (decoded predictions); anything else under input
  // names is a tensor per input (raw outputs). Per-column models, where features and inputs share names,
  // thereby accept both `{"age": [30, 40]}` and `{"age": [[30], [40]]}`.
  const isFlatList = (v: unknown) => Array.isArray(v) && v.every(isScalar);
  if (takesRecords(model) && keys.some((k) => features.has(k)) && keys.filter((k) => features.has(k)).every((k) => isFlatList(inputs[k]))) {
    const columns = keys.filter((k) => features.has(k));
    const lengths = new Set(columns.map((k) => (inputs[k] as unknown[]).length));
    if (lengths.size !== 1) {
      throw new InputError(
        'inputs',
        `feature columns must all have the same length; got ${columns.map((k) => `${k}: ${(inputs[k] as unknown[]).length}`).join(', ')}`,
      );
    }
    const rows = [...lengths][0];
    const records: FeatureRecord[] = [];
    for (let r = 0; r < rows; r++) records.push(Object.fromEntries(columns.map((k) => [k, (inputs[k] as unknown[])[r]])));
    return predictRecords(target, records);
  }
  if (keys.length && keys.every((k) => inputNames.has(k))) {
    return predictTensors(
      target,
      keys.map((name) => tensorFromNested(findInput(model.info.inputs, name), inputs[name], target.ctx.maxElements)),
    );
  }
  throw new InputError(
    'inputs',
    `keys ${quote(keys.map((k) => `'${quote(k, 60)}'`).join(', '))} match neither the inputs (${[...inputNames].join(', ')}) ` +
      `nor the features (${featureList(model)}) of this model`,
  );
}
