/**
 * int8 weight-only ("QDQ" weights): each stored weight — MatMul/Gemm/Conv kernels, LSTM/GRU/RNN W and R,
 * embedding tables read by Gather — is kept as int8 and turned back into float32 by a DequantizeLinear
 * node; the arithmetic stays float32. The file shrinks ~4×.
 *
 * The trap (measured, see the notes): by default ONNX Runtime keeps DequantizeLinear out of constant
 * folding (to preserve QDQ patterns), so it dequantises every weight on every run, and runs
 * DequantizeLinear → MatMul through its quantised kernels — several times SLOWER than float32. With the
 * session option `session.disable_quant_qdq = 1` it folds the dequantisation at load time and runs at
 * float32 speed. The variant carries that option.
 */
import type { OnnxGraph, OnnxModel, OnnxNode } from '../model/index';
import {
  CompressError,
  constantInitializers,
  defaultOpset,
  dropUnusedInitializers,
  inlineInitializerIdentities,
  elementCount,
  FLOAT,
  INT8,
  makeNode,
  makeTensor,
  nameFactory,
  nodeLabel,
  readFloats,
  type TensorProto,
} from './graph';
import { describeShare, noQuantizableOps, weightShare } from './share';
import type { NodeReport, RewriteOutcome } from './types';
import { DEFAULT_MIN_WEIGHTS, isCandidate, quantizeSymmetric, tooSmall, weightOnlySlots, type WeightSlot } from './weights';

export const QDQ_SESSION_CONFIG = { 'session.disable_quant_qdq': '1' } as const;

export const QDQ_NOTE =
  'Loaded with session.disable_quant_qdq=1: without it ONNX ' +
  'Runtime dequantises the weights on every run and sends ' +
  'DequantizeLinear→MatMul through its QDQ kernels, several times ' +
  'slower than float32 (int8 here is a storage format, not a compute format).';

/**
 * Writes weight-only int8 for the weights of one node at a time into `out` (DequantizeLinear first, so
 * the graph stays in topological order), sharing one int8 copy per (weight, axis) between nodes.
 */
export function weightOnlyWriter(
  graph: OnnxGraph,
  added: TensorProto[],
  out: OnnxNode[],
  fresh = nameFactory(graph),
): {
  /** Returns the name of the float32 tensor that replaces `slot.weight`; `axis` null = one scale per tensor. */
  dequantize(slot: WeightSlot, axis: number | null): string;
  /** Initializer name → op of the node that first had it quantised. */
  quantized: Map<string, string>;
} {
  const done = new Map<string, string>();
  const quantized = new Map<string, string>();
  return {
    quantized,
    dequantize(slot, axis) {
      const name = slot.weight.name!;
      const key = `${name}|${axis ?? 'tensor'}`;
      const existing = done.get(key);
      if (existing) return existing;
      const { q, scales } = quantizeSymmetric(readFloats(slot.weight), slot.dims, axis);
      const qName = fresh(`${name}_quantized`);
      const scaleName = fresh(`${name}_scale`);
      const zpName = fresh(`${name}_zero_point`);
      const scaleDims = axis === null ? [] : [slot.dims[axis]];
      added.push(
        makeTensor(qName, INT8, slot.dims, q),
        makeTensor(scaleName, FLOAT, scaleDims, scales),
        makeTensor(zpName, INT8, scaleDims, new Int8Array(scales.length)),
      );
      const floatName = fresh(`${name}_dequantized`);
      out.push(
        makeNode(
          'DequantizeLinear',
          [qName, scaleName, zpName],
          [floatName],
          fresh(`${name}_DequantizeLinear`),
          axis === null ? {} : { axis },
        ),
      );
      done.set(key, floatName);
      return floatName;
    },
  };
}

/** "65,536 weights (W, R) stored as int8 per channel (axis 1) + DequantizeLinear". */
export function weightOnlyDetail(node: OnnxNode, slots: WeightSlot[], axis: (slot: WeightSlot) => number | null): string {
  const count = slots.reduce((a, s) => a + elementCount(s.weight), 0);
  const what = node.opType === 'Gather' ? ' (embedding table)' : slots.length > 1 ? ' (W and R; the bias stays float32)' : '';
  const axes = [...new Set(slots.map(axis))];
  const how =
    axes[0] === null
      ? 'per tensor'
      : node.opType === 'Gather'
        ? `per row (${slots[0].dims[0]} scales)`
        : `per channel (axis ${axes.join('/')})`;
  return `${count} weights${what} stored as int8 ${how} + DequantizeLinear`;
}

export function rewriteInt8Weights(model: OnnxModel, options: { perChannel: boolean; minWeights?: number }): RewriteOutcome {
  const graph = model.graph!;
  const opset = defaultOpset(model);
  if (opset < 10) throw new CompressError(`int8 weight-only needs opset 10 or newer (DequantizeLinear); this model imports opset ${opset}`);
  if (options.perChannel && opset < 13) {
    throw new CompressError(
      `per-channel int8 weights need opset 13 (DequantizeLinear with axis; ONNX Runtime refuses ` +
        `it below); this model imports opset ${opset}. Use per-tensor, or re-export with opset 13.`,
    );
  }
  const minWeights = options.minWeights ?? DEFAULT_MIN_WEIGHTS;
  inlineInitializerIdentities(graph);
  const initializers = constantInitializers(graph);
  const nodes: NodeReport[] = [];
  const added: TensorProto[] = [];
  const out: OnnxNode[] = [];
  const writer = weightOnlyWriter(graph, added, out);
  const original = graph.node;

  original.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const found = weightOnlySlots(node, initializers);
    if (!Array.isArray(found)) {
      const candidate = isCandidate(node);
      nodes.push({
        node: label,
        op: node.opType,
        action: candidate ? 'skipped' : 'left',
        detail: candidate ? found.reason : 'no weights to store as int8',
      });
      out.push(node);
      return;
    }
    const small = found.map((s) => tooSmall(s, minWeights)).find(Boolean);
    if (small) {
      nodes.push({ node: label, op: node.opType, action: 'skipped', detail: small });
      out.push(node);
      return;
    }
    const axis = (slot: WeightSlot) => (options.perChannel ? slot.outputAxis : null);
    const replaced = new Map(found.map((slot) => [slot.input, writer.dequantize(slot, axis(slot))]));
    for (const slot of found) if (!writer.quantized.has(slot.weight.name!)) writer.quantized.set(slot.weight.name!, node.opType);
    out.push({ ...node, input: node.input.map((x, i) => replaced.get(i) ?? x) });
    nodes.push({ node: label, op: node.opType, action: 'rewritten', detail: weightOnlyDetail(node, found, axis) });
  });

  const share = weightShare(original, initializers, writer.quantized, out);
  if (!nodes.some((r) => r.action === 'rewritten')) throw noQuantizableOps(nodes, describeShare(share));
  graph.node = out;
  graph.initializer.push(...added);
  dropUnusedInitializers(graph);
  return { nodes, sessionConfig: { ...QDQ_SESSION_CONFIG }, notes: [describeShare(share), QDQ_NOTE] };
}
