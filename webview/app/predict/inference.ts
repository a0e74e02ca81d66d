/**
 * Form values ↔ Open Inference Protocol, through the shared codec so the UI encodes exactly as the
 * server decodes. DOM-free: unit-tested in Node, run in the browser.
 */
import {
  DTYPE_OF_OIP,
  OIP_DATATYPE,
  type OipInferRequest,
  type OipInferResponse,
  type OipTensor,
  type RowPrediction,
} from '../../../server/protocol/api';
import {
  decodePredictions,
  encodeRecords,
  flatten,
  InputError,
  nest,
  nestedShape,
  readScalar,
  tensorFromValues,
  type PlainTensor,
} from '../../../server/protocol/codec';
import type { Dim, FeatureRecord, InputBinding, Signature } from '../../../server/protocol/signature';
import type { FieldValue } from '../persisted-state';

/** Pixels as `CanvasRenderingContext2D.getImageData` returns them (RGBA), already at the signature's size. */
export interface ImagePixels {
  width: number;
  height: number;
  data: ArrayLike<number>;
}

/** Key of a raw input's JSON text in the form values (kept apart from feature names). */
export function rawValueKey(binding: InputBinding): string {
  return `@tensor:${binding.tensor}`;
}

/** Dims with every unknown/symbolic dimension set to 1: one row of a raw tensor. */
export function concreteRawDims(dims: Dim[]): number[] {
  return dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
}

/** A zero tensor of one row as pretty JSON: the starting text of a raw input's textarea. */
export function defaultRawJson(binding: InputBinding): string {
  const dims = concreteRawDims(binding.dims);
  const count = dims.reduce((a, b) => a * b, 1);
  const zero = binding.dtype === 'string' ? '' : binding.dtype === 'bool' ? false : 0;
  return JSON.stringify(nest(new Array(count).fill(zero), dims));
}

/** Turns the form's typed values into a record the codec accepts. */
export function recordFromValues(
  signature: Signature,
  values: Record<string, FieldValue>,
  images: Record<string, ImagePixels>,
): FeatureRecord {
  const record: FeatureRecord = {};
  for (const feature of signature.features) {
    const value = values[feature.name];
    switch (feature.kind) {
      case 'image':
        if (images[feature.name]) record[feature.name] = images[feature.name];
        else throw new InputError(feature.name, 'no image chosen yet; pick an image file');
        break;
      case 'number':
      case 'integer': {
        // Numbers go in as numbers so the request JSON reads naturally; anything else goes in as typed
        // and the codec says what is wrong with it.
        const text = typeof value === 'string' ? value.trim() : value;
        record[feature.name] = typeof text === 'string' && text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
        break;
      }
      default:
        record[feature.name] = value;
    }
  }
  return record;
}

/** Shortest decimal that reads back as the same float32, so `0.1` is shown as `0.1`, not `0.10000000149011612`. */
function shortFloat32(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(v.toPrecision(p));
    if (Math.fround(candidate) === v) return candidate;
  }
  return v;
}

/** A codec tensor as an OIP request tensor (flat row-major data, JSON-friendly values). */
export function toOipTensor(t: PlainTensor): OipTensor {
  const data = Array.from({ length: t.data.length }, (_, i) => {
    const v = readScalar(t, i);
    return t.dtype === 'float32' && typeof v === 'number' ? shortFloat32(v) : v;
  });
  return { name: t.name, shape: t.dims, datatype: OIP_DATATYPE[t.dtype], data };
}

function rawTensor(binding: InputBinding, text: FieldValue | undefined): PlainTensor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(text ?? ''));
  } catch (err) {
    throw new InputError(
      binding.tensor,
      `not valid JSON (${(err as Error).message}); enter a nested array such as ${defaultRawJson(binding)}`,
    );
  }
  const dims = nestedShape(parsed);
  if (dims.length !== binding.dims.length) {
    throw new InputError(
      binding.tensor,
      `expected ${binding.dims.length} nesting levels (dims [${binding.dims.map((d) => d ?? '?').join(', ')}]), got ${dims.length}`,
    );
  }
  binding.dims.forEach((d, i) => {
    if (typeof d === 'number' && d > 0 && dims[i] !== d) {
      throw new InputError(binding.tensor, `dimension ${i} must be ${d}, got ${dims[i]}`);
    }
  });
  const count = dims.reduce((a, b) => a * b, 1);
  return tensorFromValues(binding.tensor, binding.dtype, dims, flatten(parsed, count, binding.tensor));
}

/**
 * Builds the OIP v2 request for one row of form values. Inputs come in the order the model declares them.
 * Throws {@link InputError} naming the feature or tensor that cannot be encoded.
 */
export function buildInferRequest(
  signature: Signature,
  values: Record<string, FieldValue>,
  images: Record<string, ImagePixels> = {},
): OipInferRequest {
  const named = signature.inputs.filter((b) => b.kind !== 'raw');
  const encoded = named.length ? encodeRecords({ ...signature, inputs: named }, [recordFromValues(signature, values, images)]) : [];
  const byName = new Map(encoded.map((t) => [t.name, t]));
  const inputs = signature.inputs.map((binding) =>
    toOipTensor(binding.kind === 'raw' ? rawTensor(binding, values[rawValueKey(binding)]) : byName.get(binding.tensor)!),
  );
  return { inputs };
}

/** Reads an OIP response back into codec tensors and decodes the first row's prediction. */
export function readInferResponse(signature: Signature, response: OipInferResponse): { prediction: RowPrediction; outputs: PlainTensor[] } {
  if (!response || !Array.isArray(response.outputs)) {
    throw new Error('the server answered without an "outputs" list; is this an Open Inference Protocol endpoint?');
  }
  const outputs = response.outputs.map((o) => {
    const dtype = DTYPE_OF_OIP[o.datatype] ?? 'float64';
    const count = o.shape.reduce((a, b) => a * b, 1);
    return tensorFromValues(o.name, dtype, o.shape, flatten(o.data, count, o.name));
  });
  return { prediction: decodePredictions(signature, outputs)[0] ?? {}, outputs };
}

/** Quotes text for a POSIX shell: single quotes, with embedded single quotes closed and escaped. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The same request as a copy-pasteable curl command. */
export function curlCommand(origin: string, inferPath: string, request: OipInferRequest, token?: string): string {
  const parts = [`curl -s -X POST ${shellQuote(origin + inferPath)}`, `-H 'Content-Type: application/json'`];
  if (token) parts.push(`-H ${shellQuote(`Authorization: Bearer ${token}`)}`);
  parts.push(`-d ${shellQuote(JSON.stringify(request))}`);
  return parts.join(' \\\n  ');
}

/** A JSON value as a Python literal (`true` → `True`, `null` → `None`), arrays of plain values on one line. */
export function pythonLiteral(value: unknown, indent = ''): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : `float(${JSON.stringify(String(value))})`;
  // A JSON string literal is a valid Python string literal (same escapes, \uXXXX included).
  if (typeof value === 'string') return JSON.stringify(value);
  const inner = indent + '    ';
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return `[${value.map((v) => pythonLiteral(v)).join(', ')}]`;
    return `[\n${value.map((v) => inner + pythonLiteral(v, inner)).join(',\n')},\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (!entries.length) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${pythonLiteral(v, inner)}`).join(',\n')},\n${indent}}`;
}

/** The same request with Python's `requests`, printing each output tensor by name. */
export function pythonSnippet(origin: string, inferPath: string, request: OipInferRequest, token?: string): string {
  const lines = [
    'import requests',
    '',
    `payload = ${pythonLiteral(request)}`,
    '',
    'response = requests.post(',
    `    ${JSON.stringify(origin + inferPath)},`,
    '    json=payload,',
  ];
  if (token) lines.push(`    headers={"Authorization": ${JSON.stringify(`Bearer ${token}`)}},`);
  lines.push(
    '    timeout=30,',
    ')',
    'response.raise_for_status()',
    'for output in response.json()["outputs"]:',
    '    print(output["name"], output["shape"], output["data"])',
  );
  return lines.join('\n');
}
