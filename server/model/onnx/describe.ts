/**
 * ModelInfo from a decoded ONNX model: versions, producer, metadata, declared inputs/outputs, parameter
 * count and op histogram. Reads only the protobuf, so `model-lab info` works without creating a session.
 */
import { basename } from 'node:path';
import type { ModelInfo } from '../../protocol/api';
import type { Dim, TensorInfo } from '../../protocol/signature';
import { ONNX_ELEM_NAME, ONNX_ELEM_TYPE, type OnnxGraph, type OnnxModel, type OnnxTypeProto, type OnnxValueInfo, toNumber } from './proto';

/** A human-readable type for anything a graph can declare: `tensor(float)`, `seq(map(int64,tensor(float)))`. */
export function typeName(t: OnnxTypeProto | undefined): string {
  if (!t) return 'unknown';
  if (t.tensorType) return `tensor(${ONNX_ELEM_NAME[t.tensorType.elemType ?? 0] ?? '?'})`;
  if (t.sequenceType) return `seq(${typeName(t.sequenceType.elemType)})`;
  if (t.mapType) return `map(${ONNX_ELEM_NAME[t.mapType.keyType ?? 0] ?? '?'},${typeName(t.mapType.valueType)})`;
  if (t.optionalType) return `optional(${typeName(t.optionalType.elemType)})`;
  return 'unknown';
}

export function dimsOf(v: OnnxValueInfo): Dim[] {
  const dims = v.type?.tensorType?.shape?.dim;
  if (!dims) return [];
  return dims.map((d) => {
    if (d.dimParam) return d.dimParam;
    const n = toNumber(d.dimValue);
    return d.dimValue !== undefined && d.dimValue !== null && n > 0 ? n : null;
  });
}

/** The tensor view of a value info, or undefined for sequences/maps/unsupported element types. */
export function tensorInfo(v: OnnxValueInfo): TensorInfo | undefined {
  const elem = v.type?.tensorType?.elemType;
  const dtype = elem === undefined ? undefined : ONNX_ELEM_TYPE[elem];
  if (!dtype) return undefined;
  return { name: v.name, dtype, dims: dimsOf(v) };
}

/** Graph inputs that are real inputs (older exporters list initializers as inputs too). */
export function realInputs(graph: OnnxGraph): OnnxValueInfo[] {
  const initializers = new Set(graph.initializer.map((t) => t.name));
  return graph.input.filter((i) => !initializers.has(i.name));
}

function countNodes(graph: OnnxGraph, histogram: Record<string, number>): number {
  let n = 0;
  for (const node of graph.node) {
    const key = node.domain && node.domain !== 'ai.onnx' ? `${node.domain}:${node.opType}` : node.opType;
    histogram[key] = (histogram[key] ?? 0) + 1;
    n++;
    for (const a of node.attribute) {
      if (a.g) n += countNodes(a.g, histogram);
      for (const g of a.graphs ?? []) n += countNodes(g, histogram);
    }
  }
  return n;
}

export function describeModel(model: OnnxModel, where: { path: string; fileBytes: number; rewrites: string[] }): ModelInfo {
  const graph = model.graph;
  if (!graph) throw new Error('the file has no graph');
  const histogram: Record<string, number> = {};
  const nodeCount = countNodes(graph, histogram);
  let parameterCount = 0;
  for (const t of graph.initializer) parameterCount += t.dims.reduce<number>((a, d) => a * toNumber(d), 1);
  for (const s of graph.sparseInitializer ?? []) parameterCount += (s.values?.dims ?? []).reduce<number>((a, d) => a * toNumber(d), 1);
  const metadata: Record<string, string> = {};
  for (const p of model.metadataProps) if (p.key) metadata[p.key] = p.value ?? '';
  const tensors = (list: OnnxValueInfo[]) => list.map(tensorInfo).filter((t): t is TensorInfo => t !== undefined);
  return {
    name:
      basename(where.path)
        .replace(/\.onnx$/i, '')
        .replace(/[^A-Za-z0-9_.-]/g, '_') || 'model',
    path: where.path,
    fileBytes: where.fileBytes,
    irVersion: toNumber(model.irVersion),
    opsets: model.opsetImport.map((o) => ({ domain: o.domain || 'ai.onnx', version: toNumber(o.version) })),
    producer: { name: model.producerName ?? '', version: model.producerVersion ?? '' },
    domain: model.domain ?? '',
    modelVersion: toNumber(model.modelVersion),
    docString: model.docString ?? '',
    metadata,
    inputs: tensors(realInputs(graph)),
    outputs: tensors(graph.output),
    initializerCount: graph.initializer.length + (graph.sparseInitializer?.length ?? 0),
    parameterCount,
    nodeCount,
    opHistogram: Object.fromEntries(Object.entries(histogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))),
    rewrites: where.rewrites,
  };
}
