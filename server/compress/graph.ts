/**
 * Small helpers for editing a decoded ONNX graph in place: reading and writing float initializers,
 * building tensors, nodes and attributes as protobufjs plain objects (which `encodeModel` accepts), and
 * the bookkeeping every rewrite needs (who consumes a tensor, fresh names, opset checks).
 */
import { toNumber, type OnnxGraph, type OnnxModel, type OnnxNode, type OnnxTensor } from '../model/index';
import { ModelLabError } from '../protocol/errors';

/** TensorProto fields the rewrites touch beyond the shared `OnnxTensor` view. */
export interface TensorProto extends OnnxTensor {
  rawData?: Uint8Array;
  floatData?: number[];
  dataLocation?: number;
}

/** ONNX TensorProto.DataType values used here. */
export const FLOAT = 1;
export const UINT8 = 2;
export const INT8 = 3;
export const INT32 = 6;
export const FLOAT16 = 10;

/** A rewrite cannot go on: the message says what and where. Maps to CLI exit 1 / HTTP 400. */
export class CompressError extends ModelLabError {
  constructor(message: string) {
    super(message, { status: 400 });
  }
}

export function dimsOf(t: OnnxTensor): number[] {
  return t.dims.map(toNumber);
}

export function elementCount(t: OnnxTensor): number {
  return dimsOf(t).reduce((a, b) => a * b, 1);
}

/** The float values of a float32 initializer (copied: raw_data arrives as an unaligned view). */
export function readFloats(t: TensorProto): Float32Array {
  if (t.dataLocation === 1)
    throw new CompressError(`initializer '${t.name}' keeps its data in an external file; Model Lab rewrites only self-contained models`);
  if (t.rawData && t.rawData.length) {
    const copy = new Uint8Array(t.rawData.length);
    copy.set(t.rawData);
    return new Float32Array(copy.buffer, 0, copy.length / 4);
  }
  return Float32Array.from(t.floatData ?? []);
}

/** Replaces the values of a float32 initializer (stored as raw_data). */
export function writeFloats(t: TensorProto, values: Float32Array): void {
  t.rawData = new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  t.floatData = [];
}

/** A new initializer from typed data (little-endian raw_data, as every producer writes it). */
export function makeTensor(
  name: string,
  dataType: number,
  dims: number[],
  data: Float32Array | Int8Array | Uint16Array | Uint8Array,
): TensorProto {
  return { name, dataType, dims, rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)) };
}

type AttributeValue = number | number[] | string;

/** A node; integer attributes are written as INT, arrays as INTS, strings as STRING. */
export function makeNode(
  opType: string,
  inputs: string[],
  outputs: string[],
  name: string,
  attributes: Record<string, AttributeValue> = {},
  domain = '',
): OnnxNode {
  const attribute = Object.entries(attributes).map(([key, value]) => {
    if (typeof value === 'string') return { name: key, type: 3, s: new TextEncoder().encode(value) };
    if (Array.isArray(value)) return { name: key, type: 7, ints: value };
    return { name: key, type: 2, i: value };
  });
  return { opType, input: inputs, output: outputs, name, attribute, domain };
}

/** The opset version the model imports for the default ONNX domain. */
export function defaultOpset(model: OnnxModel): number {
  const entry = model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx');
  return entry ? toNumber(entry.version) : 0;
}

/** Hands out names no tensor or node of the graph uses yet. */
export function nameFactory(graph: OnnxGraph): (base: string) => string {
  const used = new Set<string>();
  for (const n of graph.node) {
    n.output.forEach((o) => used.add(o));
    n.input.forEach((i) => used.add(i));
    if (n.name) used.add(n.name);
  }
  for (const t of graph.initializer) if (t.name) used.add(t.name);
  for (const v of [...graph.input, ...graph.output]) used.add(v.name);
  return (base) => {
    let name = base;
    for (let i = 2; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
}

/** Initializers by name, excluding those also declared as graph inputs (a caller may override them). */
export function constantInitializers(graph: OnnxGraph): Map<string, TensorProto> {
  const inputs = new Set(graph.input.map((i) => i.name));
  return new Map(graph.initializer.filter((t) => t.name && !inputs.has(t.name)).map((t) => [t.name!, t as TensorProto]));
}

/** How many nodes read each tensor name (subgraphs included, as their inputs may capture outer names). */
export function consumerCounts(graph: OnnxGraph): Map<string, number> {
  const counts = new Map<string, number>();
  const visit = (g: OnnxGraph) => {
    for (const node of g.node) {
      for (const input of node.input) if (input) counts.set(input, (counts.get(input) ?? 0) + 1);
      for (const a of node.attribute) {
        if (a.g) visit(a.g);
        for (const sub of a.graphs ?? []) visit(sub);
      }
    }
  };
  visit(graph);
  for (const o of graph.output) counts.set(o.name, (counts.get(o.name) ?? 0) + 1);
  return counts;
}

/** Drops initializers nothing reads any more (the float originals of rewritten weights). */
export function dropUnusedInitializers(graph: OnnxGraph): void {
  const counts = consumerCounts(graph);
  graph.initializer = graph.initializer.filter((t) => (counts.get(t.name ?? '') ?? 0) > 0);
}

/** A readable node label for summaries: its name, else `op #index`. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return node.name || `${node.opType} #${index + 1}`;
}

/** Gemm's attributes with ONNX defaults. */
export function gemmAttributes(node: OnnxNode): { alpha: number; beta: number; transA: number; transB: number } {
  const read = (name: string, fallback: number) => {
    const a = node.attribute.find((x) => x.name === name);
    if (!a) return fallback;
    if (a.type === 1) return a.f ?? fallback;
    return a.type === 2 ? toNumber(a.i) : fallback;
  };
  return { alpha: read('alpha', 1), beta: read('beta', 1), transA: read('transA', 0), transB: read('transB', 0) };
}

/** `[rows, cols]` float matrix transposed. */
export function transpose(values: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/**
 * Lets every node read a stored weight directly instead of through `Identity(initializer)`: torch's
 * exporter deduplicates equal initializers that way (layers cloned from one another, equal biases), and
 * a rewrite that only recognises stored weights would otherwise leave those float32. Identities nothing
 * else reads (a graph output, a subgraph) are dropped.
 */
export function inlineInitializerIdentities(graph: OnnxGraph): void {
  const constants = constantInitializers(graph);
  const alias = new Map<string, string>();
  for (const node of graph.node)
    if (node.opType === 'Identity' && (!node.domain || node.domain === 'ai.onnx') && constants.has(node.input[0] ?? ''))
      alias.set(node.output[0], node.input[0]);
  if (!alias.size) return;
  graph.node = graph.node.map((node) =>
    node.input.some((x) => alias.has(x)) ? { ...node, input: node.input.map((x) => alias.get(x) ?? x) } : node,
  );
  const counts = consumerCounts(graph);
  graph.node = graph.node.filter((node) => !(node.opType === 'Identity' && alias.has(node.output[0]) && !counts.get(node.output[0])));
}
