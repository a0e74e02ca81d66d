/** Index-driven ops: Trilu, OneHot, GatherND, ScatterND, Einsum. */
import { add, binary, cast, constOf, intScalar, isConst, numbers, rank, reshape, scalarLike, transpose } from '../build';
import { Unsupported } from '../errors';
import { attr, type Value } from '../tf-graph';
import { where } from './elementwise';
import type { Handler } from './types';

export const INDEX_OPS: Record<string, Handler> = {
  Trilu: (c) => {
    const x = c.in(0),
      r = rank(x),
      n = x.shape![r - 2],
      m = x.shape![r - 1];
    if (n === null || m === null || n === undefined || m === undefined)
      throw new Unsupported('Trilu needs static sizes on the last two axes');
    const upper = c.int('upper', 1) === 1;
    const diff = constOf(
      Array.from({ length: n * m }, (_, i) => (i % m) - Math.floor(i / m)),
      [n, m],
      'int32',
    ); // j - i
    const k = c.opt(1) ? reshape(c.g, cast(c.g, c.opt(1)!, 'int32'), []) : intScalar(0);
    const keepMask = upper
      ? binary(c.g, 'GreaterEqual', diff, k, (a, b) => (a >= b ? 1 : 0), 'bool')
      : binary(c.g, 'LessEqual', diff, k, (a, b) => (a <= b ? 1 : 0), 'bool');
    return where(c.g, keepMask, x, scalarLike(x, 0));
  },
  OneHot: (c) => {
    const idx0 = cast(c.g, c.in(0), 'int32'),
      values = c.in(2),
      r = rank(idx0);
    const depthV = c.in(1);
    const depth = isConst(depthV) ? intScalar(Math.trunc(numbers(depthV, 'depth')[0])) : reshape(c.g, cast(c.g, depthV, 'int32'), []);
    const idx = where(
      c.g,
      binary(c.g, 'Less', idx0, intScalar(0), (a, b) => (a < b ? 1 : 0), 'bool'),
      add(c.g, idx0, depth),
      idx0,
    );
    const vals = numbers(values, 'OneHot values');
    const d = isConst(depth) ? numbers(depth, '')[0] : null;
    const y = c.g.emit(
      'OneHot',
      [idx, depth, constOf([vals[1]], [], values.dtype), constOf([vals[0]], [], values.dtype)],
      { axis: attr.i(-1), T: attr.type(values.dtype), TI: attr.type('int32') },
      [{ dtype: values.dtype, onnxType: values.onnxType, shape: idx.shape && [...idx.shape, d] }],
      c.hint(),
    )[0];
    let axis = c.int('axis', -1);
    if (axis < 0) axis += r + 1;
    if (axis === r) return y;
    const perm = Array.from({ length: r + 1 }, (_, i) => i);
    perm.splice(r, 1);
    perm.splice(axis, 0, r);
    return transpose(c.g, y, perm);
  },
  GatherND: (c) => {
    if (c.int('batch_dims', 0) !== 0) throw new Unsupported('GatherND with batch_dims is not supported');
    const x = c.in(0),
      i = cast(c.g, c.in(1), 'int32');
    return c.g.emit(
      'GatherNd',
      [x, i],
      { Tindices: attr.type('int32') },
      [{ dtype: x.dtype, onnxType: x.onnxType, shape: undefined }],
      c.hint(),
    )[0];
  },
  ScatterND: (c) => {
    if (c.str('reduction', 'none') !== 'none') throw new Unsupported(`ScatterND reduction '${c.str('reduction', 'none')}' has no TF.js op`);
    const x = c.in(0),
      i = cast(c.g, c.in(1), 'int32'),
      u = c.in(2);
    return c.g.emit(
      'TensorScatterUpdate',
      [x, i, u],
      { Tindices: attr.type('int32') },
      [{ dtype: x.dtype, onnxType: x.onnxType, shape: x.shape }],
      c.hint(),
    )[0];
  },
  Einsum: (c) => {
    const xs = c.inputs.filter((v): v is Value => !!v);
    let eq = c.str('equation', '').replace(/\s+/g, '');
    if (!eq.includes('->')) {
      // implicit output: the letters used once, in alphabetical order
      const letters = eq.replace(/[^a-zA-Z]/g, '');
      eq +=
        '->' +
        [...new Set(letters)]
          .filter((l) => letters.split(l).length === 2)
          .sort()
          .join('');
    }
    if (eq.includes('...')) throw new Unsupported('Einsum with ellipsis is not supported by TF.js');
    return c.g.emit(
      'Einsum',
      xs,
      { equation: attr.s(eq), N: attr.i(xs.length), T: attr.type(xs[0].dtype) },
      [{ dtype: xs[0].dtype, onnxType: xs[0].onnxType, shape: undefined }],
      c.hint(),
    )[0];
  },
};
