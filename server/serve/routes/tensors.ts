/**
 * Request tensors checked against the model's declared inputs, and output tensors turned back into JSON.
 * Messages name the input and say expected-vs-got, e.g. `input 'x': expected shape [-1,30], got [1,29]`.
 */
import { OIP_DATATYPE, type OipDatatype } from '../../protocol/api';
import { flatten, InputError, nest, nestedShape, readScalar, tensorFromValues, type PlainTensor } from '../../protocol/codec';
import { checkedElementCount, DEFAULT_MAX_ELEMENTS, MAX_NESTING_DEPTH, quote } from '../../protocol/limits';
import type { Dim, TensorInfo } from '../../protocol/signature';

/** Declared dims as OIP metadata shapes: a symbolic or unknown dimension is -1. */
export function metadataShape(dims: Dim[]): number[] {
  return dims.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
}

export function formatShape(shape: number[]): string {
  return `[${shape.join(',')}]`;
}

/**
 * The element count of a request shape: every dim a non-negative safe integer, the product at most
 * `maxElements`. Checked before anything of that size is allocated or walked.
 */
export function requestElementCount(name: string, shape: readonly unknown[], maxElements: number): number {
  if (shape.length > MAX_NESTING_DEPTH)
    throw new InputError(`input '${name}'`, `shape has ${shape.length} dimensions; at most ${MAX_NESTING_DEPTH} are accepted`);
  return checkedElementCount(shape, maxElements, (message) => new InputError(`input '${name}'`, message));
}

/** Throws unless `shape` has the declared rank and every fixed dimension matches. */
/**
 * The shape the request's values take in the model: the request's own when it fits, else the model's
 * when the two differ only by dimensions of size 1 — MLServer's pandas codec sends a column as `[N]` for
 * an `[N,1]` input (newer versions `[N,1]`), and one row may come without its batch dimension. The
 * values' order is the same either way. Anything else is a 400 naming the input and both shapes.
 */
export function checkShape(info: TensorInfo, shape: number[]): number[] {
  const expected = metadataShape(info.dims);
  if (shape.length === expected.length && expected.every((d, i) => d === -1 || d === shape[i])) return shape;
  const free = expected.filter((d) => d === -1).length;
  const known = expected.reduce((product, d) => (d === -1 ? product : product * d), 1);
  const count = shape.reduce((product, d) => product * d, 1);
  if (known > 0 && (free === 1 ? count % known === 0 : free === 0 && count === known)) {
    const fitted = expected.map((d) => (d === -1 ? count / known : d));
    const withoutOnes = (s: number[]) => s.filter((d) => d !== 1).join(',');
    if (withoutOnes(fitted) === withoutOnes(shape)) return fitted;
  }
  throw new InputError(`input '${info.name}'`, `expected shape ${formatShape(expected)}, got ${formatShape(shape)}`);
}

/** Numbers in JSON are numbers whatever the datatype says: those convert to the model's type (BOOL and BYTES do not). */
const isNumericDatatype = (datatype: string) => datatype !== 'BOOL' && datatype !== 'BYTES';

/** The model input called `name`, or an error listing the inputs there are. */
export function findInput(inputs: TensorInfo[], name: string): TensorInfo {
  const info = inputs.find((i) => i.name === name);
  if (!info) {
    throw new InputError(
      `input '${quote(name, 100)}'`,
      `the model has no such input; its inputs are: ${inputs.map((i) => `'${i.name}'`).join(', ')}`,
    );
  }
  return info;
}

export function checkDatatype(info: TensorInfo, datatype: OipDatatype): void {
  const expected = OIP_DATATYPE[info.dtype];
  if (datatype !== expected) throw new InputError(`input '${info.name}'`, `expected datatype ${expected}, got ${datatype}`);
}

/** One OIP request tensor → a PlainTensor of the model's dtype, after checking datatype, shape and data. */
export function tensorFromOip(
  info: TensorInfo,
  request: { name: string; shape: number[]; datatype: OipDatatype; data?: unknown[] | undefined },
  maxElements = DEFAULT_MAX_ELEMENTS,
): PlainTensor {
  // JSON numbers convert to the model's number type (a pandas float64 column, FP64, into an FP32 input:
  // each value is then checked as the model's type); BOOL and BYTES must be what the model takes.
  const expected = OIP_DATATYPE[info.dtype];
  if (!(isNumericDatatype(request.datatype) && isNumericDatatype(expected))) checkDatatype(info, request.datatype);
  const count = requestElementCount(info.name, request.shape, maxElements);
  const dims = checkShape(info, request.shape);
  if (request.data === undefined)
    throw new InputError(`input '${info.name}'`, '"data" is missing; send the values row-major, flat or nested');
  const values = flatten(request.data, count, `input '${info.name}'`, Math.max(1, request.shape.length));
  return tensorFromValues(info.name, info.dtype, dims, values);
}

/** A nested JSON array (v1 `inputs`) → a tensor of the model's dtype, its shape read from the nesting. */
export function tensorFromNested(info: TensorInfo, value: unknown, maxElements = DEFAULT_MAX_ELEMENTS): PlainTensor {
  const shape = nestedShape(value);
  const count = requestElementCount(info.name, shape, maxElements);
  const dims = checkShape(info, shape);
  return tensorFromValues(info.name, info.dtype, dims, flatten(value, count, `input '${info.name}'`, Math.max(1, shape.length)));
}

/** Stacks per-row values (v1 `instances` of a single-input model) into one `[rows, ...]` tensor. */
export function tensorFromRows(info: TensorInfo, rows: unknown[], maxElements = DEFAULT_MAX_ELEMENTS): PlainTensor {
  const rowShape = nestedShape(rows[0]);
  if (rowShape.length >= MAX_NESTING_DEPTH) throw new InputError('instances', `rows are nested more than ${MAX_NESTING_DEPTH} levels deep`);
  rows.forEach((row, i) => {
    const shape = nestedShape(row);
    if (formatShape(shape) !== formatShape(rowShape)) {
      throw new InputError(
        'instances',
        `row ${i + 1} has shape ${formatShape(shape)} but row 1 has ${formatShape(rowShape)}; every row must have the same shape`,
      );
    }
  });
  return tensorFromNested(info, rows, maxElements);
}

/** One value as JSON.stringify writes it: a finite number as String() does (the same digits), others null. */
function jsonValue(v: number | string | boolean): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/**
 * Outputs of at most this many values in all are written by {@link oipResponseText} itself; larger ones by
 * JSON.stringify, whose loop over a long number array runs in C++ (about twice as fast there as this one).
 */
const WRITTEN_BY_HAND_MAX_VALUES = 64;

/**
 * The OIP infer response body: the same text as `JSON.stringify({model_name, model_version, id, outputs:
 * outputs.map(oipOutput)})` (test/serve/oip-response-text.test.ts holds it to that). For the usual small
 * answer it is written directly, without first building an array and an object per output to stringify.
 */
export function oipResponseText(modelName: string, modelVersion: string, id: string, outputs: PlainTensor[]): string {
  let values = 0;
  for (const t of outputs) values += t.data.length;
  if (values > WRITTEN_BY_HAND_MAX_VALUES) {
    return JSON.stringify({ model_name: modelName, model_version: modelVersion, id, outputs: outputs.map(oipOutput) });
  }
  let text = `{"model_name":${JSON.stringify(modelName)},"model_version":${JSON.stringify(modelVersion)},`;
  text += `"id":${JSON.stringify(id)},"outputs":[`;
  for (let o = 0; o < outputs.length; o++) {
    const t = outputs[o];
    text += `${o ? ',' : ''}{"name":${JSON.stringify(t.name)},"shape":${JSON.stringify(t.dims)},`;
    text += `"datatype":${JSON.stringify(OIP_DATATYPE[t.dtype])},"data":[`;
    for (let i = 0; i < t.data.length; i++) text += (i ? ',' : '') + jsonValue(readScalar(t, i));
    text += ']}';
  }
  return `${text}]}`;
}

/** An output tensor in OIP response form: flat data, FP16 as numbers, INT64 as (possibly rounded) numbers. */
export function oipOutput(t: PlainTensor): { name: string; shape: number[]; datatype: OipDatatype; data: (number | string | boolean)[] } {
  const data = new Array<number | string | boolean>(t.data.length);
  for (let i = 0; i < t.data.length; i++) data[i] = readScalar(t, i);
  return { name: t.name, shape: t.dims, datatype: OIP_DATATYPE[t.dtype], data };
}

/** Row `r` of an output (everything below the batch dim), nested; a rank-0/1 output gives a scalar. */
export function outputRow(t: PlainTensor, r: number): unknown {
  const inner = t.dims.slice(1);
  const per = inner.reduce((a, b) => a * b, 1);
  const values: unknown[] = [];
  for (let i = r * per; i < (r + 1) * per && i < t.data.length; i++) values.push(readScalar(t, i));
  return inner.length === 0 ? values[0] : nest(values, inner);
}
