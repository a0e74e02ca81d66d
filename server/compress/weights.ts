/**
 * Which nodes carry a weight matrix a rewrite may touch, and why the others are left alone. Shared by
 * every rewrite so the per-node summary reads the same for int8, fp16 and pruning.
 */
import type { OnnxNode } from '../model/index';
import { dimsOf, elementCount, FLOAT, gemmAttributes, type TensorProto } from './graph';

/** A node's weight initializer and how its output channels are laid out. */
export interface WeightSlot {
  weight: TensorProto;
  /** Index of the weight among the node's inputs. */
  input: number;
  dims: number[];
  /** The axis of `dims` that indexes output channels (per-channel scales run along it). */
  outputAxis: number;
}

/** Ops whose second input is a weight the lab knows how to treat. */
export const WEIGHT_OPS = new Set(['MatMul', 'Gemm', 'Conv']);

/** The weight of a MatMul/Gemm/Conv node, or the reason there is none to rewrite. */
export function findWeight(node: OnnxNode, initializers: Map<string, TensorProto>): WeightSlot | { reason: string } {
  if (!WEIGHT_OPS.has(node.opType) || (node.domain && node.domain !== 'ai.onnx')) return { reason: `${node.opType} has no weight matrix` };
  const name = node.input[1];
  const weight = name ? initializers.get(name) : undefined;
  if (!weight) return { reason: `its weight '${name ?? '?'}' is computed at run time (not a stored initializer)` };
  if (weight.dataType !== FLOAT) return { reason: `its weight '${name}' is not float32` };
  if (initializers.has(node.input[0] ?? '')) return { reason: 'both operands are constants (ONNX Runtime folds it away)' };
  const dims = dimsOf(weight);
  if (node.opType === 'Conv') return { weight, input: 1, dims, outputAxis: 0 };
  if (dims.length !== 2) return { reason: `its weight '${name}' has rank ${dims.length}; only 2-D weight matrices are rewritten` };
  if (node.opType === 'Gemm') return { weight, input: 1, dims, outputAxis: gemmAttributes(node).transB ? 0 : 1 };
  return { weight, input: 1, dims, outputAxis: 1 };
}

export function isSlot(x: WeightSlot | { reason: string }): x is WeightSlot {
  return 'weight' in x;
}

/** Recurrent ops whose W (input 1) and R (input 2) are `[directions, gates·hidden, width]` weight stacks. */
export const RECURRENT_OPS = new Set(['LSTM', 'GRU', 'RNN']);

/** Ops whose weights only a weight-only rewrite (int8 + DequantizeLinear) can shrink. */
export const WEIGHT_ONLY_OPS = new Set(['Conv', ...RECURRENT_OPS, 'Gather']);

/**
 * The stored float32 weights of a node that a weight-only rewrite may keep as int8, with the axis their
 * per-channel scales run along: MatMul/Gemm/Conv weights (see findWeight); LSTM/GRU/RNN input and
 * recurrence weights W and R (one scale per gate row, axis 1; the small bias B stays float32); and
 * embedding tables, a Gather whose data is a stored matrix and whose indices come at run time (one scale
 * per row, axis 0, so each token's vector keeps its own range).
 */
export function weightOnlySlots(node: OnnxNode, initializers: Map<string, TensorProto>): WeightSlot[] | { reason: string } {
  if (node.domain && node.domain !== 'ai.onnx') return { reason: `${node.opType} has no weight matrix` };
  if (RECURRENT_OPS.has(node.opType)) {
    const slots: WeightSlot[] = [];
    for (const input of [1, 2]) {
      const name = node.input[input];
      const weight = name ? initializers.get(name) : undefined;
      if (!weight)
        return { reason: `its ${input === 1 ? 'W' : 'R'} weight '${name ?? '?'}' is computed at run time (not a stored initializer)` };
      if (weight.dataType !== FLOAT) return { reason: `its weight '${name}' is not float32` };
      slots.push({ weight, input, dims: dimsOf(weight), outputAxis: 1 });
    }
    return slots;
  }
  if (node.opType === 'Gather') {
    const name = node.input[0];
    const weight = name ? initializers.get(name) : undefined;
    if (!weight || weight.dataType !== FLOAT) return { reason: 'not an embedding lookup (its data is not a stored float32 table)' };
    if (initializers.has(node.input[1] ?? '')) return { reason: 'its indices are constant too (ONNX Runtime folds it away)' };
    const dims = dimsOf(weight);
    if (dims.length < 2) return { reason: `its table '${name}' has rank ${dims.length}; only tables of rows are stored as int8` };
    return [{ weight, input: 0, dims, outputAxis: 0 }];
  }
  const slot = findWeight(node, initializers);
  return isSlot(slot) ? [slot] : slot;
}

/** Whether a node could carry weights a rewrite touches (a "candidate"), so a node passed over is reported as skipped. */
export function isCandidate(node: OnnxNode): boolean {
  return WEIGHT_OPS.has(node.opType) || RECURRENT_OPS.has(node.opType);
}

/** Weights smaller than this are not worth a rewrite (default for int8). */
export const DEFAULT_MIN_WEIGHTS = 256;

export function tooSmall(slot: WeightSlot, minWeights: number): string | null {
  const n = elementCount(slot.weight);
  return n < minWeights ? `only ${n} weights (< ${minWeights}): the extra quantize/cast work would cost more than the bytes saved` : null;
}

/**
 * Symmetric int8 quantisation (scale = absmax / 127, zero point 0), as ONNX Runtime's own quantizer does
 * for weights; per-tensor (`axis` null) or one scale per index of `axis`. `qmax` 63 is ORT's
 * `reduce_range` (7-bit weights).
 */
export function quantizeSymmetric(
  values: Float32Array,
  dims: number[],
  axis: number | null,
  qmax = 127,
): { q: Int8Array; scales: Float32Array } {
  const channels = axis === null ? 1 : dims[axis];
  const stride = axis === null ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const channelOf = (i: number) => (axis === null ? 0 : Math.floor(i / stride) % channels);
  const absmax = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = channelOf(i);
    const v = Math.abs(values[i]);
    if (v > absmax[c]) absmax[c] = v;
  }
  // An all-zero channel gets scale 1 so dequantisation stays finite (its values are all 0 anyway).
  const scales = Float32Array.from(absmax, (m) => (m > 0 ? m / qmax : 1));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] / scales[channelOf(i)]);
    q[i] = v > qmax ? qmax : v < -qmax ? -qmax : v;
  }
  return { q, scales };
}
