/**
 * The binary tensor extension of the Open Inference Protocol (Triton, KServe): the body is a JSON
 * header of `Inference-Header-Content-Length` bytes followed by the raw bytes of each input whose
 * `parameters.binary_data_size` is set, in the order of `inputs`. Values are little-endian; BOOL is one
 * byte per element; BYTES elements are a 4-byte little-endian length followed by the bytes.
 * Answers the same way for the outputs a request asks in binary (`binaryOutputFlags`, `encodeBinaryTensor`):
 * Triton's Python client asks for every output in binary when it names none (`binary_data_output`).
 * Typed arrays are read and written in this machine's byte order: x64 and arm64 are little-endian.
 */
import { allocate, InputError, type PlainTensor, type TensorData } from '../../protocol/codec';
import type { OipDatatype } from '../../protocol/api';
import { DTYPE_OF_OIP } from '../../protocol/api';
import { quoteValue } from '../../protocol/limits';
import { HttpError } from './common';

const ELEMENT_BYTES: Record<Exclude<OipDatatype, 'BYTES'>, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

/** Splits a binary-extension body into its JSON header text and the bytes after it. */
export function splitBinaryBody(body: Uint8Array, headerLengthText: string): { headerText: string; rest: Uint8Array } {
  const headerLength = Number(headerLengthText);
  if (!Number.isInteger(headerLength) || headerLength < 0 || headerLength > body.length) {
    throw new HttpError(
      400,
      `Inference-Header-Content-Length is ${JSON.stringify(headerLengthText)} but the body holds ${body.length} bytes; ` +
        'it must be the byte length of the JSON part at the start of the body',
    );
  }
  return { headerText: new TextDecoder().decode(body.subarray(0, headerLength)), rest: body.subarray(headerLength) };
}

/**
 * Decodes `count` elements of `datatype` from `bytes` (exactly `binary_data_size` bytes of one input).
 * Returns data in the model dtype's storage, ready for a PlainTensor.
 */
export function decodeBinaryTensor(field: string, datatype: OipDatatype, count: number, bytes: Uint8Array): TensorData {
  const dtype = DTYPE_OF_OIP[datatype];
  if (datatype === 'BYTES') {
    // Each element costs at least its 4-byte length prefix: check that before allocating `count` of them.
    if (count * 4 > bytes.length) {
      throw new InputError(
        field,
        `shape says ${count} BYTES elements, which need at least ${count} × 4 bytes, but binary_data_size is ${bytes.length}`,
      );
    }
    const out = allocate(dtype, count) as string[];
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let pos = 0;
    for (let i = 0; i < count; i++) {
      if (pos + 4 > bytes.length) throw new InputError(field, `binary BYTES data ends after ${i} of ${count} elements`);
      const len = view.getUint32(pos, true);
      pos += 4;
      if (pos + len > bytes.length)
        throw new InputError(field, `binary BYTES element ${i} says ${len} bytes but only ${bytes.length - pos} remain`);
      out[i] = new TextDecoder().decode(bytes.subarray(pos, pos + len));
      pos += len;
    }
    if (pos !== bytes.length)
      throw new InputError(field, `binary BYTES data has ${bytes.length - pos} bytes left over after ${count} elements`);
    return out;
  }
  const size = ELEMENT_BYTES[datatype];
  if (bytes.length !== count * size) {
    throw new InputError(
      field,
      `binary_data_size is ${bytes.length} bytes but shape and datatype ${datatype} need ${count} × ${size} = ${count * size}`,
    );
  }
  const out = allocate(dtype, count);
  // Copy into the typed array's own buffer: the body slice may not be aligned for 2/4/8-byte views.
  new Uint8Array((out as Uint8Array).buffer).set(bytes);
  if (datatype === 'BOOL') {
    const bools = out as Uint8Array;
    for (let i = 0; i < count; i++) bools[i] = bools[i] ? 1 : 0;
  }
  return out;
}

/** What a request asks of binary outputs: the request-wide default, and each named output's own flag. */
export interface BinaryOutputRequest {
  all: boolean;
  asked: Map<string, boolean> | null;
}

/**
 * Reads `parameters.binary_data_output` and each output's `parameters.binary_data` (booleans, else a 400
 * naming the field) — before the model runs, so a bad flag costs no inference. Null when nothing asks.
 */
export function binaryOutputRequest(request: {
  parameters?: Record<string, unknown>;
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}): BinaryOutputRequest | null {
  const all = request.parameters?.['binary_data_output'];
  if (all !== undefined && typeof all !== 'boolean') {
    throw new InputError('parameters.binary_data_output', `must be true or false, got ${quoteValue(all, 40)}`);
  }
  let asked: Map<string, boolean> | null = null;
  for (const o of request.outputs ?? []) {
    const flag = o.parameters?.['binary_data'];
    if (flag === undefined) continue;
    if (typeof flag !== 'boolean') {
      throw new InputError(`output '${o.name}'`, `parameters.binary_data must be true or false, got ${quoteValue(flag, 40)}`);
    }
    (asked ??= new Map()).set(o.name, flag);
  }
  return all === true || asked !== null ? { all: all === true, asked } : null;
}

/** Which of the answered outputs go back as binary data (an output's own flag wins); null when none does. */
export function binaryOutputFlags(asked: BinaryOutputRequest, outputs: PlainTensor[]): boolean[] | null {
  const flags = outputs.map((t) => asked.asked?.get(t.name) ?? asked.all);
  return flags.includes(true) ? flags : null;
}

/** An output's values as the extension's bytes (BOOL one byte 0/1, BYTES length-prefixed UTF-8). */
export function encodeBinaryTensor(t: PlainTensor): Uint8Array {
  if (t.dtype === 'string') {
    const parts = (t.data as string[]).map((text) => Buffer.from(text, 'utf8'));
    const out = Buffer.allocUnsafe(parts.reduce((n, part) => n + 4 + part.length, 0));
    let pos = 0;
    for (const part of parts) {
      out.writeUInt32LE(part.length, pos);
      part.copy(out, pos + 4);
      pos += 4 + part.length;
    }
    return out;
  }
  const data = t.data as Exclude<TensorData, string[]>;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return t.dtype === 'bool' ? bytes.map((b) => (b ? 1 : 0)) : bytes;
}
