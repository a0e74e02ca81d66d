/**
 * A tree ensemble read from an ONNX graph's `ai.onnx.ml` TreeEnsembleRegressor / TreeEnsembleClassifier
 * attributes (as skl2onnx, onnxmltools and samples/diabetes-gbm/xgboost_to_onnx.py write them), for
 * TreeSHAP. Only graphs where the ensemble reads the model's one packed input (directly or through a
 * Cast) and writes the output being explained are taken — then the trees are the model; anything else
 * is explained with a model-agnostic method instead.
 */
import { readFile } from 'node:fs/promises';
import { attributeValue, decodeModel, type OnnxNode } from '../../model/index';
import type { Signature } from '../../protocol/signature';

/** Node modes as numbers (one byte per node). */
export const Mode = { Leaf: 0, Leq: 1, Lt: 2, Gte: 3, Gt: 4, Eq: 5, Neq: 6 } as const;

const MODES: Record<string, number> = {
  LEAF: Mode.Leaf,
  BRANCH_LEQ: Mode.Leq,
  BRANCH_LT: Mode.Lt,
  BRANCH_GTE: Mode.Gte,
  BRANCH_GT: Mode.Gt,
  BRANCH_EQ: Mode.Eq,
  BRANCH_NEQ: Mode.Neq,
};

export interface Tree {
  /** Per node (local index): the table feature index compared (−1 for a leaf). */
  feature: Int32Array;
  threshold: Float64Array;
  mode: Uint8Array;
  /** Child taken when the comparison holds / fails (local indices). */
  yes: Int32Array;
  no: Int32Array;
  missingYes: Uint8Array;
  /** Leaf values, node × targets. */
  value: Float64Array;
  /** Rows of the data reaching each node (filled by {@link computeCovers}). */
  cover: Float64Array;
  maxDepth: number;
}

export interface TreeEnsemble {
  op: 'TreeEnsembleRegressor' | 'TreeEnsembleClassifier';
  trees: Tree[];
  targets: number;
  base: Float64Array;
  /** AVERAGE ensembles divide the sum of trees by their count. */
  scale: number;
  postTransform: string;
}

const numbers = (node: OnnxNode, name: string): number[] => (attributeValue(node, name) as number[] | undefined)?.map(Number) ?? [];
const strings = (node: OnnxNode, name: string): string[] => (attributeValue(node, name) as string[] | undefined) ?? [];

function route(tree: Tree, node: number, x: number): boolean {
  if (Number.isNaN(x)) return tree.missingYes[node] === 1;
  const t = tree.threshold[node];
  switch (tree.mode[node]) {
    case Mode.Leq:
      return x <= t;
    case Mode.Lt:
      return x < t;
    case Mode.Gte:
      return x >= t;
    case Mode.Gt:
      return x > t;
    case Mode.Eq:
      return x === t;
    default:
      return x !== t;
  }
}

/** The child row `x` (float32 values, table order) goes to from `node`. */
export function nextNode(tree: Tree, node: number, x: ArrayLike<number>): number {
  return route(tree, node, x[tree.feature[node]]) ? tree.yes[node] : tree.no[node];
}

/**
 * Reads the ensemble of the model at `path`, or returns null (with the reason) when the graph is not
 * "one ensemble from the packed input to the explained output".
 */
export async function readTreeEnsemble(
  path: string,
  signature: Signature,
  explainedTensor: string,
  featureNames: string[],
): Promise<{ ensemble: TreeEnsemble | null; reason: string }> {
  const graph = decodeModel(await readFile(path)).graph;
  if (!graph) return { ensemble: null, reason: 'the file has no graph' };
  const nodes = graph.node.filter((n) => n.opType === 'TreeEnsembleRegressor' || n.opType === 'TreeEnsembleClassifier');
  if (nodes.length !== 1)
    return { ensemble: null, reason: nodes.length ? 'the graph has several tree ensembles' : 'the graph has no tree ensemble' };
  const node = nodes[0];
  const op = node.opType as TreeEnsemble['op'];
  if (signature.inputs.length !== 1 || signature.inputs[0].kind !== 'packed')
    return { ensemble: null, reason: 'the model does not take one packed feature tensor' };
  const binding = signature.inputs[0];
  let source = node.input[0];
  const cast = graph.node.find((n) => n.opType === 'Cast' && n.output[0] === source);
  if (cast) source = cast.input[0];
  if (source !== binding.tensor) return { ensemble: null, reason: 'the ensemble does not read the model input directly' };
  let output = op === 'TreeEnsembleRegressor' ? node.output[0] : node.output[1];
  const passes = (name: string) => graph.node.find((n) => n.opType === 'Identity' && n.input[0] === name);
  for (let hop = passes(output); hop; hop = passes(output)) output = hop.output[0];
  if (output !== explainedTensor) return { ensemble: null, reason: 'the explained output is computed after the ensemble' };
  const postTransform = (attributeValue(node, 'post_transform') as string | undefined) ?? 'NONE';
  if (postTransform !== 'NONE')
    return { ensemble: null, reason: `the ensemble applies ${postTransform} to its scores (TreeSHAP here explains untransformed sums)` };
  const aggregate = (attributeValue(node, 'aggregate_function') as string | undefined) ?? 'SUM';
  if (aggregate !== 'SUM' && aggregate !== 'AVERAGE') return { ensemble: null, reason: `aggregate function ${aggregate} is not additive` };

  const prefix = op === 'TreeEnsembleRegressor' ? 'target' : 'class';
  const treeIds = numbers(node, 'nodes_treeids');
  const nodeIds = numbers(node, 'nodes_nodeids');
  const featureIds = numbers(node, 'nodes_featureids');
  const values = (attributeValue(node, 'nodes_values') as number[] | undefined) ?? [];
  const modes = strings(node, 'nodes_modes');
  const trueIds = numbers(node, 'nodes_truenodeids');
  const falseIds = numbers(node, 'nodes_falsenodeids');
  const missing = numbers(node, 'nodes_missing_value_tracks_true');
  const leafTrees = numbers(node, `${prefix}_treeids`);
  const leafNodes = numbers(node, `${prefix}_nodeids`);
  const leafTargets = numbers(node, `${prefix}_ids`);
  const leafWeights = (attributeValue(node, `${prefix}_weights`) as number[] | undefined) ?? [];
  const targets =
    op === 'TreeEnsembleRegressor'
      ? Number(attributeValue(node, 'n_targets') ?? 1)
      : Math.max(strings(node, 'classlabels_strings').length, numbers(node, 'classlabels_int64s').length);
  if (op === 'TreeEnsembleClassifier' && new Set(leafTargets).size !== targets)
    return { ensemble: null, reason: 'a binary classifier ensemble with one score per leaf (its second class is derived)' };
  const baseValues = (attributeValue(node, 'base_values') as number[] | undefined) ?? [];
  const featureOf = binding.features.map((name) => featureNames.indexOf(name));

  const byTree = new Map<number, number[]>();
  treeIds.forEach((t, i) => (byTree.get(t) ?? byTree.set(t, []).get(t)!).push(i));
  const trees: Tree[] = [];
  const localOf = new Map<number, Map<number, number>>();
  for (const [treeId, entries] of [...byTree].sort((a, b) => a[0] - b[0])) {
    const local = new Map(entries.map((e, i) => [nodeIds[e], i]));
    localOf.set(treeId, local);
    const n = entries.length;
    const tree: Tree = {
      feature: new Int32Array(n).fill(-1),
      threshold: new Float64Array(n),
      mode: new Uint8Array(n),
      yes: new Int32Array(n).fill(-1),
      no: new Int32Array(n).fill(-1),
      missingYes: new Uint8Array(n),
      value: new Float64Array(n * targets),
      cover: new Float64Array(n),
      maxDepth: 0,
    };
    entries.forEach((e, i) => {
      const mode = MODES[modes[e]];
      tree.mode[i] = mode;
      if (mode === Mode.Leaf) return;
      tree.feature[i] = featureOf[featureIds[e]];
      tree.threshold[i] = values[e];
      tree.yes[i] = local.get(trueIds[e]) ?? -1;
      tree.no[i] = local.get(falseIds[e]) ?? -1;
      tree.missingYes[i] = missing[e] ?? 0;
    });
    // The root is the node no other node points to.
    const children = new Set([...tree.yes, ...tree.no]);
    const root = entries.findIndex((_, i) => !children.has(i));
    if (root !== 0) return { ensemble: null, reason: 'a tree whose root is not its first node' };
    const depth = (i: number): number => (tree.mode[i] === Mode.Leaf ? 0 : 1 + Math.max(depth(tree.yes[i]), depth(tree.no[i])));
    tree.maxDepth = depth(0);
    trees.push(tree);
  }
  for (let l = 0; l < leafTrees.length; l++) {
    const tree = trees[[...byTree.keys()].sort((a, b) => a - b).indexOf(leafTrees[l])];
    const i = localOf.get(leafTrees[l])?.get(leafNodes[l]);
    if (!tree || i === undefined) return { ensemble: null, reason: 'a leaf weight names a node that does not exist' };
    tree.value[i * targets + leafTargets[l]] += leafWeights[l];
  }
  return {
    ensemble: {
      op,
      trees,
      targets,
      base: Float64Array.from({ length: targets }, (_, t) => baseValues[t] ?? 0),
      scale: aggregate === 'AVERAGE' ? 1 / trees.length : 1,
      postTransform,
    },
    reason: '',
  };
}

/** Counts the rows of `values` (rows × width, float32-rounded here) reaching each node: the covers path-dependent TreeSHAP weighs by. */
export function computeCovers(ensemble: TreeEnsemble, values: Float64Array, rows: number, width: number): void {
  const x = new Float64Array(width);
  for (const tree of ensemble.trees) tree.cover.fill(0);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < width; j++) x[j] = Math.fround(values[r * width + j]);
    for (const tree of ensemble.trees) {
      let node = 0;
      tree.cover[0]++;
      while (tree.mode[node] !== Mode.Leaf) {
        node = nextNode(tree, node, x);
        tree.cover[node]++;
      }
    }
  }
}
