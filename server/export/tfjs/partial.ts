/**
 * Partial evaluation of shape arithmetic. PyTorch exports of dynamic-batch models compute Reshape targets at
 * run time: Shape(x) → Gather → Mul/Div → Unsqueeze → Concat. Only the batch entry is really unknown; the
 * rest (sequence length, heads, head size) is fixed in the graph. Each such value carries `known` (its
 * elements, null where unknown). A node over such values is folded twice, with two different stand-in
 * numbers for the unknown elements: output elements that come out the same both times do not depend on
 * the unknowns, so they are known; the others stay null. When everything is known the node becomes a
 * constant; otherwise it is emitted as usual and its output carries what is known.
 */
import { constOf } from './build';
import type { Handler } from './ops/types';
import { NodeCtx } from './ops/types';
import { TfGraph, type Dim, type Value } from './tf-graph';
import type { OnnxNode } from '../../model/onnx/proto';

/** Ops whose constant folding is plain integer arithmetic on shape vectors. */
const SHAPE_ARITH = new Set([
  'Identity',
  'Cast',
  'Gather',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
  'Reshape',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Neg',
  'Abs',
  'Min',
  'Max',
  'Mod',
  'Floor',
  'Ceil',
]);
const MAX_ELEMENTS = 16;
// Primes far apart, offset per element, so that no two unknowns share a stand-in and products stay in int32.
const STAND_INS = [30011, 40009];

const small = (v: Value) => !!v.shape && v.shape.every((d) => d !== null) && v.shape.reduce((a, b) => a * b, 1) <= MAX_ELEMENTS;

/** Outputs with all elements known → constants; with some → `known`; undefined when the op is not shape arithmetic. */
export function partialEval(
  handler: Handler,
  node: OnnxNode,
  name: string,
  opset: number,
  ins: (Value | undefined)[],
): { folded?: Value[]; known?: (Dim[] | undefined)[] } | undefined {
  if (!SHAPE_ARITH.has(node.opType) || !ins.some((v) => v?.known)) return undefined;
  if (!ins.every((v) => !v || v.const || (v.known && small(v) && v.dtype === 'int32'))) return undefined;
  const runs = STAND_INS.map((base) => {
    const fake = ins.map((v) =>
      v && !v.const && v.known
        ? constOf(
            v.known.map((d, i) => d ?? base + 2 * i),
            v.shape as number[],
            v.dtype,
          )
        : v,
    );
    try {
      const out = handler(new NodeCtx(new TfGraph(), node, name, opset, fake));
      return Array.isArray(out) ? out : [out];
    } catch {
      return undefined;
    }
  });
  const [a, b] = runs;
  if (!a || !b) return undefined;
  const known = a.map((va, j) => {
    const vb = b[j];
    if (!va?.const || !vb?.const || va.dtype !== 'int32' || va.const.data.length !== vb.const.data.length) return undefined;
    return Array.from(va.const.data, (x, i) => (x === vb.const!.data[i] ? x : null));
  });
  if (known.every((k, j) => k && k.every((d) => d !== null) && a[j])) {
    return { folded: a.map((v, j) => constOf(known[j] as number[], v!.const!.shape, v!.dtype)) };
  }
  return { known };
}
