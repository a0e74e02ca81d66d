/**
 * Constant tensors as the converter sees them: an ONNX element type, a static shape and row-major numbers.
 * Decodes TensorProto messages (initializers, Constant attributes, the `.pb` files of the ONNX test suite).
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO_TEXT } from '../../model/onnx/schema-text';
import { toNumber, type OnnxTensor } from '../../model/onnx/proto';
import { Unsupported } from './errors';

/** ONNX TensorProto.DataType numbers used here. */
export const ONNX = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  BFLOAT16: 16,
} as const;

export type TfDtype = 'float32' | 'int32' | 'bool';

export interface ConstTensor {
  /** ONNX element type of the source (kept so Cast/CastLike and reports know what it was). */
  onnxType: number;
  shape: number[];
  /** Row-major values; booleans are 0/1. */
  data: ArrayLike<number>;
}

/** ONNX TensorProto.DataType numbers → what a person calls them (messages never show a bare number). */
const ELEMENT_TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string (text)',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** `8` → `string (text)`; an unknown number → `ONNX element type 42`. */
export function elementTypeName(onnxType: number): string {
  return ELEMENT_TYPE_NAMES[onnxType] ?? `ONNX element type ${onnxType}`;
}

/** The TF.js dtype an ONNX element type runs as (TF.js has only float32, int32 and bool tensors). */
export function tfDtypeOf(onnxType: number): TfDtype {
  switch (onnxType) {
    case ONNX.FLOAT:
    case ONNX.DOUBLE:
    case ONNX.FLOAT16:
      return 'float32';
    case ONNX.BOOL:
      return 'bool';
    case ONNX.UINT8:
    case ONNX.INT8:
    case ONNX.UINT16:
    case ONNX.INT16:
    case ONNX.INT32:
    case ONNX.INT64:
    case ONNX.UINT32:
    case ONNX.UINT64:
      return 'int32';
    default:
      throw new Unsupported(
        `${elementTypeName(onnxType)} tensors have no TF.js equivalent (TF.js holds only float32, int32 and bool); ` +
          'leave the TF.js target out, or give the model numeric inputs',
      );
  }
}

export const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1,
    e = (h >> 10) & 0x1f,
    f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

interface TensorFields extends OnnxTensor {
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: unknown[];
  doubleData?: number[];
  uint64Data?: unknown[];
  stringData?: Uint8Array[];
  dataLocation?: number;
}

/** Reads raw little-endian bytes (copied first: protobufjs hands out unaligned views into the file). */
function fromRaw(raw: Uint8Array, type: number, n: number): ArrayLike<number> {
  const bytes = new Uint8Array(raw); // copy → aligned, own buffer
  const view = new DataView(bytes.buffer);
  const read = (width: number, get: (o: number) => number) => {
    if (bytes.length < n * width) throw new Unsupported(`raw_data holds ${bytes.length} bytes, ${n * width} expected`);
    const out = type === ONNX.FLOAT || type === ONNX.FLOAT16 || type === ONNX.BFLOAT16 ? new Float32Array(n) : new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = get(i * width);
    return out;
  };
  switch (type) {
    case ONNX.FLOAT:
      return read(4, (o) => view.getFloat32(o, true));
    case ONNX.DOUBLE:
      return read(8, (o) => view.getFloat64(o, true));
    case ONNX.FLOAT16:
      return read(2, (o) => halfToFloat(view.getUint16(o, true)));
    case ONNX.BFLOAT16:
      return read(2, (o) => {
        const f = new DataView(new ArrayBuffer(4));
        f.setUint16(0, view.getUint16(o, true));
        f.setUint16(2, 0);
        return f.getFloat32(0);
      });
    case ONNX.INT8:
      return read(1, (o) => view.getInt8(o));
    case ONNX.UINT8:
    case ONNX.BOOL:
      return read(1, (o) => view.getUint8(o));
    case ONNX.INT16:
      return read(2, (o) => view.getInt16(o, true));
    case ONNX.UINT16:
      return read(2, (o) => view.getUint16(o, true));
    case ONNX.INT32:
      return read(4, (o) => view.getInt32(o, true));
    case ONNX.UINT32:
      return read(4, (o) => view.getUint32(o, true));
    case ONNX.INT64:
      return read(8, (o) => Number(view.getBigInt64(o, true)));
    case ONNX.UINT64:
      return read(8, (o) => Number(view.getBigUint64(o, true)));
    default:
      throw new Unsupported(`${elementTypeName(type)} tensors are not supported in TF.js`);
  }
}

/** A decoded TensorProto (initializer, Constant value) → ConstTensor. */
export function constFromProto(t: OnnxTensor): ConstTensor {
  const f = t as TensorFields;
  const type = f.dataType ?? 0;
  const shape = (f.dims ?? []).map(toNumber);
  const n = sizeOf(shape);
  if (f.dataLocation === 1)
    throw new Unsupported(`tensor '${f.name ?? ''}' keeps its data in an external file; convert models with embedded weights`);
  if (type === ONNX.STRING) throw new Unsupported(`tensor '${f.name ?? ''}' holds strings; TF.js graph models here run numbers only`);
  let data: ArrayLike<number>;
  if (f.rawData && f.rawData.length) data = fromRaw(f.rawData, type, n);
  else if (f.floatData?.length) data = Float32Array.from(f.floatData);
  else if (f.doubleData?.length) data = f.doubleData.slice();
  else if (f.int64Data?.length) data = f.int64Data.map(toNumber);
  else if (f.uint64Data?.length) data = f.uint64Data.map(toNumber);
  else if (f.int32Data?.length) {
    data =
      type === ONNX.FLOAT16
        ? Float32Array.from(f.int32Data, halfToFloat)
        : type === ONNX.BFLOAT16
          ? Float32Array.from(f.int32Data, (b) => {
              const v = new DataView(new ArrayBuffer(4));
              v.setUint32(0, b << 16);
              return v.getFloat32(0);
            })
          : f.int32Data.slice();
  } else data = new Array<number>(n).fill(0);
  if (data.length !== n) throw new Unsupported(`tensor '${f.name ?? ''}' has ${data.length} values for shape [${shape.join(', ')}]`);
  tfDtypeOf(type); // refuse element types TF.js cannot hold, with the reason
  return { onnxType: type, shape, data };
}

let tensorType: protobuf.Type | undefined;
/** The TensorProto message of serialized bytes, undecoded (to use as an initializer). */
export function decodeTensorProto(bytes: Uint8Array): OnnxTensor {
  tensorType ??= protobuf.parse(ONNX_PROTO_TEXT, { keepCase: false }).root.lookupType('onnx.TensorProto');
  return tensorType.decode(bytes) as unknown as OnnxTensor;
}
/** Decodes the bytes of a serialized TensorProto (e.g. `input_0.pb` of the ONNX backend tests). */
export function decodeTensor(bytes: Uint8Array): ConstTensor & { name: string } {
  const t = decodeTensorProto(bytes);
  return { ...constFromProto(t), name: t.name ?? '' };
}
