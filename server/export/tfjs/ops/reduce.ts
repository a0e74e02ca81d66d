/** Reductions, ArgMax/ArgMin, CumSum, TopK. */
import {
  add,
  binary,
  cast,
  reshape,
  constOf,
  expandDims,
  intScalar,
  isConst,
  mul,
  normAxis,
  numbers,
  rank,
  reduce,
  sub,
  transpose,
  unary,
} from '../build';
import { Unsupported } from '../errors';
import { ONNX } from '../tensor';
import { attr, type Value } from '../tf-graph';
import type { Handler, NodeCtx } from './types';
import { where } from './elementwise';

/** Axes of a Reduce* node: attribute (older opsets) or input (ReduceSum ≥ 13); `undefined` = run-time tensor. */
function reduceAxes(c: NodeCtx, x: Value): { axes?: number[]; dynamic?: Value; noop: boolean } {
  const r = rank(x);
  const fromInput = c.node.input.length > 1 && !!c.node.input[1];
  let axes: number[] | undefined;
  if (fromInput) {
    const v = c.in(1);
    if (!isConst(v) && v.shape?.[0] !== 0) return { dynamic: cast(c.g, v, 'int32'), noop: false };
    axes = isConst(v) ? numbers(v, 'axes') : [];
  } else axes = c.ints('axes');
  if (!axes || axes.length === 0) {
    if (c.int('noop_with_empty_axes', 0) === 1) return { axes: [], noop: true };
    axes = Array.from({ length: r }, (_, i) => i);
  }
  return { axes: axes.map((a) => normAxis(a, r)).sort((a, b) => a - b), noop: false };
}

function reduceOp(kind: string): Handler {
  return (c) => {
    const x0 = c.in(0),
      keep = c.int('keepdims', 1) === 1;
    const { axes, dynamic, noop } = reduceAxes(c, x0);
    if (noop) {
      if (kind === 'ReduceL1') return unary(c.g, 'Abs', x0, Math.abs);
      if (kind === 'ReduceSumSquare') return mul(c.g, x0, x0);
      if (kind === 'ReduceL2') return unary(c.g, 'Abs', x0, Math.abs);
      if (kind === 'ReduceLogSum') return unary(c.g, 'Log', x0, Math.log);
      if (kind === 'ReduceLogSumExp') return x0;
      return x0;
    }
    const red = (op: string, v: Value) => {
      if (dynamic)
        return c.g.emit(
          op,
          [v, dynamic],
          { keep_dims: attr.b(keep), Tidx: attr.type('int32') },
          [{ dtype: v.dtype, onnxType: v.onnxType, shape: undefined }],
          c.hint(),
        )[0];
      return reduce(c.g, op, v, axes!, keep);
    };
    switch (kind) {
      case 'ReduceSum':
        return red('Sum', x0);
      case 'ReduceMean':
        return red('Mean', x0);
      case 'ReduceMax':
        return red('Max', x0);
      case 'ReduceMin':
        return red('Min', x0);
      case 'ReduceProd':
        return red('Prod', x0);
      case 'ReduceL1':
        return red('Sum', unary(c.g, 'Abs', x0, Math.abs));
      case 'ReduceL2':
        return unary(c.g, 'Sqrt', red('Sum', mul(c.g, x0, x0)), Math.sqrt);
      case 'ReduceSumSquare':
        return red('Sum', mul(c.g, x0, x0));
      case 'ReduceLogSum':
        return unary(c.g, 'Log', red('Sum', x0), Math.log);
      case 'ReduceLogSumExp': {
        if (dynamic) throw new Unsupported('ReduceLogSumExp with run-time axes');
        // log(sum(exp(x - max))) + max: stable for large inputs
        const m = reduce(c.g, 'Max', x0, axes!, true);
        const s = unary(c.g, 'Log', reduce(c.g, 'Sum', unary(c.g, 'Exp', sub(c.g, x0, m), Math.exp), axes!, true), Math.log);
        const y = add(c.g, s, m);
        return keep ? y : reduce(c.g, 'Sum', y, axes!, false);
      }
      default:
        throw new Unsupported(`reduction ${kind}`);
    }
  };
}

function argOp(op: 'ArgMax' | 'ArgMin'): Handler {
  return (c) => {
    const x = c.in(0),
      r = rank(x),
      axis = normAxis(c.int('axis', 0), r),
      keep = c.int('keepdims', 1) === 1;
    const last = c.int('select_last_index', 0) === 1;
    const shape = x.shape!.filter((_, i) => i !== axis);
    let src = x;
    if (last)
      src = c.g.emit('ReverseV2', [x, constOf([axis], [1], 'int32')], { Tidx: attr.type('int32') }, [
        { dtype: x.dtype, onnxType: x.onnxType, shape: x.shape },
      ])[0]!;
    let y = c.g.emit(
      op,
      [src, intScalar(axis)],
      { output_type: attr.type('int32'), Tidx: attr.type('int32') },
      [{ dtype: 'int32', onnxType: ONNX.INT64, shape }],
      c.hint(),
    )[0];
    if (last) {
      const n = x.shape![axis];
      if (n === null || n === undefined) throw new Unsupported('select_last_index needs a static size on the axis');
      y = sub(c.g, intScalar(n - 1), y);
    }
    return keep ? expandDims(c.g, y, axis) : y;
  };
}

function topK(c: NodeCtx): Value[] {
  const x = c.in(0),
    r = rank(x),
    axis = normAxis(c.int('axis', -1), r);
  const largest = c.int('largest', 1) === 1;
  const k = c.opset < 10 ? intScalar(c.int('k', 1)) : reshape0(c, c.in(1));
  const perm = Array.from({ length: r }, (_, i) => i);
  perm[axis] = r - 1;
  perm[r - 1] = axis;
  let src = transpose(c.g, x, perm);
  if (!largest) src = unary(c.g, 'Neg', src, (v) => -v);
  const kv = isConst(k) ? numbers(k, 'k')[0] : null;
  const shape = src.shape?.map((d, i) => (i === r - 1 ? kv : d));
  const [sorted, idx] = c.g.emit(
    'TopKV2',
    [src, k],
    { sorted: attr.b(true), T: attr.type(x.dtype) },
    [
      { dtype: x.dtype, onnxType: x.onnxType, shape },
      { dtype: 'int32', onnxType: ONNX.INT64, shape },
    ],
    c.hint(),
  ) as [Value, Value];
  const vals = largest ? sorted : unary(c.g, 'Neg', sorted, (v) => -v);
  return [transpose(c.g, vals, perm), transpose(c.g, idx, perm)];
}
const reshape0 = (c: NodeCtx, v: Value) =>
  isConst(v)
    ? intScalar(numbers(v, 'K')[0])
    : c.g.emit('Reshape', [cast(c.g, v, 'int32'), constOf([], [0], 'int32')], {}, [{ dtype: 'int32', onnxType: ONNX.INT64, shape: [] }])[0];

function cumSum(c: NodeCtx): Value {
  const x = c.in(0),
    ax = c.in(1);
  const r = rank(x),
    ai = reshape(c.g, cast(c.g, ax, 'int32'), []);
  // TF.js Cumsum wants a non-negative axis
  const axis = isConst(ax)
    ? intScalar(normAxis(numbers(ax, 'axis')[0], r))
    : where(c.g, binary(c.g, 'Less', ai, intScalar(0), undefined, 'bool'), add(c.g, ai, intScalar(r)), ai);
  return c.g.emit(
    'Cumsum',
    [x, axis],
    { exclusive: attr.b(c.int('exclusive', 0) === 1), reverse: attr.b(c.int('reverse', 0) === 1), Tidx: attr.type('int32') },
    [{ dtype: x.dtype, onnxType: x.onnxType, shape: x.shape }],
    c.hint(),
  )[0];
}

export const REDUCE_OPS: Record<string, Handler> = {
  ...Object.fromEntries(
    [
      'ReduceSum',
      'ReduceMean',
      'ReduceMax',
      'ReduceMin',
      'ReduceProd',
      'ReduceL1',
      'ReduceL2',
      'ReduceSumSquare',
      'ReduceLogSum',
      'ReduceLogSumExp',
    ].map((k) => [k, reduceOp(k)]),
  ),
  ArgMax: argOp('ArgMax'),
  ArgMin: argOp('ArgMin'),
  TopK: topK,
  CumSum: cumSum,
};
