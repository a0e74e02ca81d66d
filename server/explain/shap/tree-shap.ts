/**
 * TreeSHAP, path-dependent (Lundberg, Erion & Lee 2018, Algorithm 2 — what xgboost's `pred_contribs` and
 * shap's TreeExplainer with `feature_perturbation="tree_path_dependent"` compute): exact Shapley values of
 * the ensemble's raw sum, where a feature absent from a coalition follows both branches of a split in
 * proportion to the node covers. Covers here are the counts of data rows reaching each node
 * (./tree-ensemble.ts computeCovers) — xgboost's cover is the hessian sum, which for squared error is the
 * same count on its training rows. Polynomial time: O(trees · leaves · depth²) per row.
 */
import { Mode, type Tree, type TreeEnsemble, nextNode } from './tree-ensemble';
import type { RowShap } from './exact';

/** The path of unique features from the root to the current node, one slot per depth level. */
interface Path {
  feature: Int32Array;
  zero: Float64Array;
  one: Float64Array;
  weight: Float64Array;
}

function extend(p: Path, at: number, depth: number, zero: number, one: number, feature: number): void {
  p.feature[at + depth] = feature;
  p.zero[at + depth] = zero;
  p.one[at + depth] = one;
  p.weight[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    p.weight[at + i + 1] += (one * p.weight[at + i] * (i + 1)) / (depth + 1);
    p.weight[at + i] = (zero * p.weight[at + i] * (depth - i)) / (depth + 1);
  }
}

function unwind(p: Path, at: number, depth: number, index: number): void {
  const one = p.one[at + index];
  const zero = p.zero[at + index];
  let next = p.weight[at + depth];
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = p.weight[at + i];
      p.weight[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = t - (p.weight[at + i] * zero * (depth - i)) / (depth + 1);
    } else {
      p.weight[at + i] = (p.weight[at + i] * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = index; i < depth; i++) {
    p.feature[at + i] = p.feature[at + i + 1];
    p.zero[at + i] = p.zero[at + i + 1];
    p.one[at + i] = p.one[at + i + 1];
  }
}

/** Σ of the path weights with element `index` unwound, without changing the path. */
function unwoundSum(p: Path, at: number, depth: number, index: number): number {
  const one = p.one[at + index];
  const zero = p.zero[at + index];
  let next = p.weight[at + depth];
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const t = (next * (depth + 1)) / ((i + 1) * one);
      total += t;
      next = p.weight[at + i] - (t * zero * (depth - i)) / (depth + 1);
    } else if (zero !== 0) {
      total += p.weight[at + i] / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}

function recurse(
  tree: Tree,
  x: Float64Array,
  phi: Float64Array,
  targets: number,
  scale: number,
  p: Path,
  node: number,
  depth: number,
  parentAt: number,
  zero: number,
  one: number,
  feature: number,
): void {
  // Each level copies its parent's path into the next slots, so siblings do not see each other's changes.
  const at = parentAt + depth + 1;
  for (let i = 0; i < depth + 1 && depth > 0; i++) {
    p.feature[at + i] = p.feature[parentAt + i];
    p.zero[at + i] = p.zero[parentAt + i];
    p.one[at + i] = p.one[parentAt + i];
    p.weight[at + i] = p.weight[parentAt + i];
  }
  extend(p, at, depth, zero, one, feature);
  if (tree.mode[node] === Mode.Leaf) {
    for (let i = 1; i <= depth; i++) {
      const w = unwoundSum(p, at, depth, i) * (p.one[at + i] - p.zero[at + i]) * scale;
      const f = p.feature[at + i];
      for (let t = 0; t < targets; t++) phi[f * targets + t] += w * tree.value[node * targets + t];
    }
    return;
  }
  const hot = nextNode(tree, node, x);
  const cold = hot === tree.yes[node] ? tree.no[node] : tree.yes[node];
  const cover = tree.cover[node];
  // A node no data row reached: split the absent feature's mass evenly rather than divide by zero.
  const hotZero = cover > 0 ? tree.cover[hot] / cover : 0.5;
  const coldZero = cover > 0 ? tree.cover[cold] / cover : 0.5;
  let incomingZero = 1;
  let incomingOne = 1;
  const split = tree.feature[node];
  let index = 0;
  while (index <= depth && p.feature[at + index] !== split) index++;
  let d = depth;
  if (index !== depth + 1) {
    incomingZero = p.zero[at + index];
    incomingOne = p.one[at + index];
    unwind(p, at, d, index);
    d--;
  }
  recurse(tree, x, phi, targets, scale, p, hot, d + 1, at, hotZero * incomingZero, incomingOne, split);
  recurse(tree, x, phi, targets, scale, p, cold, d + 1, at, coldZero * incomingZero, 0, split);
}

/** E[tree] under the covers: Σ leaves cover/rootCover · value. */
function treeExpectation(tree: Tree, targets: number, out: Float64Array, scale: number): void {
  const root = tree.cover[0];
  for (let node = 0; node < tree.mode.length; node++) {
    if (tree.mode[node] !== Mode.Leaf) continue;
    const share = root > 0 ? tree.cover[node] / root : 0;
    for (let t = 0; t < targets; t++) out[t] += share * tree.value[node * targets + t] * scale;
  }
}

export function ensembleExpectation(ensemble: TreeEnsemble): number[] {
  const out = Float64Array.from(ensemble.base);
  for (const tree of ensemble.trees) treeExpectation(tree, ensemble.targets, out, ensemble.scale);
  return Array.from(out);
}

/** SHAP values of each row (table values, rows × width) for every target of the ensemble. */
export function treeShap(ensemble: TreeEnsemble, rows: Float64Array[], width: number): RowShap[] {
  const maxDepth = Math.max(...ensemble.trees.map((t) => t.maxDepth)) + 2;
  const size = ((maxDepth + 2) * (maxDepth + 3)) / 2 + maxDepth + 2;
  const path: Path = {
    feature: new Int32Array(size),
    zero: new Float64Array(size),
    one: new Float64Array(size),
    weight: new Float64Array(size),
  };
  const targets = ensemble.targets;
  const expected = ensembleExpectation(ensemble);
  const x = new Float64Array(width);
  return rows.map((row) => {
    // onnxruntime compares float32 inputs with float32 thresholds: route the same way.
    for (let j = 0; j < width; j++) x[j] = Math.fround(row[j]);
    const phi = new Float64Array(width * targets);
    for (const tree of ensemble.trees) recurse(tree, x, phi, targets, ensemble.scale, path, 0, 0, 0, 1, 1, -1);
    const prediction = Array.from(ensemble.base);
    for (const tree of ensemble.trees) {
      let node = 0;
      while (tree.mode[node] !== Mode.Leaf) node = nextNode(tree, node, x);
      for (let t = 0; t < targets; t++) prediction[t] += tree.value[node * targets + t] * ensemble.scale;
    }
    return {
      shap: Array.from({ length: targets }, (_, t) => Array.from({ length: width }, (_, j) => phi[j * targets + t])),
      prediction,
      expected: [...expected],
    };
  });
}
