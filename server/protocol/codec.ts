/**
 * Records ↔ tensors, without onnxruntime: the same code encodes a form in the UI, a v1 instance, an
 * MLflow record or a CSV row on the server, so every face of Model Lab agrees on what a value means.
 *
 * Errors are {@link InputError}s naming the field, what was expected and what arrived.
 */
import type { Feature, FeatureRecord, ImageSpec, InputBinding, OutputBinding, Signature, TensorDtype } from './signature';
import type { RowPrediction } from './api';
import { DEFAULT_MAX_ELEMENTS, MAX_NESTING_DEPTH } from './limits';
import { ModelLabError } from './errors';

/** Typed storage for each dtype, as onnxruntime-node's `Tensor` accepts it. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Uint16Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint32Array
  | BigUint64Array
  | string[];

/** A tensor as plain data: what the codec produces and consumes. */
export interface PlainTensor {
  name: string;
  dtype: TensorDtype;
  dims: number[];
  data: TensorData;
}

/** A request value that cannot be used, with where and why. Maps to HTTP 400 / CLI exit 1. */
export class InputError extends ModelLabError {
  // Always set here (the base allows none); `declare` narrows the type without a second class field.
  declare readonly field: string;
  readonly row: number | undefined;
  constructor(field: string, message: string, row?: number) {
    super(row === undefined ? `${field}: ${message}` : `row ${row + 1}, ${field}: ${message}`, { status: 400, field });
    this.row = row;
  }
}

/**
 * Allocates storage of `n` elements for a dtype. Callers check `n` against what the request actually
 * sent first; this only refuses counts no typed array can hold (a bug upstream, not bad input).
 */
export function allocate(dtype: TensorDtype, n: number): TensorData {
  if (!Number.isSafeInteger(n) || n < 0 || n > 2 ** 32) throw new RangeError(`cannot allocate ${n} elements`);
  switch (dtype) {
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'float16':
      return new Uint16Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'uint8':
      return new Uint8Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'uint64':
      return new BigUint64Array(n);
    case 'bool':
      return new Uint8Array(n);
    case 'string':
      return new Array<string>(n).fill('');
  }
}

/** Largest finite float32 and float16; JSON numbers beyond them would silently become Infinity. */
const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT16_MAX = 65504;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

const INT_RANGE: Partial<Record<TensorDtype, [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `"${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  return typeof value;
}

/** float32 → IEEE half bits (round to nearest even), for FP16 inputs. */
export function toHalf(value: number): number {
  const f32 = new Float32Array([value]);
  const x = new Uint32Array(f32.buffer)[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  if (exp >= 0x1f) return sign | 0x7c00;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant = (mant | 0x800000) >>> (1 - exp);
    if (mant & 0x1000) mant += 0x2000;
    return sign | (mant >>> 13);
  }
  if (mant & 0x1000) {
    mant += 0x2000;
    if (mant & 0x800000) {
      mant = 0;
      exp += 1;
    }
  }
  if (exp >= 0x1f) return sign | 0x7c00;
  return sign | (exp << 10) | (mant >>> 13);
}

/** IEEE half bits → number, for FP16 outputs. */
export function fromHalf(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Writes one scalar into `data[index]`, converting from what a person or a JSON/CSV parser produced.
 * `field` names the value in errors.
 */
export function writeScalar(data: TensorData, dtype: TensorDtype, index: number, value: unknown, field: string, row?: number): void {
  if (dtype === 'string') {
    if (value === null || value === undefined) throw new InputError(field, `expected a string, got ${describe(value)}`, row);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'bigint') {
      throw new InputError(field, `expected a string, got ${describe(value)}`, row);
    }
    (data as string[])[index] = String(value);
    return;
  }
  if (dtype === 'bool') {
    let b: boolean | undefined;
    if (typeof value === 'boolean') b = value;
    else if (value === 0 || value === 1) b = value === 1;
    else if (typeof value === 'string') {
      const s = value.trim().toLowerCase();
      if (s === 'true' || s === '1') b = true;
      else if (s === 'false' || s === '0') b = false;
    }
    if (b === undefined) throw new InputError(field, `expected a boolean (true/false/1/0), got ${describe(value)}`, row);
    (data as Uint8Array)[index] = b ? 1 : 0;
    return;
  }
  if (dtype === 'int64' || dtype === 'uint64') {
    write64(data, dtype, index, value, field, row);
    return;
  }
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'boolean') n = value ? 1 : 0;
  else if (typeof value === 'bigint') n = Number(value);
  else if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value.trim()))) n = Number(value.trim());
  else throw new InputError(field, `expected a ${dtype} number, got ${describe(value)}`, row);
  if (!Number.isFinite(n)) throw new InputError(field, `expected a finite ${dtype} number, got ${describe(value)}`, row);
  if (dtype === 'float32' && Math.abs(n) > FLOAT32_MAX)
    throw new InputError(field, `${n} is out of range for float32 (largest magnitude ${FLOAT32_MAX})`, row);
  if (dtype === 'float16' && Math.abs(n) > FLOAT16_MAX)
    throw new InputError(field, `${n} is out of range for float16 (largest magnitude ${FLOAT16_MAX})`, row);
  if (dtype === 'float32' || dtype === 'float64') {
    (data as Float32Array)[index] = n;
    return;
  }
  if (dtype === 'float16') {
    (data as Uint16Array)[index] = toHalf(n);
    return;
  }
  if (!Number.isInteger(n)) throw new InputError(field, `expected an integer (${dtype}), got ${describe(value)}`, row);
  const range = INT_RANGE[dtype];
  if (range && (n < range[0] || n > range[1]))
    throw new InputError(field, `${n} is out of range for ${dtype} [${range[0]}, ${range[1]}]`, row);
  (data as Int32Array)[index] = n;
}

/**
 * INT64 / UINT64: a JSON number must be a safe integer (above 2^53 the parser has already rounded it, so
 * the value the client meant is lost); a decimal string or a bigint is exact and checked against 64 bits.
 */
function write64(data: TensorData, dtype: 'int64' | 'uint64', index: number, value: unknown, field: string, row?: number): void {
  let big: bigint;
  if (typeof value === 'bigint') big = value;
  else if (typeof value === 'boolean') big = value ? 1n : 0n;
  else if (typeof value === 'string' && /^\s*[-+]?\d{1,30}\s*$/.test(value)) big = BigInt(value.trim().replace(/^\+/, ''));
  else {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : Number.NaN;
    if (typeof value !== 'number' && Number.isNaN(n))
      throw new InputError(field, `expected a ${dtype} number, got ${describe(value)}`, row);
    if (!Number.isFinite(n)) throw new InputError(field, `expected a finite ${dtype} number, got ${describe(value)}`, row);
    if (!Number.isInteger(n)) throw new InputError(field, `expected an integer (${dtype}), got ${describe(value)}`, row);
    if (!Number.isSafeInteger(n)) {
      throw new InputError(
        field,
        `${n} is beyond 2^53, where JSON numbers lose precision; send ${dtype} values this large as decimal strings`,
        row,
      );
    }
    big = BigInt(n);
  }
  const [min, max] = dtype === 'int64' ? [INT64_MIN, INT64_MAX] : [0n, UINT64_MAX];
  if (big < min || big > max) throw new InputError(field, `${big} is out of range for ${dtype} [${min}, ${max}]`, row);
  if (dtype === 'int64') (data as BigInt64Array)[index] = big;
  else (data as BigUint64Array)[index] = big;
}

/** Reads element `index` of a tensor as a JSON-friendly value. */
export function readScalar(t: { dtype: TensorDtype; data: TensorData }, index: number): number | string | boolean {
  const v = t.data[index];
  if (t.dtype === 'bool') return v === 1;
  if (t.dtype === 'float16') return fromHalf(v as number);
  if (typeof v === 'bigint') return Number(v);
  return v;
}

/** Shape of a nested JSON array (the first element at each level decides; ragged data is caught by flatten). */
export function nestedShape(value: unknown): number[] {
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/**
 * Flattens nested row-major data, checking it holds exactly `count` elements. Iterative (a recursive walk
 * overflows the stack on data nested thousands deep) and bounded: nesting deeper than `maxDepth` is refused.
 */
export function flatten(data: unknown, count: number, field: string, maxDepth = MAX_NESTING_DEPTH): unknown[] {
  // Already flat and of the right length (the usual OIP `data`): the array itself, read-only from here.
  if (Array.isArray(data) && data.length === count && !data.some(Array.isArray)) return data as unknown[];
  const out: unknown[] = [];
  if (!Array.isArray(data)) out.push(data);
  else {
    // One frame per open array: the array and the next index to visit.
    const stack: { items: unknown[]; next: number }[] = [{ items: data, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next >= top.items.length) {
        stack.pop();
        continue;
      }
      const v = top.items[top.next++];
      if (Array.isArray(v)) {
        if (stack.length >= maxDepth) throw new InputError(field, `data is nested more than ${maxDepth} levels deep`);
        stack.push({ items: v, next: 0 });
      } else {
        out.push(v);
        if (out.length > count) throw new InputError(field, `shape says ${count} elements but data holds more`);
      }
    }
  }
  if (out.length !== count) throw new InputError(field, `shape says ${count} elements but data holds ${out.length}`);
  return out;
}

/** Encodes flat values as a tensor of `dtype` and `dims`. */
export function tensorFromValues(name: string, dtype: TensorDtype, dims: number[], values: unknown[]): PlainTensor {
  const data = allocate(dtype, values.length);
  let i = 0;
  if (dtype === 'float32' || dtype === 'float64') {
    // Finite numbers in range, the common case, go straight in — writeScalar's checks, without building
    // each element's field name; the first other value falls through to writeScalar (which explains it).
    const out = data as Float32Array | Float64Array;
    const max = dtype === 'float32' ? FLOAT32_MAX : Number.MAX_VALUE;
    for (; i < values.length; i++) {
      const v = values[i];
      if (typeof v !== 'number' || !(v <= max && v >= -max)) break;
      out[i] = v;
    }
  }
  for (; i < values.length; i++) writeScalar(data, dtype, i, values[i], `${name}[${i}]`);
  return { name, dtype, dims, data };
}

function featureValue(record: FeatureRecord, feature: Feature, row: number | undefined): unknown {
  if (!(feature.name in record) || record[feature.name] === undefined) {
    throw new InputError(feature.name, `missing (expected a ${feature.kind} value)`, row);
  }
  return record[feature.name];
}

/** Concrete dims for `rows` rows: the first (batch) dim becomes `rows`, other symbolic dims 1. */
function concreteDims(binding: InputBinding, rows: number): number[] {
  if (binding.dims.length === 0) return [];
  return binding.dims.map((d, i) => (i === 0 ? rows : typeof d === 'number' && d > 0 ? d : 1));
}

/** Pixels in, tensor out: `pixels` is RGBA (ImageData layout) of exactly `spec.width × spec.height`. */
export function encodeImagePixels(spec: ImageSpec, pixels: ArrayLike<number>, into: Float32Array, offset: number): void {
  const { width, height, channels, layout, scale, mean, std } = spec;
  const plane = width * height;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 4;
      const gray = pixels[p] * 0.299 + pixels[p + 1] * 0.587 + pixels[p + 2] * 0.114;
      for (let c = 0; c < channels; c++) {
        const raw = channels === 1 ? gray : pixels[p + c];
        const v = (raw * scale - (mean[c] ?? 0)) / (std[c] ?? 1);
        const pos = layout === 'NCHW' ? c * plane + y * width + x : (y * width + x) * channels + c;
        into[offset + pos] = v;
      }
    }
  }
}

function encodeImage(binding: InputBinding, records: FeatureRecord[], rowBase: number | undefined, maxElements: number): PlainTensor {
  const spec = binding.image!;
  const feature = binding.features[0];
  const per = spec.width * spec.height * spec.channels;
  checkRequestElements(records.length, per, maxElements);
  const data = new Float32Array(per * records.length);
  records.forEach((record, r) => {
    const row = rowBase === undefined ? undefined : rowBase + r;
    const value = record[feature];
    if (value && typeof value === 'object' && !Array.isArray(value) && 'data' in value) {
      const img = value as { width: number; height: number; data: ArrayLike<number> };
      if (img.width !== spec.width || img.height !== spec.height || img.data.length !== spec.width * spec.height * 4) {
        throw new InputError(feature, `expected ${spec.width}×${spec.height} RGBA pixels, got ${img.width}×${img.height}`, row);
      }
      encodeImagePixels(spec, img.data, data, r * per);
    } else if (Array.isArray(value)) {
      const flat = flatten(value, per, feature);
      flat.forEach((v, i) => writeScalar(data, 'float32', r * per + i, v, feature, row));
    } else {
      throw new InputError(feature, `expected an image (pixels or a nested array of ${per} numbers), got ${describe(value)}`, row);
    }
  });
  const dims =
    spec.layout === 'NCHW'
      ? [records.length, spec.channels, spec.height, spec.width]
      : [records.length, spec.height, spec.width, spec.channels];
  return { name: binding.tensor, dtype: binding.dtype, dims, data: binding.dtype === 'float32' ? data : convert(data, binding.dtype) };
}

function convert(values: Float32Array, dtype: TensorDtype): TensorData {
  const out = allocate(dtype, values.length);
  for (let i = 0; i < values.length; i++)
    writeScalar(out, dtype, i, dtype.startsWith('float') ? values[i] : Math.round(values[i]), 'pixel');
  return out;
}

/**
 * Encodes records keyed by feature name into the model's input tensors.
 * `rowBase`, when given, makes errors say which row (0-based index of the first record) was wrong.
 */
export function encodeRecords(
  signature: Signature,
  records: FeatureRecord[],
  rowBase?: number,
  maxElements = DEFAULT_MAX_ELEMENTS,
): PlainTensor[] {
  checkRowCount(signature, records.length, maxElements);
  const features = featuresByName(signature);
  return signature.inputs.map((binding) => {
    if (binding.kind === 'raw') {
      throw new InputError(binding.tensor, 'this input has no named features; send the tensor itself (OIP v2 or v1 "inputs")');
    }
    if (binding.kind === 'image') return encodeImage(binding, records, rowBase, maxElements);
    const width = binding.features.length;
    const data = allocate(binding.dtype, records.length * width);
    records.forEach((record, r) => {
      const row = rowBase === undefined ? undefined : rowBase + r;
      if (record === null || typeof record !== 'object' || Array.isArray(record)) {
        throw new InputError('instances', `row ${r + 1} must be an object of feature values, got ${describe(record)}`);
      }
      for (let j = 0; j < width; j++) {
        const name = binding.features[j];
        writeScalar(data, binding.dtype, r * width + j, featureValue(record, features.get(name)!, row), name, row);
      }
    });
    const dims = binding.kind === 'packed' ? [records.length, width] : concreteDims(binding, records.length);
    return { name: binding.tensor, dtype: binding.dtype, dims, data };
  });
}

const featureMaps = new WeakMap<Signature, Map<string, Feature>>();

/** The signature's features by name, made once per signature (a signature is not changed after it is made). */
function featuresByName(signature: Signature): Map<string, Feature> {
  let map = featureMaps.get(signature);
  if (!map) {
    map = new Map(signature.features.map((f) => [f.name, f]));
    featureMaps.set(signature, map);
  }
  return map;
}

/** Per input binding, where each of its features sits in a row in feature order; null when an input is an image or raw. */
const rowPositions = new WeakMap<Signature, number[][] | null>();

function positionsInRow(signature: Signature): number[][] | null {
  let positions = rowPositions.get(signature);
  if (positions === undefined) {
    const names = signature.features.map((f) => f.name);
    // lastIndexOf: a record made from a row keeps the last of two equal names, as recordFromRow does.
    positions = signature.inputs.every((b) => b.kind === 'packed' || b.kind === 'column')
      ? signature.inputs.map((b) => b.features.map((name) => names.lastIndexOf(name)))
      : null;
    rowPositions.set(signature, positions);
  }
  return positions;
}

/**
 * Rows of values in the signature's feature order → the model's input tensors: the same tensors and the
 * same errors, in the same order, as `encodeRecords(signature, rows.map((r, i) => recordFromRow(signature,
 * r, i)), 0, maxElements)`, without building a record per row (v1 `instances` and MLflow `dataframe_split`,
 * the usual one-row predictions). Undefined when an input is an image or raw: those go through records.
 */
export function encodeFeatureRows(signature: Signature, rows: unknown[][], maxElements = DEFAULT_MAX_ELEMENTS): PlainTensor[] | undefined {
  const positions = positionsInRow(signature);
  if (!positions || signature.features.length === 0) return undefined;
  for (let r = 0; r < rows.length; r++) checkRowLength(signature, rows[r], r);
  checkRowCount(signature, rows.length, maxElements);
  return signature.inputs.map((binding, b) => {
    const at = positions[b];
    const width = at.length;
    const data = allocate(binding.dtype, rows.length * width);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      for (let j = 0; j < width; j++) writeScalar(data, binding.dtype, r * width + j, row[at[j]], binding.features[j], r);
    }
    const dims = binding.kind === 'packed' ? [rows.length, width] : concreteDims(binding, rows.length);
    return { name: binding.tensor, dtype: binding.dtype, dims, data };
  });
}

/** A request's row count, checked before anything is allocated: at least one, the element limit, a fixed batch size. */
function checkRowCount(signature: Signature, rows: number, maxElements: number): void {
  if (rows === 0) throw new InputError('instances', 'no rows to predict');
  // Rows of `{}` cost the client 3 bytes each but a row of every input tensor here: check before allocating.
  checkRequestElements(
    rows,
    signature.inputs.reduce((sum, b) => sum + elementsPerRow(b), 0),
    maxElements,
  );
  if (!signature.batch.dynamic && signature.batch.size !== undefined && rows !== signature.batch.size) {
    throw new InputError(
      'instances',
      `this model takes exactly ${signature.batch.size} row(s) per request (fixed batch dimension), got ${rows}`,
    );
  }
}

function elementsPerRow(binding: InputBinding): number {
  if (binding.kind === 'image') return binding.image!.width * binding.image!.height * binding.image!.channels;
  return Math.max(1, binding.features.length);
}

function checkRequestElements(rows: number, perRow: number, maxElements: number): void {
  if (rows * perRow > maxElements) {
    throw new InputError(
      'instances',
      `${rows} rows × ${perRow} values per row is more than the ${maxElements} elements this ` +
        `server accepts per request; send fewer rows per request`,
    );
  }
}

/** Turns a positional row (values in signature feature order) into a record. */
export function recordFromRow(signature: Signature, row: unknown[], rowIndex?: number): FeatureRecord {
  checkRowLength(signature, row, rowIndex);
  const record: FeatureRecord = {};
  signature.features.forEach((f, i) => {
    record[f.name] = row[i];
  });
  return record;
}

function checkRowLength(signature: Signature, row: unknown[], rowIndex: number | undefined): void {
  if (row.length !== signature.features.length) {
    throw new InputError(
      'instances',
      `expected ${signature.features.length} values in feature order (` +
        `${signature.features.map((f) => f.name).join(', ')}), got ${row.length}`,
      rowIndex,
    );
  }
}

function rowSlice(t: PlainTensor, row: number): unknown {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const values: unknown[] = [];
  for (let i = row * per; i < (row + 1) * per; i++) values.push(readScalar(t, i));
  return nest(values, t.dims.slice(1));
}

/** Row-major flat values → nested arrays of `dims`. */
export function nest(values: unknown[], dims: number[]): unknown {
  if (dims.length === 0) return values[0];
  if (dims.length === 1) return values;
  const [head, ...rest] = dims;
  const per = rest.reduce((a, b) => a * b, 1);
  const out: unknown[] = [];
  for (let i = 0; i < head; i++) out.push(nest(values.slice(i * per, (i + 1) * per), rest));
  return out;
}

function perRow(t: PlainTensor, row: number): (number | string | boolean)[] {
  const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
  const out: (number | string | boolean)[] = [];
  for (let i = row * per; i < (row + 1) * per; i++) out.push(readScalar(t, i));
  return out;
}

/** Reads predictions per row from output tensors (those missing from `outputs` are skipped). */
export function decodePredictions(signature: Signature, outputs: PlainTensor[]): RowPrediction[] {
  const byName = new Map(outputs.map((t) => [t.name, t]));
  const rows = outputs.length ? (outputs[0].dims[0] ?? 1) : 0;
  const result: RowPrediction[] = [];
  for (let r = 0; r < rows; r++) {
    const p: RowPrediction = {};
    for (const binding of signature.outputs) {
      const t = byName.get(binding.tensor);
      if (!t) continue;
      decodeOne(binding, t, r, p, signature.classNames);
    }
    if (p.label === undefined && p.probabilities) {
      const entries = Object.entries(p.probabilities);
      if (entries.length) p.label = entries.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
    }
    result.push(p);
  }
  return result;
}

function decodeOne(binding: OutputBinding, t: PlainTensor, r: number, p: RowPrediction, classNames?: string[]): void {
  const values = perRow(t, r);
  switch (binding.role) {
    case 'probabilities':
    case 'scores': {
      const names = binding.classNames ?? classNames ?? values.map((_, i) => String(i));
      const probs: Record<string, number> = {};
      values.forEach((v, i) => {
        probs[names[i] ?? String(i)] = Number(v);
      });
      if (binding.role === 'probabilities' || !p.probabilities) p.probabilities = probs;
      return;
    }
    case 'label': {
      const v = values[0];
      const names = binding.classNames ?? classNames;
      p.label =
        typeof v === 'number' && names && binding.dtype !== 'string' && names[v] !== undefined && !names.every((n) => /^-?\d+$/.test(n))
          ? names[v]
          : (v as string | number);
      return;
    }
    case 'value':
      // The first value output is "the" prediction; any further ones are reported as raw tensors.
      if (p.value !== undefined) {
        (p.raw ??= {})[binding.tensor] = rowSlice(t, r);
        return;
      }
      p.value = values.length === 1 ? Number(values[0]) : values.map(Number);
      return;
    case 'raw':
      (p.raw ??= {})[binding.tensor] = rowSlice(t, r);
  }
}
