/**
 * Folds an inference-mode BatchNormalization into the Gemm that feeds it, before int8 quantisation.
 *
 * Why: torch's exporter folds BatchNorm into a preceding Conv but not into a Linear, so a tabular MLP
 * (Linear → BatchNorm1d → activation) keeps four float32 vectors per layer next to its weights, and the
 * int8 rewrite leaves them float32 — on a 24→128→64→3 MLP that held the file at 2.7× smaller instead of
 * ≥ 3×. BN(y) = s·(y − mean) + β with s = γ/√(var + ε) is affine per output column, so it moves exactly
 * (up to float32 rounding, computed in float64) into the Gemm's weight rows/columns and bias:
 *
 *   W' = W · s (per output column)    b' = s·(beta_gemm·b − mean) + β    (Gemm beta becomes 1)
 *
 * Only Gemm (its output is always [N, C], so BatchNormalization's channel axis 1 is the Gemm's output
 * column); a MatMul's output rank is not known here. The fold is skipped, with the reason, when the Gemm's
 * output is read elsewhere or is a graph output, when any BN parameter or the Gemm's weight/bias is not a
 * stored float32 initializer of the right length, or when the BN is in training mode.
 */
import type { OnnxGraph, OnnxNode } from '../model/index';
import { toNumber } from '../model/index';
import {
  consumerCounts,
  constantInitializers,
  dimsOf,
  FLOAT,
  gemmAttributes,
  makeTensor,
  nameFactory,
  nodeLabel,
  readFloats,
} from './graph';
import type { NodeReport } from './types';

export interface FoldOutcome {
  nodes: NodeReport[];
  /** How many BatchNormalization nodes were folded (0: the graph is unchanged). */
  folded: number;
  /** Names of the new (folded) Gemm weights: the BN scale spreads their columns, so int8 wants one scale per column. */
  weights: Set<string>;
}

const isDefault = (node: OnnxNode) => !node.domain || node.domain === 'ai.onnx';

/** Folds every BatchNormalization that directly follows a foldable Gemm; edits `graph` in place. */
export function foldBatchNorms(graph: OnnxGraph): FoldOutcome {
  const initializers = constantInitializers(graph);
  const counts = consumerCounts(graph);
  const producer = new Map<string, OnnxNode>();
  for (const node of graph.node) for (const o of node.output) if (o) producer.set(o, node);
  const fresh = nameFactory(graph);
  const replaced = new Map<OnnxNode, OnnxNode>();
  const removed = new Set<OnnxNode>();
  const nodes: NodeReport[] = [];
  const weights = new Set<string>();

  graph.node.forEach((bn, index) => {
    if (bn.opType !== 'BatchNormalization' || !isDefault(bn)) return;
    const label = nodeLabel(bn, index);
    const skip = (detail: string) => nodes.push({ node: label, op: bn.opType, action: 'skipped', detail: `not folded: ${detail}` });
    const gemm = producer.get(bn.input[0] ?? '');
    if (!gemm || gemm.opType !== 'Gemm' || !isDefault(gemm) || replaced.has(gemm)) return;
    const training = bn.attribute.find((a) => a.name === 'training_mode');
    if (training && toNumber(training.i) !== 0) return skip('training mode');
    if (bn.output.filter(Boolean).length !== 1) return skip('it also outputs running statistics');
    if ((counts.get(gemm.output[0]) ?? 0) !== 1) return skip(`the Gemm's output is also read elsewhere`);
    const attrs = gemmAttributes(gemm);
    if (attrs.transA) return skip('Gemm with transA=1');
    const weight = initializers.get(gemm.input[1] ?? '');
    if (!weight || weight.dataType !== FLOAT || dimsOf(weight).length !== 2)
      return skip(`the Gemm's weight is not a stored float32 matrix`);
    const [rows, cols] = dimsOf(weight);
    const channels = attrs.transB ? rows : cols;
    const params = bn.input.slice(1, 5).map((name) => initializers.get(name));
    if (params.length !== 4 || params.some((t) => !t || t.dataType !== FLOAT || dimsOf(t).join() !== String(channels)))
      return skip(`its scale, bias, mean and variance are not stored float32 vectors of ${channels}`);
    const biasName = gemm.input[2];
    const bias = biasName ? initializers.get(biasName) : undefined;
    if (biasName && (!bias || bias.dataType !== FLOAT || ![String(channels), `1,${channels}`].includes(dimsOf(bias).join())))
      return skip(`the Gemm's bias is not a stored float32 vector of ${channels}`);

    const epsilonAttr = bn.attribute.find((a) => a.name === 'epsilon');
    const epsilon = epsilonAttr?.f ?? 1e-5;
    const [gamma, beta, mean, variance] = params.map((t) => readFloats(t!));
    const b = bias ? readFloats(bias) : new Float32Array(channels);
    const scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c] + epsilon));
    const w = readFloats(weight);
    const folded = new Float32Array(w.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) folded[r * cols + c] = w[r * cols + c] * scale[attrs.transB ? r : c];
    const shift = Float32Array.from(scale, (s, c) => s * (attrs.beta * b[c] - mean[c]) + beta[c]);
    // New initializers (the originals may be shared with other nodes); the rewrite drops unread ones.
    const wName = fresh(`${weight.name}_bn_folded`);
    const bName = fresh(`${biasName || `${gemm.output[0]}_bias`}_bn_folded`);
    graph.initializer.push(makeTensor(wName, FLOAT, [rows, cols], folded), makeTensor(bName, FLOAT, [channels], shift));
    const rest = gemm.attribute.filter((a) => a.name !== 'beta');
    replaced.set(gemm, { ...gemm, input: [gemm.input[0], wName, bName], output: [bn.output[0]], attribute: rest });
    removed.add(bn);
    weights.add(wName);
    nodes.push({
      node: label,
      op: bn.opType,
      action: 'rewritten',
      detail:
        `folded into the Gemm before it (${gemm.name || 'unnamed'}): its ${channels} scales and ` +
        `shifts moved into the weight and bias, exact up to float32 rounding`,
    });
  });

  if (removed.size) graph.node = graph.node.filter((n) => !removed.has(n)).map((n) => replaced.get(n) ?? n);
  return { nodes, folded: removed.size, weights };
}
