/**
 * The binary tensor extension of the Open Inference Protocol (Triton, KServe): the body is a JSON
 * header of `Inference-Header-Content-Length` bytes followed by the raw bytes of each input whose
 * `parameters.binary_data_size` is set, in the order of `inputs`. Values are little-endian; BOOL is one
 * byte per element; BYTES elements are a 4-byte little-endian length followed by the bytes.
 */
import { allocate, InputError, type TensorData } from '../../protocol/codec';
import type { OipDatatype } from '../../protocol/api';
import { DTYPE_OF_OIP } from '../../protocol/api';
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
