/**
 * Neural-network ops. TF.js convolutions and pools run NHWC only, so NCHW tensors are transposed in and
 * out here (the layout pass later sinks and cancels those transposes between consecutive layers).
 */
import {
  add,
  broadcastShapes,
  constOf,
  expandDims,
  floatScalar,
  ints,
  intScalar,
  mul,
  normAxis,
  rank,
  reduce,
  reshape,
  scalarLike,
  squeeze,
  staticShape,
  sub,
  transpose,
  unary,
} from '../build';
import { Unsupported } from '../errors';
import { sizeOf } from '../tensor';
import { attr, type Dim, type TfAttr, type TfGraph, type Value } from '../tf-graph';
import type { Handler, NodeCtx } from './types';

const TO_NHWC = [0, 2, 3, 1],
  TO_NCHW = [0, 3, 1, 2];

interface Spatial {
  kernel: number[];
  strides: number[];
  dilations: number[];
  pads: number[];
  autoPad: string;
  in: Dim[];
}

/** Reads conv/pool geometry for 1-D or 2-D ops (1-D is lifted to 2-D with a unit height). */
function spatial(c: NodeCtx, x: Value, kernel: number[]): Spatial {
  const n = kernel.length;
  const lift = (v: number[]) => (n === 1 ? [1, v[0]] : v);
  const pads = c.ints('pads') ?? new Array<number>(2 * n).fill(0);
  return {
    kernel: lift(kernel),
    strides: lift(c.ints('strides') ?? new Array<number>(n).fill(1)),
    dilations: lift(c.ints('dilations') ?? new Array<number>(n).fill(1)),
    pads: n === 1 ? [0, pads[0], 0, pads[1]] : pads,
    autoPad: c.str('auto_pad', 'NOTSET'),
    in: n === 1 ? [1, x.shape![2]!] : x.shape!.slice(2),
  };
}

/** Explicit [top, left, bottom, right] pads, resolving SAME_* from static input sizes. */
function explicitPads(s: Spatial): number[] {
  if (s.autoPad === 'VALID') return [0, 0, 0, 0];
  if (s.autoPad === 'NOTSET') return s.pads;
  const out = [0, 0, 0, 0];
  for (let i = 0; i < 2; i++) {
    const d = s.in[i];
    if (d === null || d === undefined) throw new Unsupported(`auto_pad=${s.autoPad} needs static spatial input sizes`);
    const o = Math.ceil(d / s.strides[i]),
      total = Math.max(0, (o - 1) * s.strides[i] + (s.kernel[i] - 1) * s.dilations[i] + 1 - d);
    const small = Math.floor(total / 2);
    out[i] = s.autoPad === 'SAME_LOWER' ? total - small : small;
    out[i + 2] = total - out[i];
  }
  return out;
}

function lift(g: TfGraph, x: Value, oneD: boolean): Value {
  return oneD ? expandDims(g, x, 2) : x;
}

function conv(c: NodeCtx): Value {
  let x = c.in(0),
    w = c.in(1);
  const r = rank(x);
  if (r !== 3 && r !== 4) throw new Unsupported(`Conv on rank-${r} input (only 1-D and 2-D convolutions are supported)`);
  const oneD = r === 3;
  const ws = staticShape(w, 'Conv weight');
  const s = spatial(c, x, c.ints('kernel_shape') ?? ws.slice(2));
  const group = c.int('group', 1),
    cin = ws[1] * group,
    m = ws[0];
  if (s.strides.some((v) => v > 1) && s.dilations.some((v) => v > 1))
    throw new Unsupported('TF.js convolutions cannot combine strides > 1 with dilations > 1');
  x = transpose(c.g, lift(c.g, x, oneD), TO_NHWC);
  w = lift(c.g, w, oneD);
  const p = explicitPads(s);
  const padAttrs: Record<string, TfAttr> = p.every((v) => v === 0)
    ? { padding: attr.s('VALID') }
    : { padding: attr.s('EXPLICIT'), explicit_paddings: attr.ints([0, 0, p[0], p[2], p[1], p[3], 0, 0]) };
  const geo = {
    strides: attr.ints([1, s.strides[0], s.strides[1], 1]),
    dilations: attr.ints([1, s.dilations[0], s.dilations[1], 1]),
    data_format: attr.s('NHWC'),
    T: attr.type('float32'),
    ...padAttrs,
  };
  const outHW = s.in.map((d, i) =>
    d === null ? null : Math.floor((d + p[i] + p[i + 2] - ((s.kernel[i] - 1) * s.dilations[i] + 1)) / s.strides[i]) + 1,
  );
  const outShape = (ch: number): Dim[] => [x.shape![0]!, outHW[0]!, outHW[1]!, ch];
  let y: Value;
  if (group === 1) {
    y = c.g.emit(
      'Conv2D',
      [x, transpose(c.g, w, [2, 3, 1, 0])],
      geo,
      [{ dtype: 'float32', onnxType: x.onnxType, shape: outShape(m) }],
      c.hint(),
    )[0]!;
  } else if (group === cin && ws[1] === 1) {
    // depthwise: [M=C*mult, 1, kh, kw] → [kh, kw, C, mult]
    const filt = transpose(c.g, reshape(c.g, w, [cin, m / cin, s.kernel[0], s.kernel[1]]), [2, 3, 0, 1]);
    y = c.g.emit('DepthwiseConv2dNative', [x, filt], geo, [{ dtype: 'float32', onnxType: x.onnxType, shape: outShape(m) }], c.hint())[0]!;
  } else {
    const xs = c.g.emit(
      'Split',
      [intScalar(3), x],
      { num_split: attr.i(group) },
      Array.from({ length: group }, () => ({ dtype: 'float32' as const, onnxType: x.onnxType, shape: [...x.shape!.slice(0, 3), ws[1]] })),
    );
    const filt = transpose(c.g, w, [2, 3, 1, 0]);
    const fs = c.g.emit(
      'Split',
      [intScalar(3), filt],
      { num_split: attr.i(group) },
      Array.from({ length: group }, () => ({ dtype: 'float32' as const, onnxType: x.onnxType, shape: undefined })),
    );
    const ys = xs.map(
      (xi, i) =>
        c.g.emit('Conv2D', [xi, fs[i]], geo, [{ dtype: 'float32', onnxType: x.onnxType, shape: outShape(m / group) }], c.hint(`/g${i}`))[0],
    );
    y = c.g.emit('ConcatV2', [...ys, intScalar(3)], { N: attr.i(group), Tidx: attr.type('int32') }, [
      { dtype: 'float32', onnxType: x.onnxType, shape: outShape(m) },
    ])[0]!;
  }
  if (c.opt(2)) y = add(c.g, y, c.opt(2)!);
  y = transpose(c.g, y, TO_NCHW);
  return oneD ? squeeze(c.g, y, [2]) : y;
}

function convTranspose(c: NodeCtx): Value {
  let x = c.in(0);
  const w = c.in(1);
  const r = rank(x),
    oneD = r === 3;
  if (r !== 3 && r !== 4) throw new Unsupported(`ConvTranspose on rank-${r} input (only 1-D and 2-D are supported)`);
  if (c.int('group', 1) !== 1) throw new Unsupported('grouped ConvTranspose has no TF.js op');
  const ws = staticShape(w, 'ConvTranspose weight');
  const s = spatial(c, x, c.ints('kernel_shape') ?? ws.slice(2));
  if (s.dilations.some((d) => d !== 1)) throw new Unsupported('ConvTranspose with dilations has no TF.js op');
  const inHW = s.in.map((d): number => {
    if (d === null) throw new Unsupported('ConvTranspose needs static spatial input sizes');
    return d;
  });
  const op = c.ints('output_padding') ?? [0, 0],
    opad = oneD ? [0, op[0]] : op;
  const full = inHW.map((d, i) => s.strides[i] * (d - 1) + s.kernel[i] + opad[i]);
  let begin: number[], size: number[];
  const outAttr = c.ints('output_shape');
  if (outAttr || s.autoPad === 'SAME_UPPER' || s.autoPad === 'SAME_LOWER') {
    const want = outAttr ? (oneD ? [1, outAttr.at(-1)!] : outAttr.slice(-2)) : inHW.map((d, i) => d * s.strides[i]);
    // ONNX: SAME_UPPER puts the smaller half of the padding first; otherwise (SAME_LOWER or output_shape) the larger.
    begin = want.map((o, i) => {
      const total = full[i] - o;
      return s.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2);
    });
    size = want;
    // output_shape larger than the natural size: the difference is extra output padding at the end
    want.forEach((o, i) => {
      if (o + begin[i] > full[i]) {
        begin[i] = 0;
        full[i] = o;
      }
    });
  } else {
    const p = s.autoPad === 'VALID' ? [0, 0, 0, 0] : s.pads;
    begin = [p[0], p[1]];
    size = full.map((f, i) => f - p[i] - p[i + 2]);
  }
  x = transpose(c.g, lift(c.g, x, oneD), TO_NHWC);
  const filt = transpose(c.g, lift(c.g, w, oneD), [2, 3, 1, 0]);
  const n = x.shape![0]!,
    m = ws[1];
  if (n === null) throw new Unsupported('ConvTranspose needs a static batch size');
  let y = c.g.emit(
    'Conv2DBackpropInput',
    [ints([n, full[0], full[1], m]), filt, x],
    { strides: attr.ints([1, s.strides[0], s.strides[1], 1]), padding: attr.s('VALID'), data_format: attr.s('NHWC') },
    [{ dtype: 'float32', onnxType: x.onnxType, shape: [n, full[0], full[1], m] }],
    c.hint(),
  )[0];
  if (begin.some((b) => b !== 0) || size.some((v, i) => v !== full[i]))
    y = c.g.emit('Slice', [y, ints([0, begin[0], begin[1], 0]), ints([-1, size[0], size[1], -1])], { Index: attr.type('int32') }, [
      { dtype: 'float32', onnxType: x.onnxType, shape: [n, size[0], size[1], m] },
    ])[0]!;
  if (c.opt(2)) y = add(c.g, y, c.opt(2)!);
  y = transpose(c.g, y, TO_NCHW);
  return oneD ? squeeze(c.g, y, [2]) : y;
}

function pool(kind: 'max' | 'avg'): Handler {
  return (c) => {
    let x = c.in(0);
    const r = rank(x);
    if (r !== 3 && r !== 4) throw new Unsupported(`${c.node.opType} on rank-${r} input (only 1-D and 2-D pools are supported)`);
    if (c.node.output.length > 1 && c.node.output[1]) throw new Unsupported('MaxPool Indices output has no TF.js equivalent');
    const oneD = r === 3,
      s = spatial(c, x, c.ints('kernel_shape') ?? []);
    if (s.dilations.some((d) => d !== 1)) throw new Unsupported('pooling with dilations has no TF.js op');
    const ceil = c.int('ceil_mode', 0) === 1,
      include = c.int('count_include_pad', 0) === 1;
    x = transpose(c.g, lift(c.g, x, oneD), TO_NHWC);
    const geo = {
      ksize: attr.ints([1, s.kernel[0], s.kernel[1], 1]),
      strides: attr.ints([1, s.strides[0], s.strides[1], 1]),
      data_format: attr.s('NHWC'),
      T: attr.type('float32'),
    };
    const op = kind === 'max' ? 'MaxPool' : 'AvgPool';
    const out = (hw: Dim[]) => [{ dtype: 'float32' as const, onnxType: x.onnxType, shape: [x.shape![0]!, hw[0]!, hw[1]!, x.shape![3]!] }];
    let y: Value;
    const simple =
      !ceil &&
      (s.autoPad === 'VALID' ||
        (s.autoPad === 'NOTSET' && s.pads.every((p) => p === 0)) ||
        (s.autoPad === 'SAME_UPPER' && (kind === 'max' || !include)));
    if (simple) {
      const same = s.autoPad === 'SAME_UPPER';
      const hw = s.in.map((d, i) =>
        d === null ? null : same ? Math.ceil(d / s.strides[i]) : Math.floor((d - s.kernel[i]) / s.strides[i]) + 1,
      );
      y = c.g.emit(op, [x], { ...geo, padding: attr.s(same ? 'SAME' : 'VALID') }, out(hw), c.hint())[0]!;
    } else {
      // Pad explicitly (-inf for max, 0 for average), then a VALID pool; averages get a per-position divisor fix.
      const inHW = s.in.map((d): number => {
        if (d === null) throw new Unsupported('padded pooling needs static spatial input sizes');
        return d;
      });
      const p = explicitPads(s);
      const outHW = inHW.map((d, i) => {
        const span = d + p[i] + p[i + 2] - s.kernel[i];
        let o = (ceil ? Math.ceil(span / s.strides[i]) : Math.floor(span / s.strides[i])) + 1;
        if (ceil && (o - 1) * s.strides[i] >= d + p[i]) o--;
        return o;
      });
      const extra = outHW.map((o, i) => Math.max(0, (o - 1) * s.strides[i] + s.kernel[i] - (inHW[i] + p[i] + p[i + 2])));
      const tfPads = ints([0, 0, p[0], p[2] + extra[0], p[1], p[3] + extra[1], 0, 0]);
      const padded = c.g.emit(
        'PadV2',
        [x, reshape(c.g, tfPads, [4, 2]), floatScalar(kind === 'max' ? -3.4028234663852886e38 : 0)],
        { Tpaddings: attr.type('int32') },
        [{ dtype: 'float32', onnxType: x.onnxType, shape: undefined }],
      )[0];
      y = c.g.emit(op, [padded], { ...geo, padding: attr.s('VALID') }, out(outHW), c.hint())[0]!;
      if (kind === 'avg') {
        const k = s.kernel[0] * s.kernel[1],
          fix: number[] = [];
        for (let i = 0; i < outHW[0]; i++)
          for (let j = 0; j < outHW[1]; j++) {
            const cnt = (axis: number, o: number) => {
              const start = o * s.strides[axis],
                lo = include ? 0 : p[axis],
                hi = include ? inHW[axis] + p[axis] + p[axis + 2] : p[axis] + inHW[axis];
              return Math.max(0, Math.min(start + s.kernel[axis], hi) - Math.max(start, lo));
            };
            fix.push(k / (cnt(0, i) * cnt(1, j)));
          }
        if (fix.some((f) => f !== 1)) y = mul(c.g, y, constOf(Float32Array.from(fix), [1, outHW[0], outHW[1], 1], 'float32'));
      }
    }
    y = transpose(c.g, y, TO_NCHW);
    return oneD ? squeeze(c.g, y, [2]) : y;
  };
}

/** Per-channel parameter [C] → [C, 1, …] so it broadcasts against NCHW. */
const perChannel = (g: TfGraph, v: Value, r: number) => reshape(g, v, [-1, ...new Array<number>(r - 2).fill(1)]);

function batchNorm(c: NodeCtx): Value {
  if (c.int('training_mode', 0) === 1 || c.node.output.filter(Boolean).length > 1)
    throw new Unsupported('BatchNormalization in training mode (extra outputs) is not supported; export the model in eval mode');
  const x = c.in(0),
    r = rank(x),
    eps = c.float('epsilon', 1e-5);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((i) => perChannel(c.g, c.in(i), r)) as [Value, Value, Value, Value];
  const a = mul(
    c.g,
    scale,
    unary(c.g, 'Rsqrt', add(c.g, variance, floatScalar(eps)), (v) => 1 / Math.sqrt(v)),
  );
  return add(c.g, mul(c.g, x, a), sub(c.g, bias, mul(c.g, mean, a)));
}

/** Normalises over `axes` (mean/variance), as LayerNorm, InstanceNorm and MVN do. */
function normalize(g: TfGraph, x: Value, axes: number[], eps: number): { y: Value; mean: Value; inv: Value } {
  const mean = reduce(g, 'Mean', x, axes, true);
  const d = sub(g, x, mean);
  const inv = unary(g, 'Rsqrt', add(g, reduce(g, 'Mean', mul(g, d, d), axes, true), floatScalar(eps)), (v) => 1 / Math.sqrt(v));
  return { y: mul(g, d, inv), mean, inv };
}

function softmaxLike(op: 'Softmax' | 'LogSoftmax' | 'Hardmax'): Handler {
  return (c) => {
    const x = c.in(0),
      r = rank(x);
    const axis = normAxis(c.int('axis', c.opset >= 13 ? -1 : 1), r);
    const run = (v: Value): Value => {
      if (op !== 'Hardmax') return c.g.emit(op, [v], {}, [{ dtype: v.dtype, onnxType: v.onnxType, shape: v.shape }], c.hint())[0];
      const depth = v.shape!.at(-1);
      if (depth === null || depth === undefined) throw new Unsupported('Hardmax needs a static size on its axis');
      const am = c.g.emit('ArgMax', [v, intScalar(-1)], { output_type: attr.type('int32') }, [
        { dtype: 'int32', onnxType: 7, shape: v.shape!.slice(0, -1) },
      ])[0];
      return c.g.emit(
        'OneHot',
        [am, intScalar(depth), floatScalar(1), floatScalar(0)],
        { axis: attr.i(-1), T: attr.type('float32') },
        [{ dtype: 'float32', onnxType: v.onnxType, shape: v.shape }],
        c.hint(),
      )[0];
    };
    if (c.opset < 13 && axis !== r - 1) {
      const s = x.shape!,
        a = s.slice(0, axis),
        b = s.slice(axis);
      const known = (p: Dim[]) => (p.every((d) => d !== null) ? sizeOf(p) : -1);
      const flat = reshape(c.g, x, [known(a), known(b)]);
      if (s.some((d) => d === null)) throw new Unsupported(`${op} (opset < 13) needs a static input shape`);
      return reshape(c.g, run(flat), s as number[]);
    }
    if (axis === r - 1) return run(x);
    const perm = Array.from({ length: r }, (_, i) => i);
    perm[axis] = r - 1;
    perm[r - 1] = axis;
    return transpose(c.g, run(transpose(c.g, x, perm)), perm);
  };
}

function matmul(c: NodeCtx): Value {
  let a = c.in(0),
    b = c.in(1);
  const ra = rank(a),
    rb = rank(b);
  if (ra === 1) a = expandDims(c.g, a, 0);
  if (rb === 1) b = expandDims(c.g, b, 1);
  const batch = broadcastShapes(a.shape!.slice(0, -2), b.shape!.slice(0, -2))!;
  const shape = [...batch, a.shape!.at(-2)!, b.shape!.at(-1)!];
  const op = a.shape!.length === 2 && b.shape!.length === 2 ? 'MatMul' : 'BatchMatMulV2';
  const flags: Record<string, TfAttr> =
    op === 'MatMul' ? { transpose_a: attr.b(false), transpose_b: attr.b(false) } : { adj_x: attr.b(false), adj_y: attr.b(false) };
  let y = c.g.emit(op, [a, b], { ...flags, T: attr.type(a.dtype) }, [{ dtype: a.dtype, onnxType: a.onnxType, shape }], c.hint())[0];
  if (rb === 1) y = squeeze(c.g, y, [y.shape!.length - 1]);
  if (ra === 1) y = squeeze(c.g, y, [y.shape!.length - 2]);
  return y;
}

function gemm(c: NodeCtx): Value {
  const a = c.in(0),
    b = c.in(1),
    ta = c.int('transA', 0) === 1,
    tb = c.int('transB', 0) === 1;
  const alpha = c.float('alpha', 1),
    beta = c.float('beta', 1);
  const shape = [a.shape![ta ? 1 : 0]!, b.shape![tb ? 0 : 1]!];
  let y = c.g.emit(
    'MatMul',
    [a, b],
    { transpose_a: attr.b(ta), transpose_b: attr.b(tb), T: attr.type('float32') },
    [{ dtype: a.dtype, onnxType: a.onnxType, shape }],
    c.hint(),
  )[0];
  if (alpha !== 1) y = mul(c.g, y, scalarLike(y, alpha));
  const cc = c.opt(2);
  if (cc && beta !== 0) y = add(c.g, y, beta === 1 ? cc : mul(c.g, cc, scalarLike(cc, beta)));
  return y;
}

export const NN_OPS: Record<string, Handler> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalAveragePool: (c) => {
    const x = c.in(0);
    return reduce(
      c.g,
      'Mean',
      x,
      Array.from({ length: rank(x) - 2 }, (_, i) => i + 2),
      true,
    );
  },
  GlobalMaxPool: (c) => {
    const x = c.in(0);
    return reduce(
      c.g,
      'Max',
      x,
      Array.from({ length: rank(x) - 2 }, (_, i) => i + 2),
      true,
    );
  },
  BatchNormalization: batchNorm,
  InstanceNormalization: (c) => {
    const x = c.in(0),
      r = rank(x),
      { y } = normalize(
        c.g,
        x,
        Array.from({ length: r - 2 }, (_, i) => i + 2),
        c.float('epsilon', 1e-5),
      );
    return add(c.g, mul(c.g, y, perChannel(c.g, c.in(1), r)), perChannel(c.g, c.in(2), r));
  },
  MeanVarianceNormalization: (c) =>
    normalize(
      c.g,
      c.in(0),
      (c.ints('axes') ?? [0, 2, 3]).map((a) => normAxis(a, rank(c.in(0)))),
      1e-9,
    ).y,
  LayerNormalization: (c) => {
    const x = c.in(0),
      r = rank(x),
      axis = normAxis(c.int('axis', -1), r);
    const { y, mean, inv } = normalize(
      c.g,
      x,
      Array.from({ length: r - axis }, (_, i) => i + axis),
      c.float('epsilon', 1e-5),
    );
    let out = mul(c.g, y, c.in(1));
    if (c.opt(2)) out = add(c.g, out, c.opt(2)!);
    return [out, mean, inv];
  },
  LRN: (c) => {
    const x = c.in(0),
      size = c.int('size', 1);
    if (rank(x) !== 4 || size % 2 === 0) throw new Unsupported('LRN is supported on 4-D input with an odd size');
    const t = transpose(c.g, x, TO_NHWC);
    const y = c.g.emit(
      'LRN',
      [t],
      {
        depth_radius: attr.i((size - 1) / 2),
        bias: attr.f(c.float('bias', 1)),
        alpha: attr.f(c.float('alpha', 1e-4) / size),
        beta: attr.f(c.float('beta', 0.75)),
      },
      [{ dtype: 'float32', onnxType: x.onnxType, shape: t.shape }],
      c.hint(),
    )[0];
    return transpose(c.g, y, TO_NCHW);
  },
  Softmax: softmaxLike('Softmax'),
  LogSoftmax: softmaxLike('LogSoftmax'),
  Hardmax: softmaxLike('Hardmax'),
  MatMul: matmul,
  Gemm: gemm,
  DepthToSpace: (c) => {
    const x = c.in(0),
      [n, ch, h, w] = staticShape(x, 'DepthToSpace input') as [number, number, number, number],
      bs = c.int('blocksize', 1);
    const crd = c.str('mode', 'DCR') === 'CRD';
    const t = crd ? reshape(c.g, x, [n, ch / bs / bs, bs, bs, h, w]) : reshape(c.g, x, [n, bs, bs, ch / bs / bs, h, w]);
    return reshape(c.g, transpose(c.g, t, crd ? [0, 1, 4, 2, 5, 3] : [0, 3, 4, 1, 5, 2]), [n, ch / bs / bs, h * bs, w * bs]);
  },
  SpaceToDepth: (c) => {
    const x = c.in(0),
      [n, ch, h, w] = staticShape(x, 'SpaceToDepth input') as [number, number, number, number],
      bs = c.int('blocksize', 1);
    const t = reshape(c.g, x, [n, ch, h / bs, bs, w / bs, bs]);
    return reshape(c.g, transpose(c.g, t, [0, 3, 5, 1, 2, 4]), [n, ch * bs * bs, h / bs, w / bs]);
  },
};
