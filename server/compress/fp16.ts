/**
 * fp16 weights, float32 everywhere else: every float32 initializer is stored as float16 and a Cast back
 * to float32 produces the original name, so the graph, its inputs and outputs are unchanged. The file
 * halves; ONNX Runtime constant-folds the Casts at load time, so speed is float32's (no fp16 arithmetic).
 */
import type { OnnxModel, OnnxNode } from '../model/index';
import { toHalf } from '../protocol/codec';
import {
  CompressError,
  constantInitializers,
  consumerCounts,
  elementCount,
  FLOAT,
  FLOAT16,
  makeNode,
  makeTensor,
  nameFactory,
  readFloats,
  type TensorProto,
} from './graph';
import type { NodeReport, RewriteOutcome } from './types';

const FP16_MAX = 65504;

export function rewriteFp16(model: OnnxModel, options: { minWeights?: number } = {}): RewriteOutcome {
  const graph = model.graph!;
  const minWeights = options.minWeights ?? 16;
  const initializers = constantInitializers(graph);
  const used = consumerCounts(graph);
  const fresh = nameFactory(graph);
  const consumers = new Map<string, string[]>();
  for (const node of graph.node)
    for (const input of node.input) (consumers.get(input) ?? consumers.set(input, []).get(input)!).push(node.opType);

  const nodes: NodeReport[] = [];
  const casts: OnnxNode[] = [];
  const replaced = new Map<string, TensorProto>();
  for (const [name, tensor] of initializers) {
    if (tensor.dataType !== FLOAT || !used.get(name)) continue;
    const report = (action: NodeReport['action'], detail: string) =>
      nodes.push({ node: `initializer '${name}'`, op: [...new Set(consumers.get(name) ?? ['(subgraph)'])].join('/'), action, detail });
    const n = elementCount(tensor);
    if (n < minWeights) {
      report('skipped', `only ${n} values (< ${minWeights}): not worth a Cast`);
      continue;
    }
    const values = readFloats(tensor);
    const peak = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (!(peak <= FP16_MAX)) {
      report('skipped', `values up to ${peak.toExponential(2)} overflow float16 (max 65504)`);
      continue;
    }
    const half = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) half[i] = toHalf(values[i]);
    const halfName = fresh(`${name}_fp16`);
    replaced.set(name, makeTensor(halfName, FLOAT16, tensor.dims.map(Number), half));
    casts.push(makeNode('Cast', [halfName], [name], fresh(`${name}_Cast`), { to: FLOAT }));
    report('rewritten', `${n} values stored as float16 + Cast to float32`);
  }
  if (!replaced.size) {
    throw new CompressError(
      nodes.length
        ? `nothing to convert to fp16: ${nodes
            .map((r) => `${r.node}: ${r.detail}`)
            .slice(0, 5)
            .join('; ')}`
        : 'nothing to convert to fp16: the model stores no float32 initializers (its parameters live in node attributes or are not float)',
    );
  }
  graph.initializer = [...graph.initializer.filter((t) => !replaced.has(t.name ?? '')), ...replaced.values()];
  // Initializers have no producers, so the Casts can all go first and the node order stays topological.
  graph.node = [...casts, ...graph.node];
  return {
    nodes,
    sessionConfig: {},
    notes: ['Compute stays float32: ONNX Runtime folds the Casts at load time; expect float32 speed, not faster.'],
  };
}
