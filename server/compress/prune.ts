/**
 * Magnitude pruning, per layer: in every MatMul/Gemm/Conv weight the `sparsity` fraction of smallest
 * |w| become 0. Without fine-tuning this is a size experiment: the dense file keeps its size (zeros are
 * still stored) and only the gzip size drops; agreement shows what it costs.
 */
import type { OnnxModel } from '../model/index';
import { CompressError, constantInitializers, elementCount, nodeLabel, readFloats, writeFloats } from './graph';
import type { NodeReport, RewriteOutcome } from './types';
import { findWeight, isSlot, tooSmall } from './weights';

export function rewritePrune(model: OnnxModel, options: { sparsity: number; minWeights?: number }): RewriteOutcome {
  const { sparsity } = options;
  if (!(sparsity > 0 && sparsity < 1)) throw new CompressError(`sparsity must be between 0 and 1 (exclusive), got ${sparsity}`);
  const graph = model.graph!;
  const initializers = constantInitializers(graph);
  const done = new Set<string>();
  const nodes: NodeReport[] = [];
  graph.node.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const slot = findWeight(node, initializers);
    if (!isSlot(slot)) {
      const candidate = node.opType === 'MatMul' || node.opType === 'Gemm' || node.opType === 'Conv';
      nodes.push({ node: label, op: node.opType, action: candidate ? 'skipped' : 'left', detail: candidate ? slot.reason : 'no weights' });
      return;
    }
    const small = tooSmall(slot, options.minWeights ?? 16);
    if (small) {
      nodes.push({ node: label, op: node.opType, action: 'skipped', detail: small });
      return;
    }
    const name = slot.weight.name!;
    if (done.has(name)) {
      nodes.push({ node: label, op: node.opType, action: 'rewritten', detail: `shares the already pruned '${name}'` });
      return;
    }
    done.add(name);
    const values = readFloats(slot.weight);
    const magnitudes = Float32Array.from(values, Math.abs).sort();
    const k = Math.floor(sparsity * values.length);
    // Ties at the threshold are kept, so a layer is never pruned beyond the target.
    const threshold = k > 0 ? magnitudes[k - 1] : -1;
    let zeroed = 0;
    let budget = k - (k > 0 ? magnitudes.findIndex((v) => v >= threshold) : 0);
    for (let i = 0; i < values.length; i++) {
      const m = Math.abs(values[i]);
      if (m < threshold || (m === threshold && budget > 0)) {
        if (m === threshold) budget--;
        values[i] = 0;
      }
      if (values[i] === 0) zeroed++;
    }
    writeFloats(slot.weight, values);
    nodes.push({
      node: label,
      op: node.opType,
      action: 'rewritten',
      detail: `${((100 * zeroed) / elementCount(slot.weight)).toFixed(1)} % of ${values.length} weights are now 0`,
    });
  });
  if (!nodes.some((r) => r.action === 'rewritten'))
    throw new CompressError('nothing to prune: no MatMul/Gemm/Conv with stored float32 weights');
  return {
    nodes,
    sessionConfig: {},
    notes: ['Pruned without fine-tuning: the file keeps its size, only the gzip size drops. Check the agreement before using it.'],
  };
}
