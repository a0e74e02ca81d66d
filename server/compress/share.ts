/**
 * Which share of a model's stored float32 weights a rewrite now keeps as int8, by op, and where the rest
 * stayed float32 — so a message says "the LSTM holds 98 % of the weights" rather than naming only the
 * tiny layer that was quantised.
 */
import type { OnnxNode } from '../model/index';
import { CompressError, elementCount, FLOAT, type TensorProto } from './graph';
import type { NodeReport } from './types';
import { RECURRENT_OPS } from './weights';

export interface WeightShare {
  /** Float32 values in stored initializers before the rewrite. */
  total: number;
  /** Of those, values now stored as int8. */
  quantized: number;
  /** Quantised values by consuming op (`Conv`, `LSTM`, `Gather`…). */
  byOp: Record<string, number>;
  /** Values left float32, by what reads them (`Conv biases`, `BatchNormalization`, `MatMul weights`…). */
  left: Record<string, number>;
}

/** What reads a weight that stayed float32, in words: the op, and which of its inputs when that says more. */
function leftLabel(node: OnnxNode, input: number): string {
  if (RECURRENT_OPS.has(node.opType))
    return input === 3 ? `${node.opType} biases` : input >= 4 ? `${node.opType} initial states` : `${node.opType} weights`;
  if ((node.opType === 'Conv' || node.opType === 'Gemm') && input === 2) return `${node.opType} biases`;
  if (['Conv', 'Gemm', 'MatMul'].includes(node.opType) && input === 1) return `${node.opType} weights`;
  if (node.opType === 'Gather' && input === 0) return 'embedding tables';
  return node.opType;
}

/**
 * Counts over the ORIGINAL nodes and initializers; `quantized` names the initializers that got an int8
 * copy, `rewritten` is the new node list: a weight it still reads as float32 (shared with a node left
 * alone) counts as left, since its float32 bytes stay in the file.
 */
export function weightShare(
  nodes: OnnxNode[],
  initializers: Map<string, TensorProto>,
  quantized: Map<string, string>,
  rewritten: OnnxNode[],
): WeightShare {
  const stillRead = new Set(rewritten.flatMap((n) => n.input));
  const share: WeightShare = { total: 0, quantized: 0, byOp: {}, left: {} };
  const firstUse = new Map<string, { node: OnnxNode; input: number }>();
  for (const node of nodes) node.input.forEach((name, input) => firstUse.has(name) || firstUse.set(name, { node, input }));
  for (const [name, tensor] of initializers) {
    if (tensor.dataType !== FLOAT) continue;
    const use = firstUse.get(name);
    if (!use) continue;
    const n = elementCount(tensor);
    share.total += n;
    const op = quantized.get(name);
    if (op && !stillRead.has(name)) {
      share.quantized += n;
      share.byOp[op] = (share.byOp[op] ?? 0) + n;
    } else {
      const label = op ? 'weights also read as float32 by a node left alone' : leftLabel(use.node, use.input);
      share.left[label] = (share.left[label] ?? 0) + n;
    }
  }
  return share;
}

const percent = (part: number, total: number) => `${((100 * part) / Math.max(1, total)).toFixed(1)} %`;

/** Largest groups first, the smallest folded into "other" after `max`. */
function groups(counts: Record<string, number>, total: number, max = 4): string {
  const sorted = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const shown = sorted.slice(0, max).map(([k, v]) => `${k} ${percent(v, total)}`);
  const rest = sorted.slice(max).reduce((a, [, v]) => a + v, 0);
  return [...shown, ...(rest ? [`other ${percent(rest, total)}`] : [])].join(', ');
}

/** One sentence: "int8 now holds 97.2 % of the 301,234 float32 weights (Conv 95.0 %, …); left float32: 2.8 % (…)". */
export function describeShare(share: WeightShare): string {
  if (!share.total) return 'The model stores no float32 weights.';
  const count = share.total.toLocaleString('en-US');
  const leftTotal = share.total - share.quantized;
  return (
    `Stored as int8: ${percent(share.quantized, share.total)} of the ${count} float32 weights` +
    (share.quantized ? ` (${groups(share.byOp, share.total)})` : '') +
    (leftTotal ? `; left float32: ${percent(leftTotal, share.total)} (${groups(share.left, share.total)})` : '') +
    '.'
  );
}

/** The error for a model without anything to quantise, listing why each candidate was passed over. */
export function noQuantizableOps(nodes: NodeReport[], share?: string): CompressError {
  const skipped = nodes.filter((r) => r.action === 'skipped').map((r) => `${r.node}: ${r.detail}`);
  const ops = [...new Set(nodes.map((r) => r.op))].join(', ');
  const why = share && !share.startsWith('The model stores no') ? ` ${share}` : '';
  return new CompressError(
    skipped.length
      ? `no quantizable ops: every candidate was skipped (${skipped.slice(0, 5).join('; ')}${skipped.length > 5 ? '; …' : ''}).${why}`
      : `no quantizable ops: the graph has no MatMul/Gemm/Conv (nor LSTM/GRU/RNN or embedding table) with stored float32 weights ` +
          `(its ops: ${ops || 'none'}).${why}`,
  );
}
