/** Shape and indexing ops: Reshape, Shape, Flatten, Transpose, (Un)Squeeze, Concat, Split, Slice, Gather, Tile, Expand, Pad… */
import {
  binary,
  cast,
  constOf,
  constValue,
  expandDims,
  ints,
  intScalar,
  isConst,
  normAxis,
  numbers,
  rank,
  reshape,
  shapeOf,
  squeeze,
  staticShape,
  transpose,
  add,
} from '../build';
import { Unsupported } from '../errors';
import { ONNX, sizeOf, tfDtypeOf, constFromProto } from '../tensor';
import { attr, type Dim, type Value } from '../tf-graph';
import { where } from './elementwise';
import type { Handler, NodeCtx } from './types';

/** Gathers along one axis of constant data (shape chains: Gather(Shape(x), 0)). */
function gatherConst(x: Value, idx: Value, axis: number): Value {
  const s = x.const!.shape,
    id = Array.from(idx.const!.data).map((i) => (i < 0 ? i + s[axis] : i));
  const outer = sizeOf(s.slice(0, axis)),
    inner = sizeOf(s.slice(axis + 1)),
    out: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const i of id) for (let k = 0; k < inner; k++) out.push(x.const!.data[(o * s[axis] + i) * inner + k]);
  return constValue({ onnxType: x.onnxType, shape: [...s.slice(0, axis), ...idx.const!.shape, ...s.slice(axis + 1)], data: out }, x.dtype);
}

function gather(c: NodeCtx): Value {
  const x = c.in(0),
    r = rank(x),
    axis = normAxis(c.int('axis', 0), r);
  let idx = c.in(1);
  if (isConst(x) && isConst(idx)) return gatherConst(x, idx, axis);
  const dim = x.shape![axis];
  if (isConst(idx) && dim === null && Array.from(idx.const.data).some((i) => i < 0)) {
    // negative indices on an axis of run-time size (x[:, -1] over a dynamic sequence): wrap with the run-time size
    const size = c.g.emit('StridedSlice', [shapeOf(c.g, x), ints([axis]), ints([axis + 1]), ints([1])], sliceAttrs(0, 0, 1), [
      { dtype: 'int32', onnxType: ONNX.INT64, shape: [] },
    ])[0];
    idx = where(c.g, binary(c.g, 'Less', idx, intScalar(0), undefined, 'bool'), add(c.g, idx, size), idx);
  } else if (isConst(idx))
    idx = constOf(
      Array.from(idx.const.data, (i) => (i < 0 && dim !== null ? i + dim : i)),
      idx.const.shape,
      'int32',
    );
  else if (dim !== null) idx = where(c.g, binary(c.g, 'Less', idx, intScalar(0), undefined, 'bool'), add(c.g, idx, intScalar(dim)), idx);
  else throw new Unsupported('Gather with run-time indices needs a static size on the gathered axis (to wrap negative indices)');
  const shape = idx.shape ? [...x.shape!.slice(0, axis), ...idx.shape, ...x.shape!.slice(axis + 1)] : undefined;
  return c.g.emit(
    'GatherV2',
    [x, idx, intScalar(axis)],
    { batch_dims: attr.i(0) },
    [{ dtype: x.dtype, onnxType: x.onnxType, shape }],
    c.hint(),
  )[0];
}

function concat(c: NodeCtx): Value {
  const xs = c.inputs.filter((v): v is Value => !!v && !(v.shape && v.shape.some((d) => d === 0) && v.shape.length === 1));
  const r = rank(xs[0] ?? c.in(0)),
    axis = normAxis(c.int('axis', 0), r);
  if (xs.length === 0) return c.in(0);
  if (xs.every(isConst)) {
    const s0 = xs[0].const.shape,
      outer = sizeOf(s0.slice(0, axis)),
      out: number[] = [];
    for (let o = 0; o < outer; o++)
      for (const x of xs) {
        const blk = sizeOf(x.const.shape.slice(axis));
        for (let k = 0; k < blk; k++) out.push(x.const.data[o * blk + k]);
      }
    return constValue(
      {
        onnxType: xs[0].onnxType,
        shape: [...s0.slice(0, axis), xs.reduce((a, x) => a + x.const.shape[axis], 0), ...s0.slice(axis + 1)],
        data: out,
      },
      xs[0].dtype,
    );
  }
  if (xs.length === 1) return xs[0];
  const shape = xs.every((x) => x.shape)
    ? xs[0].shape!.map((d, i) =>
        i === axis
          ? xs.reduce<Dim>((a, x) => (a === null || x.shape![i] === null ? null : a + x.shape![i]), 0)
          : (d ?? xs.find((x) => x.shape![i] !== null)?.shape![i] ?? null),
      )
    : undefined;
  return c.g.emit(
    'ConcatV2',
    [...xs, intScalar(axis)],
    { N: attr.i(xs.length), Tidx: attr.type('int32') },
    [{ dtype: xs[0].dtype, onnxType: xs[0].onnxType, shape }],
    c.hint(),
  )[0];
}

function reshapeOp(c: NodeCtx): Value {
  const x = c.in(0),
    t = c.in(1),
    allowZero = c.int('allowzero', 0) === 1;
  if (isConst(t)) {
    const raw = numbers(t, 'shape');
    const target = raw.map((d, i) => (d !== 0 || allowZero ? d : (x.shape?.[i] ?? null)));
    const copies = target.filter((d) => d === null).length;
    // one copied dim of run-time size (the batch) and no -1: that dim is the -1
    if (copies === 0 || (copies === 1 && !raw.includes(-1)))
      return reshape(
        c.g,
        x,
        target.map((d) => d ?? -1),
      );
    // copied run-time dims and a -1: the copied dims cancel out of the -1 (it is the rest of the input's size)
    if (copies === 1 && x.shape && x.shape.every((d, i) => d !== null || (raw[i] === 0 && !allowZero))) {
      const rest = x.shape.reduce<number>((a, d, i) => (raw[i] === 0 && !allowZero ? a : a * d!), 1);
      const fixed = raw.reduce((a, d) => (d === 0 || d === -1 ? a : a * d), 1);
      if (rest % fixed === 0)
        return reshape(
          c.g,
          x,
          target.map((d) => (d === null ? -1 : d === -1 ? rest / fixed : d)),
        );
    }
    // otherwise the copies are resolved at run time, as for a run-time target (below)
  }
  if (t.known) {
    // Partly known target (dynamic batch): with at most one unknown entry it is a static target with -1 there.
    const target = t.known.map((d, i) => (d === 0 && !allowZero ? (x.shape?.[i] ?? null) : d));
    const unknown = target.filter((d) => d === null).length;
    if (unknown === 0 || (unknown === 1 && !target.includes(-1)))
      return reshape(
        c.g,
        x,
        target.map((d) => d ?? -1),
      );
  }
  // Run-time target: resolve ONNX's "0 = copy this dim" in the graph (TF.js reads the target when it runs).
  const k = t.shape?.[0];
  let tt = cast(c.g, t, 'int32');
  if (!allowZero) {
    if (k === undefined || k === null)
      throw new Unsupported('Reshape with a target computed at run time needs the length of that target to be static');
    if (!x.shape) throw new Unsupported('Reshape with a target computed at run time needs the rank of its input');
    const r = x.shape.length;
    // a 0 copies the input dim at that position; positions past the input's rank cannot hold a 0 (ONNX), pad with 1
    let xs = c.g.emit('StridedSlice', [shapeOf(c.g, x), ints([0]), ints([Math.min(k, r)]), ints([1])], sliceAttrs(0, 0), [
      { dtype: 'int32', onnxType: ONNX.INT64, shape: [Math.min(k, r)] },
    ])[0];
    if (k > r)
      xs = c.g.emit('ConcatV2', [xs, ints(new Array<number>(k - r).fill(1)), intScalar(0)], { N: attr.i(2), Tidx: attr.type('int32') }, [
        { dtype: 'int32', onnxType: ONNX.INT64, shape: [k] },
      ])[0];
    tt = where(c.g, binary(c.g, 'Equal', tt, intScalar(0), undefined, 'bool'), xs, tt);
  }
  return c.g.emit(
    'Reshape',
    [x, tt],
    {},
    [{ dtype: x.dtype, onnxType: x.onnxType, shape: k === null || k === undefined ? undefined : new Array<Dim>(k).fill(null) }],
    c.hint(),
  )[0];
}

const sliceAttrs = (beginMask: number, endMask: number, shrink = 0) => ({
  begin_mask: attr.i(beginMask),
  end_mask: attr.i(endMask),
  ellipsis_mask: attr.i(0),
  new_axis_mask: attr.i(0),
  shrink_axis_mask: attr.i(shrink),
  Index: attr.type('int32'),
});

function sliceOp(c: NodeCtx): Value {
  const x = c.in(0),
    r = rank(x);
  let starts: Value, ends: Value, axes: number[], steps: number[] | Value;
  if (c.opset < 10) {
    starts = ints(c.ints('starts') ?? []);
    ends = ints(c.ints('ends') ?? []);
    axes = c.ints('axes') ?? Array.from({ length: (c.ints('starts') ?? []).length }, (_, i) => i);
    steps = axes.map(() => 1);
  } else {
    starts = c.in(1);
    ends = c.in(2);
    const n = starts.shape?.[0];
    if (n === undefined || n === null) throw new Unsupported('Slice needs the number of sliced axes to be static');
    axes = c.opt(3) ? numbers(c.opt(3), 'Slice axes') : Array.from({ length: n }, (_, i) => i);
    steps = c.opt(4) ? (isConst(c.opt(4)) ? numbers(c.opt(4), 'Slice steps') : cast(c.g, c.opt(4)!, 'int32')) : axes.map(() => 1);
  }
  axes = axes.map((a) => normAxis(a, r));
  // Build full-rank begin/end/strides; unsliced axes use the masks. Values beyond int32 are clamped (INT64_MAX = "to the end").
  const pos = Array.from({ length: r }, (_, d) => axes.indexOf(d));
  let mask = 0;
  pos.forEach((j, d) => {
    if (j < 0) mask |= 1 << d;
  });
  const full = (v: Value, fill: number): Value => {
    if (isConst(v)) {
      const a = numbers(v, 'Slice bound');
      const out = constOf(
        pos.map((j) => (j < 0 ? fill : a[j])),
        [r],
        'int32',
      );
      out.clampInt = true;
      return out;
    }
    const vi = cast(c.g, v, 'int32');
    const parts = pos.map((j) =>
      j < 0
        ? ints([fill])
        : c.g.emit('StridedSlice', [vi, ints([j]), ints([j + 1]), ints([1])], sliceAttrs(0, 0), [
            { dtype: 'int32', onnxType: ONNX.INT64, shape: [1] },
          ])[0],
    );
    return c.g.emit('ConcatV2', [...parts, intScalar(0)], { N: attr.i(parts.length), Tidx: attr.type('int32') }, [
      { dtype: 'int32', onnxType: ONNX.INT64, shape: [r] },
    ])[0];
  };
  const stepV = Array.isArray(steps)
    ? constOf(
        pos.map((j) => (j < 0 ? 1 : steps[j])),
        [r],
        'int32',
      )
    : full(steps, 1);
  const stepArr = isConst(stepV) ? numbers(stepV, 'steps') : undefined;
  const shape =
    x.shape && stepArr && isConst(starts) && isConst(ends)
      ? sliceShape(x.shape, pos, numbers(starts, ''), numbers(ends, ''), stepArr)
      : x.shape?.map((d, i) => (pos[i] < 0 ? d : null));
  return c.g.emit(
    'StridedSlice',
    [x, full(starts, 0), full(ends, 0), stepV],
    sliceAttrs(mask, mask),
    [{ dtype: x.dtype, onnxType: x.onnxType, shape }],
    c.hint(),
  )[0];
}

function sliceShape(shape: Dim[], pos: number[], st: number[], en: number[], steps: number[]): Dim[] {
  return shape.map((d, i) => {
    const j = pos[i];
    if (j < 0) return d;
    if (d === null) return null;
    const step = steps[i];
    let s = st[j],
      e = en[j];
    if (s < 0) s += d;
    if (e < 0) e += d;
    if (step > 0) {
      s = Math.min(Math.max(s, 0), d);
      e = Math.min(Math.max(e, 0), d);
      return Math.max(0, Math.ceil((e - s) / step));
    }
    s = Math.min(Math.max(s, -1), d - 1);
    e = Math.min(Math.max(e, -1), d - 1);
    return Math.max(0, Math.ceil((s - e) / -step));
  });
}

function split(c: NodeCtx): Value[] {
  const x = c.in(0),
    r = rank(x),
    axis = normAxis(c.int('axis', 0), r),
    n = c.node.output.length;
  let sizes = c.opset < 13 ? c.ints('split') : c.opt(1) ? numbers(c.opt(1), 'Split sizes') : undefined;
  if (sizes && sizes.length === 0) sizes = undefined;
  const dim = x.shape![axis];
  if (!sizes) {
    if (dim === null) throw new Unsupported('Split into equal parts needs a static size on the split axis');
    if (dim % n) sizes = Array.from({ length: n }, (_, i) => (i < n - 1 ? Math.ceil(dim / n) : dim - Math.ceil(dim / n) * (n - 1)));
  }
  const outShape = (k: number) => x.shape!.map((d, i) => (i === axis ? (sizes ? sizes[k] : dim! / n) : d));
  const outs = Array.from({ length: n }, (_, k) => ({ dtype: x.dtype, onnxType: x.onnxType, shape: outShape(k) }));
  if (!sizes) return c.g.emit('Split', [intScalar(axis), x], { num_split: attr.i(n) }, outs, c.hint());
  return c.g.emit('SplitV', [x, ints(sizes), intScalar(axis)], { num_split: attr.i(n), Tlen: attr.type('int32') }, outs, c.hint());
}

function unsqueeze(c: NodeCtx): Value {
  const x = c.in(0);
  const axes = c.opset < 13 ? (c.ints('axes') ?? []) : numbers(c.in(1), 'Unsqueeze axes');
  const outRank = rank(x) + axes.length;
  const norm = axes.map((a) => normAxis(a, outRank)).sort((a, b) => a - b);
  if (x.shape && x.shape.every((d) => d !== null)) {
    const s = x.shape.slice();
    for (const a of norm) s.splice(a, 0, 1);
    return reshape(c.g, x, s);
  }
  let y = x;
  for (const a of norm) y = expandDims(c.g, y, a);
  return y;
}

function squeezeOp(c: NodeCtx): Value {
  const x = c.in(0),
    r = rank(x);
  const raw = c.opset < 13 ? c.ints('axes') : c.opt(1) ? numbers(c.opt(1), 'Squeeze axes') : undefined;
  const axes = raw ? raw.map((a) => normAxis(a, r)) : x.shape!.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0);
  if (!raw && x.shape!.some((d) => d === null)) throw new Unsupported('Squeeze without axes needs a static input shape');
  if (x.shape && x.shape.every((d) => d !== null))
    return reshape(
      c.g,
      x,
      x.shape.filter((_, i) => !axes.includes(i)),
    );
  return squeeze(c.g, x, axes);
}

function pad(c: NodeCtx): Value {
  const x = c.in(0),
    r = rank(x),
    mode = c.str('mode', 'constant');
  let pads: Value, value: Value | undefined;
  if (c.opset < 11) {
    pads = ints(c.ints('pads') ?? c.ints('paddings') ?? []);
    value = constOf([c.float('value', 0)], [], x.dtype);
  } else {
    pads = c.in(1);
    value = c.opt(2);
  }
  if (c.opt(3)) throw new Unsupported('Pad with axes is not supported');
  // ONNX [b1..bn, e1..en] → TF [[b1, e1], …, [bn, en]]
  const tfPads = transpose(c.g, reshape(c.g, cast(c.g, pads, 'int32'), [2, r]), [1, 0]);
  const shape =
    x.shape && isConst(pads)
      ? x.shape.map((d, i) => (d === null ? null : d + numbers(pads, '')[i] + numbers(pads, '')[i + r]))
      : x.shape?.map(() => null);
  const out = [{ dtype: x.dtype, onnxType: x.onnxType, shape }];
  if (mode === 'constant')
    return c.g.emit('PadV2', [x, tfPads, value ?? constOf([0], [], x.dtype)], { Tpaddings: attr.type('int32') }, out, c.hint())[0];
  if (mode === 'reflect')
    return c.g.emit('MirrorPad', [x, tfPads], { mode: attr.s('REFLECT'), Tpaddings: attr.type('int32') }, out, c.hint())[0];
  throw new Unsupported(`Pad mode '${mode}' has no TF.js op (constant and reflect are supported)`);
}

function expand(c: NodeCtx): Value {
  const x = c.in(0),
    s = cast(c.g, c.in(1), 'int32');
  if (isConst(s) && x.shape) {
    const t = numbers(s, 'shape'),
      r = Math.max(t.length, x.shape.length);
    const out: Dim[] = Array.from({ length: r }, (_, i) => {
      const ia = x.shape!.length - r + i,
        ib = t.length - r + i,
        a = ia < 0 ? 1 : x.shape![ia]!,
        b = ib < 0 ? 1 : t[ib];
      return b === 1 ? a : b;
    });
    if (out.every((d) => d !== null))
      return c.g.emit(
        'BroadcastTo',
        [x, ints(out)],
        { Tidx: attr.type('int32') },
        [{ dtype: x.dtype, onnxType: x.onnxType, shape: out }],
        c.hint(),
      )[0];
  }
  const target = c.g.emit('BroadcastArgs', [shapeOf(c.g, x), s], {}, [{ dtype: 'int32', onnxType: ONNX.INT64, shape: [null] }])[0];
  return c.g.emit(
    'BroadcastTo',
    [x, target],
    { Tidx: attr.type('int32') },
    [{ dtype: x.dtype, onnxType: x.onnxType, shape: undefined }],
    c.hint(),
  )[0];
}

function constantOfShape(c: NodeCtx): Value {
  const t = c.tensor('value'),
    v = t ? constFromProto(t) : { onnxType: ONNX.FLOAT, shape: [1], data: [0] };
  const dtype = tfDtypeOf(v.onnxType),
    s = c.in(0);
  if (isConst(s)) {
    const shape = numbers(s, 'shape');
    return constValue({ onnxType: v.onnxType, shape, data: new Array(sizeOf(shape)).fill(v.data[0]) }, dtype);
  }
  return c.g.emit(
    'Fill',
    [cast(c.g, s, 'int32'), constOf([v.data[0]], [], dtype)],
    { index_type: attr.type('int32') },
    // the rank is the (static) length of the shape vector even when the dims are run-time values
    [
      {
        dtype,
        onnxType: v.onnxType,
        shape: s.known ?? (typeof s.shape?.[0] === 'number' ? new Array<Dim>(s.shape[0]).fill(null) : undefined),
      },
    ],
    c.hint(),
  )[0];
}

function shapeOp(c: NodeCtx): Value {
  const x = c.in(0),
    r = rank(x);
  let start = c.int('start', 0),
    end = c.int('end', r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = Math.max(0, Math.min(r, start));
  end = Math.max(start, Math.min(r, end));
  const full = shapeOf(c.g, x);
  if (isConst(full)) return ints(numbers(full, '').slice(start, end));
  // what is static of the shape travels with the value (see partial.ts)
  const known = x.shape!.slice(start, end);
  if (start === 0 && end === r) return { ...full, known };
  return {
    ...c.g.emit(
      'StridedSlice',
      [full, ints([start]), ints([end]), ints([1])],
      sliceAttrs(0, 0),
      [{ dtype: 'int32', onnxType: ONNX.INT64, shape: [end - start] }],
      c.hint(),
    )[0],
    known,
  };
}

export const SHAPE_OPS: Record<string, Handler> = {
  Reshape: reshapeOp,
  Shape: shapeOp,
  Gather: gather,
  Concat: concat,
  Slice: sliceOp,
  Split: split,
  Unsqueeze: unsqueeze,
  Squeeze: squeezeOp,
  Pad: pad,
  Expand: expand,
  ConstantOfShape: constantOfShape,
  Size: (c) => {
    const x = c.in(0);
    if (x.shape && x.shape.every((d) => d !== null)) return intScalar(sizeOf(x.shape));
    return c.g.emit('Size', [x], { out_type: attr.type('int32') }, [{ dtype: 'int32', onnxType: ONNX.INT64, shape: [] }], c.hint())[0];
  },
  Flatten: (c) => {
    const x = c.in(0),
      r = rank(x),
      axis = c.int('axis', 1) < 0 ? c.int('axis', 1) + r : c.int('axis', 1);
    const s = x.shape!,
      lead = s.slice(0, axis),
      rest = s.slice(axis);
    const known = (p: Dim[]) => (p.every((d) => d !== null) ? sizeOf(p) : null);
    const a = known(lead),
      b = known(rest);
    if (a === null && b === null) throw new Unsupported('Flatten needs a static shape on one side of the axis');
    return reshape(c.g, x, [a ?? -1, b ?? -1]);
  },
  Transpose: (c) => {
    const x = c.in(0),
      r = rank(x);
    return transpose(c.g, x, c.ints('perm') ?? Array.from({ length: r }, (_, i) => r - 1 - i));
  },
  Tile: (c) => {
    const x = c.in(0),
      reps = cast(c.g, c.in(1), 'int32');
    const shape =
      x.shape && isConst(reps) ? x.shape.map((d, i) => (d === null ? null : d * numbers(reps, '')[i])) : x.shape?.map(() => null);
    return c.g.emit('Tile', [x, reps], { Tmultiples: attr.type('int32') }, [{ dtype: x.dtype, onnxType: x.onnxType, shape }], c.hint())[0];
  },
  Constant: (c) => {
    const t = c.tensor('value');
    if (t) return constValue(constFromProto(t));
    if (c.has('value_float')) return constOf([c.float('value_float', 0)], [], 'float32');
    if (c.has('value_floats')) {
      const f = c.floats('value_floats')!;
      return constOf(f, [f.length], 'float32');
    }
    if (c.has('value_int')) return constOf([c.int('value_int', 0)], [], 'int32');
    if (c.has('value_ints')) {
      const f = c.ints('value_ints')!;
      return constOf(f, [f.length], 'int32');
    }
    throw new Unsupported('Constant without a numeric value (sparse or string constants are not supported)');
  },
  Range: (c) => {
    const [s, l, d] = [c.in(0), c.in(1), c.in(2)];
    if (isConst(s) && isConst(l) && isConst(d)) {
      const [a, b, st] = [s.const.data[0], l.const.data[0], d.const.data[0]],
        n = Math.max(0, Math.ceil((b - a) / st));
      return constValue({ onnxType: s.onnxType, shape: [n], data: Array.from({ length: n }, (_, i) => a + i * st) }, s.dtype);
    }
    return c.g.emit(
      'Range',
      [s, l, d],
      { Tidx: attr.type(s.dtype) },
      [{ dtype: s.dtype, onnxType: s.onnxType, shape: [null] }],
      c.hint(),
    )[0];
  },
  NonZero: (c) => {
    const x = c.in(0),
      r = rank(x);
    const w = c.g.emit('Where', [x], {}, [{ dtype: 'int32', onnxType: ONNX.INT64, shape: [null, r] }])[0];
    return transpose(c.g, w, [1, 0]);
  },
  Compress: (c) => {
    const x = c.in(0),
      cond = c.in(1);
    const hasAxis = c.has('axis');
    const src = hasAxis ? x : reshape(c.g, x, [-1]);
    const axis = hasAxis ? normAxis(c.int('axis', 0), rank(x)) : 0;
    const pos = reshape(c.g, c.g.emit('Where', [cond], {}, [{ dtype: 'int32', onnxType: ONNX.INT64, shape: [null, 1] }])[0], [-1]);
    return c.g.emit(
      'GatherV2',
      [src, pos, intScalar(axis)],
      { batch_dims: attr.i(0) },
      [{ dtype: x.dtype, onnxType: x.onnxType, shape: src.shape?.map((d, i) => (i === axis ? null : d)) }],
      c.hint(),
    )[0];
  },
  EyeLike: (c) => {
    const x = c.in(0),
      [n, m] = staticShape(x, 'EyeLike input'),
      k = c.int('k', 0);
    const onnxType = c.has('dtype') ? c.int('dtype', 1) : x.onnxType;
    const data = Array.from({ length: n * m }, (_, i) => ((i % m) - Math.floor(i / m) === k ? 1 : 0));
    return constValue({ onnxType, shape: [n, m], data }, tfDtypeOf(onnxType));
  },
};
