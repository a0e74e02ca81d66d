/**
 * Runs the model on rows of a {@link DataTable} matrix: encodes them into the model's input tensors
 * through the signature (one packed [N, F] tensor, one [N, 1] tensor per feature, strings for categories,
 * several inputs alike), runs onnxruntime in large batches on the one session, and reads back the output
 * being explained as a rows × outputs float64 matrix — class probabilities for a classifier, the value(s)
 * for a regressor.
 */
import { allocate, type PlainTensor, type TensorData } from '../protocol/codec';
import { ModelLabError, throwIfCancelled } from '../protocol/errors';
import type { InputBinding, OutputBinding, Signature } from '../protocol/signature';
import type { LoadedModel } from '../model/index';
import type { TableFeature } from './table';

/** Rows per onnxruntime run: large enough that the per-call overhead vanishes, small enough for memory. */
export const BATCH_ROWS = 8192;

export interface Predictor {
  task: 'classification' | 'regression';
  /** Names of the explained outputs: class names, or the value names of a regressor. */
  outputs: string[];
  /** The graph output read. */
  tensor: string;
  /** rows × outputs. `values` is rows × features (see table.ts). */
  predict(values: Float64Array, rows: number, signal?: AbortSignal): Promise<Float64Array>;
  /** Rows predicted so far (for reports and benchmarks). */
  rowsPredicted(): number;
}

/** The output an explanation reads: probabilities, else scores, else the regression value. */
function explainedOutput(signature: Signature): OutputBinding {
  const pick = (role: OutputBinding['role']) => signature.outputs.find((o) => o.role === role && o.dtype !== 'string');
  const found = pick('probabilities') ?? pick('scores') ?? pick('value');
  if (!found)
    throw new ModelLabError(
      'this model has no probability, score or numeric value output to explain (only labels or raw tensors); ' +
        'export it with its probabilities',
      { status: 422 },
    );
  return found;
}

function outputNames(binding: OutputBinding, signature: Signature, width: number): string[] {
  const names = binding.classNames ?? (binding.role === 'value' ? binding.names : signature.classNames) ?? [];
  if (names.length === width) return names;
  return width === 1 ? [binding.names?.[0] ?? binding.tensor] : Array.from({ length: width }, (_, i) => `${binding.tensor}[${i}]`);
}

function encodeBinding(
  binding: InputBinding,
  columns: number[],
  features: TableFeature[],
  values: Float64Array,
  rows: number,
): PlainTensor {
  const width = features.length;
  const per = columns.length;
  const dims = binding.kind === 'packed' ? [rows, per] : binding.dims.length === 1 ? [rows] : [rows, 1];
  // The common case — one float tensor of every feature, numbers, in table order — is one typed-array copy.
  const inOrder = per === width && columns.every((j, k) => j === k && features[j].kind === 'number');
  if (inOrder && (binding.dtype === 'float32' || binding.dtype === 'float64')) {
    const data = binding.dtype === 'float32' ? new Float32Array(rows * per) : new Float64Array(rows * per);
    data.set(values.subarray(0, rows * per));
    return { name: binding.tensor, dtype: binding.dtype, dims, data };
  }
  const data: TensorData = allocate(binding.dtype, rows * per);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < per; k++) {
      const j = columns[k];
      const v = values[r * width + j];
      const at = r * per + k;
      const f = features[j];
      if (binding.dtype === 'string') (data as string[])[at] = f.kind === 'category' ? (f.categories[v] ?? '') : String(v);
      else if (binding.dtype === 'int64')
        (data as BigInt64Array)[at] = BigInt(Math.round(f.kind === 'category' ? Number(f.categories[v]) : v));
      else if (binding.dtype === 'uint64')
        (data as BigUint64Array)[at] = BigInt(Math.round(f.kind === 'category' ? Number(f.categories[v]) : v));
      else if (binding.dtype === 'bool') (data as Uint8Array)[at] = v ? 1 : 0;
      else {
        // Numbers (missing ones as NaN, which tree ensembles route by their missing-value rule).
        const n = f.kind === 'category' ? Number(f.categories[v]) : v;
        (data as Float32Array)[at] = binding.dtype.startsWith('float') || Number.isNaN(n) ? n : Math.round(n);
      }
    }
  }
  return { name: binding.tensor, dtype: binding.dtype, dims, data };
}

export function createPredictor(model: LoadedModel, features: TableFeature[]): Predictor {
  const signature = model.signature;
  for (const b of signature.inputs) {
    if (b.kind === 'image' || b.kind === 'raw')
      throw new ModelLabError(`input ${b.tensor} has no named tabular features; explanations work on tabular models only`, { status: 422 });
    if (b.dtype === 'float16')
      throw new ModelLabError(`input ${b.tensor} is float16; explanations need float32/float64 inputs`, { status: 422 });
  }
  const index = new Map(features.map((f, j) => [f.name, j]));
  const bindings = signature.inputs.map((b) => ({ binding: b, columns: b.features.map((name) => index.get(name)!) }));
  const output = explainedOutput(signature);
  const fixed = !signature.batch.dynamic && signature.batch.size ? signature.batch.size : undefined;
  const batchRows = fixed ?? BATCH_ROWS;
  const width = features.length;
  let outputWidth = -1;
  let names: string[] = [];
  let predicted = 0;

  async function runBatch(values: Float64Array, rows: number): Promise<Float64Array> {
    let feed = values;
    if (fixed && rows < fixed) {
      // A fixed batch dimension: pad with copies of the last row, drop their outputs.
      feed = new Float64Array(fixed * width);
      feed.set(values);
      for (let r = rows; r < fixed; r++) feed.copyWithin(r * width, (rows - 1) * width, rows * width);
    }
    const feedRows = fixed ?? rows;
    const inputs = bindings.map(({ binding, columns }) => encodeBinding(binding, columns, features, feed, feedRows));
    const [out] = await model.run(inputs, [output.tensor]);
    const per = out.dims.slice(1).reduce((a, b) => a * b, 1);
    if (outputWidth < 0) {
      outputWidth = per;
      names = outputNames(output, signature, per);
    }
    const result = new Float64Array(rows * per);
    if (out.data instanceof Float32Array || out.data instanceof Float64Array) result.set(out.data.subarray(0, rows * per));
    else for (let i = 0; i < rows * per; i++) result[i] = Number(out.data[i]);
    return result;
  }

  const predictor: Predictor = {
    task: output.role === 'value' ? 'regression' : 'classification',
    get outputs() {
      return names;
    },
    tensor: output.tensor,
    async predict(values, rows, signal) {
      const chunks: Float64Array[] = [];
      for (let start = 0; start < rows; start += batchRows) {
        throwIfCancelled(signal);
        const n = Math.min(batchRows, rows - start);
        chunks.push(await runBatch(values.subarray(start * width, (start + n) * width), n));
      }
      predicted += rows;
      if (chunks.length === 1) return chunks[0];
      const all = new Float64Array(rows * outputWidth);
      let at = 0;
      for (const c of chunks) {
        all.set(c, at);
        at += c.length;
      }
      return all;
    },
    rowsPredicted: () => predicted,
  };
  return predictor;
}

/** Runs the model once on one row so `outputs` is known before anything else reads it. */
export async function primePredictor(predictor: Predictor, values: Float64Array, width: number): Promise<void> {
  await predictor.predict(values.subarray(0, width), 1);
}
