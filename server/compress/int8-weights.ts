/**
 * int8 weight-only ("QDQ" weights): each MatMul/Gemm/Conv weight is stored as int8 and turned back into
 * float32 by a DequantizeLinear node; the arithmetic stays float32. The file shrinks ~4×.
 *
 * The trap (measured, see the notes): by default ONNX Runtime treats DequantizeLinear → MatMul as a QDQ
 * pattern and runs it through its quantised kernels, which for weight-only QDQ is several times SLOWER
 * than float32. With the session option `session.disable_quant_qdq = 1` it simply constant-folds the
 * dequantisation at load time and runs at float32 speed. The variant carries that option.
 */
import type { OnnxModel, OnnxNode } from '../model/index';
import {
  CompressError,
  constantInitializers,
  defaultOpset,
  dropUnusedInitializers,
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
import { noQuantizableOps } from './int8-dynamic';
import type { NodeReport, RewriteOutcome } from './types';
import { DEFAULT_MIN_WEIGHTS, findWeight, isSlot, quantizeSymmetric, tooSmall } from './weights';

export const QDQ_SESSION_CONFIG = { 'session.disable_quant_qdq': '1' } as const;

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
  const initializers = constantInitializers(graph);
  const fresh = nameFactory(graph);
  const nodes: NodeReport[] = [];
  const added: TensorProto[] = [];
  const out: OnnxNode[] = [];
  const dequantized = new Map<string, string>();

  graph.node.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const slot = findWeight(node, initializers);
    if (!isSlot(slot)) {
      const candidate = node.opType === 'MatMul' || node.opType === 'Gemm' || node.opType === 'Conv';
      nodes.push({
        node: label,
        op: node.opType,
        action: candidate ? 'skipped' : 'left',
        detail: candidate ? slot.reason : 'no weights to store as int8',
      });
      out.push(node);
      return;
    }
    const small = tooSmall(slot, minWeights);
    if (small) {
      nodes.push({ node: label, op: node.opType, action: 'skipped', detail: small });
      out.push(node);
      return;
    }
    const name = slot.weight.name!;
    const key = `${name}|${slot.outputAxis}`;
    let floatName = dequantized.get(key);
    if (!floatName) {
      const axis = options.perChannel ? slot.outputAxis : null;
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
      floatName = fresh(`${name}_dequantized`);
      out.push(
        makeNode(
          'DequantizeLinear',
          [qName, scaleName, zpName],
          [floatName],
          fresh(`${name}_DequantizeLinear`),
          axis === null ? {} : { axis },
        ),
      );
      dequantized.set(key, floatName);
    }
    out.push({ ...node, input: node.input.map((x, i) => (i === slot.input ? floatName : x)) });
    nodes.push({
      node: label,
      op: node.opType,
      action: 'rewritten',
      detail:
        `${elementCount(slot.weight)} weights stored as int8 ` +
        `${options.perChannel ? `per channel (axis ${slot.outputAxis})` : 'per tensor'} + DequantizeLinear`,
    });
  });

  if (!nodes.some((r) => r.action === 'rewritten')) throw noQuantizableOps(nodes);
  graph.node = out;
  graph.initializer.push(...added);
  dropUnusedInitializers(graph);
  return {
    nodes,
    sessionConfig: { ...QDQ_SESSION_CONFIG },
    notes: [
      'Loaded with session.disable_quant_qdq=1: without it ONNX ' +
        'Runtime runs DequantizeLinear→MatMul through its QDQ kernels, ' +
        'several times slower than float32 (it is a storage format, ' +
        'not a compute format).',
    ],
  };
}
