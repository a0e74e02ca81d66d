/**
 * ONNX protobuf decoding/encoding with protobufjs and the official schema (onnx.proto beside this file).
 * Decoded messages keep protobufjs' shape so that a model can be edited and re-encoded losslessly.
 */
import protobuf from 'protobufjs';
import { ONNX_PROTO_TEXT } from './schema-text';

/** The parts of the ONNX messages Model Lab reads. int64 fields may arrive as Long objects: use `toNumber`. */
export interface OnnxDimension {
  dimValue?: unknown;
  dimParam?: string;
}
export interface OnnxTypeProto {
  tensorType?: { elemType?: number; shape?: { dim?: OnnxDimension[] } };
  sequenceType?: { elemType?: OnnxTypeProto };
  mapType?: { keyType?: number; valueType?: OnnxTypeProto };
  optionalType?: { elemType?: OnnxTypeProto };
}
export interface OnnxValueInfo {
  name: string;
  type?: OnnxTypeProto;
  docString?: string;
}
export interface OnnxAttribute {
  name: string;
  type?: number;
  f?: number;
  i?: unknown;
  s?: Uint8Array;
  t?: OnnxTensor;
  g?: OnnxGraph;
  floats?: number[];
  ints?: unknown[];
  strings?: Uint8Array[];
  graphs?: OnnxGraph[];
}
export interface OnnxNode {
  input: string[];
  output: string[];
  name?: string;
  opType: string;
  domain?: string;
  attribute: OnnxAttribute[];
}
export interface OnnxTensor {
  name?: string;
  dims: unknown[];
  dataType?: number;
}
export interface OnnxGraph {
  name?: string;
  node: OnnxNode[];
  initializer: OnnxTensor[];
  sparseInitializer?: { values?: OnnxTensor; dims?: unknown[] }[];
  input: OnnxValueInfo[];
  output: OnnxValueInfo[];
  valueInfo?: OnnxValueInfo[];
}
export interface OnnxModel {
  irVersion?: unknown;
  opsetImport: { domain?: string; version?: unknown }[];
  producerName?: string;
  producerVersion?: string;
  domain?: string;
  modelVersion?: unknown;
  docString?: string;
  graph?: OnnxGraph;
  metadataProps: { key?: string; value?: string }[];
}

let modelType: protobuf.Type | undefined;
function ModelProto(): protobuf.Type {
  modelType ??= protobuf.parse(ONNX_PROTO_TEXT, { keepCase: false }).root.lookupType('onnx.ModelProto');
  return modelType;
}

/** Decodes ONNX bytes; throws with protobufjs' reason when the bytes are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  return ModelProto().decode(bytes) as unknown as OnnxModel;
}

export function encodeModel(model: OnnxModel): Uint8Array {
  return ModelProto().encode(model).finish();
}

/** int64 fields come back as numbers or Long objects depending on size. */
export function toNumber(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'object' && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

/** ONNX TensorProto.DataType → Model Lab dtype (undefined for types onnxruntime-node cannot feed). */
export const ONNX_ELEM_TYPE: Record<number, import('../../protocol/signature').TensorDtype | undefined> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

export const ONNX_ELEM_NAME: Record<number, string> = {
  0: 'undefined',
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
  24: 'float8e8m0',
};

/** Reads an attribute as a JS value (strings decoded as UTF-8). */
export function attributeValue(node: OnnxNode, name: string): unknown {
  const a = node.attribute.find((x) => x.name === name);
  if (!a) return undefined;
  const utf8 = (b: Uint8Array) => new TextDecoder().decode(b);
  if (a.strings && a.strings.length) return a.strings.map(utf8);
  if (a.ints && a.ints.length) return a.ints.map(toNumber);
  if (a.floats && a.floats.length) return a.floats;
  if (a.s && a.s.length) return utf8(a.s);
  if (a.i !== undefined && a.i !== null && toNumber(a.i) !== 0) return toNumber(a.i);
  if (a.f !== undefined && a.f !== 0) return a.f;
  if (a.type === 2) return toNumber(a.i);
  if (a.type === 1) return a.f ?? 0;
  return undefined;
}
