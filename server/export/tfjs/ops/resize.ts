/**
 * Resize (opset 10–19) and Upsample. Two forms:
 * - TF.js `ResizeBilinear` / `ResizeNearestNeighbor` (NHWC) where they compute exactly what ONNX asks:
 *   linear over H and W with half_pixel / pytorch_half_pixel / align_corners / asymmetric coordinates and
 *   a scale equal to out/in; nearest with asymmetric coordinates, floor rounding and a power-of-two upscale.
 * - Otherwise a composed form that is exact for every coordinate mode and rounding: per resized axis, the
 *   source indices and weights are computed here (sizes are static), and the axis is resized as
 *   Σ_k Gather(x, idx_k, axis) · w_k (1 tap for nearest, 2 for linear, 4 for cubic).
 * Refused, by name: antialias when downsampling, and a resized axis whose size is only known at run time.
 */
import { add, constOf, mul, numbers, rank, transpose } from '../build';
import { Unsupported } from '../errors';
import { attr, type Dim, type Value } from '../tf-graph';
import type { Handler, NodeCtx } from './types';

const f32 = Math.fround;

const COORD_MODES = new Set([
  'half_pixel',
  'half_pixel_symmetric',
  'pytorch_half_pixel',
  'align_corners',
  'asymmetric',
  'tf_half_pixel_for_nn',
  'tf_crop_and_resize',
]);
const NEAREST_MODES = new Set(['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']);

interface ResizeSpec {
  mode: 'nearest' | 'linear' | 'cubic';
  coord: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
}

/** One resized axis: for each output position, the taps (source index, weight) and whether it is inside the crop. */
interface AxisPlan {
  axis: number;
  inLen: number;
  outLen: number;
  scale: number;
  taps: { idx: number[]; w: number[] }[];
  outside: boolean[];
}

/** Source coordinate of output position `d` (ONNX's coordinate_transformation_mode), in float32 as onnxruntime computes it. */
function sourceCoord(spec: ResizeSpec, d: number, inLen: number, outLen: number, scale: number, roi: [number, number]): number {
  switch (spec.coord) {
    case 'half_pixel':
      return f32(f32(f32(d + 0.5) / scale) - 0.5);
    case 'half_pixel_symmetric': {
      const adjustment = outLen / f32(scale * inLen),
        center = inLen / 2,
        offset = center * (1 - adjustment);
      return f32(offset + f32(f32(d + 0.5) / scale) - 0.5);
    }
    case 'pytorch_half_pixel':
      return outLen > 1 ? f32(f32(f32(d + 0.5) / scale) - 0.5) : 0;
    case 'align_corners':
      return outLen === 1 ? 0 : f32(f32(d * (inLen - 1)) / (outLen - 1));
    case 'asymmetric':
      return f32(d / scale);
    case 'tf_half_pixel_for_nn':
      return f32(f32(d + 0.5) / scale);
    default: {
      // tf_crop_and_resize
      const [s, e] = roi;
      return outLen > 1 ? s * (inLen - 1) + (d * (e - s) * (inLen - 1)) / (outLen - 1) : 0.5 * (s + e) * (inLen - 1);
    }
  }
}

function nearestIndex(x: number, how: string): number {
  const fl = Math.floor(x),
    frac = x - fl;
  if (how === 'floor') return fl;
  if (how === 'ceil') return Math.ceil(x);
  if (frac === 0.5) return how === 'round_prefer_ceil' ? fl + 1 : fl;
  return Math.round(x);
}

/** ONNX's cubic convolution weights for the 4 neighbours floor(x)-1 … floor(x)+2 at fraction t. */
function cubicWeights(t: number, a: number): number[] {
  const w = (x: number) => {
    const ax = Math.abs(x);
    if (ax <= 1) return ((a + 2) * ax - (a + 3)) * ax * ax + 1;
    if (ax < 2) return ((a * ax - 5 * a) * ax + 8 * a) * ax - 4 * a;
    return 0;
  };
  return [w(t + 1), w(t), w(1 - t), w(2 - t)];
}

function planAxis(spec: ResizeSpec, axis: number, inLen: number, outLen: number, scale: number, roi: [number, number]): AxisPlan {
  const nTaps = spec.mode === 'nearest' ? 1 : spec.mode === 'linear' ? 2 : 4;
  const taps = Array.from({ length: nTaps }, () => ({ idx: new Array<number>(outLen), w: new Array<number>(outLen) }));
  const outside = new Array<boolean>(outLen).fill(false);
  const clamp = (i: number) => Math.min(inLen - 1, Math.max(0, i));
  for (let d = 0; d < outLen; d++) {
    let x = sourceCoord(spec, d, inLen, outLen, scale, roi);
    if (spec.coord === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1)) {
      outside[d] = true;
      for (const t of taps) [t.idx[d], t.w[d]] = [0, 0];
      continue;
    }
    if (spec.mode === 'nearest') {
      [taps[0].idx[d], taps[0].w[d]] = [clamp(nearestIndex(x, spec.nearest)), 1];
      continue;
    }
    if (spec.mode === 'linear') {
      x = Math.min(inLen - 1, Math.max(0, x)); // onnxruntime clamps linear coordinates into the input
      const x0 = Math.floor(x),
        t = x - x0;
      [taps[0].idx[d], taps[0].w[d]] = [x0, 1 - t];
      [taps[1].idx[d], taps[1].w[d]] = [clamp(x0 + 1), t];
      continue;
    }
    const x0 = Math.floor(x),
      w = cubicWeights(x - x0, spec.cubicA);
    const ids = [x0 - 1, x0, x0 + 1, x0 + 2];
    if (spec.excludeOutside) {
      ids.forEach((i, k) => {
        if (i < 0 || i >= inLen) w[k] = 0;
      });
      const sum = w.reduce((a, b) => a + b, 0);
      for (let k = 0; k < 4; k++) w[k] = sum ? w[k] / sum : 0;
    }
    ids.forEach((i, k) => ([taps[k].idx[d], taps[k].w[d]] = [clamp(i), w[k]]));
  }
  return { axis, inLen, outLen, scale, taps, outside };
}

/** Σ_k Gather(x, idx_k, axis) · w_k along one axis (weights broadcast as [outLen, 1, …]). */
function resizeAxis(c: NodeCtx, x: Value, p: AxisPlan): Value {
  const r = x.shape!.length;
  const shape = x.shape!.map((d, i) => (i === p.axis ? p.outLen : d));
  let y: Value | undefined;
  for (const [k, t] of p.taps.entries()) {
    if (t.w.every((w) => w === 0)) continue;
    const g = c.g.emit(
      'GatherV2',
      [x, constOf(t.idx, [p.outLen], 'int32'), constOf([p.axis], [], 'int32')],
      { batch_dims: attr.i(0) },
      [{ dtype: x.dtype, onnxType: x.onnxType, shape }],
      c.hint(`/axis${p.axis}_tap${k}`),
    )[0];
    const weighted = t.w.every((w) => w === 1)
      ? g
      : mul(c.g, g, constOf(Float32Array.from(t.w), [p.outLen, ...new Array<number>(r - 1 - p.axis).fill(1)], 'float32'));
    y = y ? add(c.g, y, weighted) : weighted;
  }
  return y ?? mul(c.g, x, constOf([0], [], 'float32'));
}

/** The TF.js native kernel when it reproduces ONNX exactly (4-D, only H and W resized), else undefined. */
function nativeResize(c: NodeCtx, x: Value, spec: ResizeSpec, plans: AxisPlan[], antialiasNeeded: boolean): Value | undefined {
  if (x.shape!.length !== 4 || plans.length !== 2 || plans[0].axis !== 2 || plans[1].axis !== 3 || antialiasNeeded) return undefined;
  const exactScale = plans.every((p) => p.scale === f32(p.outLen / p.inLen) && p.outLen / p.inLen === p.scale);
  let flags: { align: boolean; half: boolean } | undefined;
  let op = 'ResizeBilinear';
  if (spec.mode === 'linear') {
    if (spec.coord === 'align_corners') flags = { align: true, half: false };
    else if (exactScale && spec.coord === 'asymmetric') flags = { align: false, half: false };
    else if (exactScale && (spec.coord === 'half_pixel' || (spec.coord === 'pytorch_half_pixel' && plans.every((p) => p.outLen > 1))))
      flags = { align: false, half: true };
  } else if (spec.mode === 'nearest' && spec.coord === 'asymmetric' && spec.nearest === 'floor') {
    // r · (in/out) floors like ONNX's r / scale only when the ratio is exact in binary: power-of-two upscales
    const pow2 = plans.every((p) => p.outLen % p.inLen === 0 && Number.isInteger(Math.log2(p.outLen / p.inLen)));
    if (pow2) [flags, op] = [{ align: false, half: false }, 'ResizeNearestNeighbor'];
  }
  if (!flags) return undefined;
  const nhwc = transpose(c.g, x, [0, 2, 3, 1]);
  const y = c.g.emit(
    op,
    [nhwc, constOf([plans[0].outLen, plans[1].outLen], [2], 'int32')],
    { align_corners: attr.b(flags.align), half_pixel_centers: attr.b(flags.half), T: attr.type('float32') },
    [{ dtype: 'float32', onnxType: x.onnxType, shape: [x.shape![0], plans[0].outLen, plans[1].outLen, x.shape![1]] }],
    c.hint(),
  )[0];
  return transpose(c.g, y, [0, 3, 1, 2]);
}

function readSpec(c: NodeCtx): ResizeSpec {
  const upsample = c.node.opType === 'Upsample' || c.opset < 11;
  const mode = c.str('mode', 'nearest').toLowerCase();
  const spec: ResizeSpec = {
    mode: mode === 'bilinear' ? 'linear' : (mode as ResizeSpec['mode']),
    coord: upsample ? 'asymmetric' : c.str('coordinate_transformation_mode', 'half_pixel'),
    nearest: upsample ? 'floor' : c.str('nearest_mode', 'round_prefer_floor'),
    cubicA: c.float('cubic_coeff_a', -0.75),
    excludeOutside: c.int('exclude_outside', 0) === 1,
    extrapolation: c.float('extrapolation_value', 0),
  };
  if (!['nearest', 'linear', 'cubic'].includes(spec.mode)) throw new Unsupported(`Resize mode '${mode}' is not an ONNX mode`);
  if (!COORD_MODES.has(spec.coord)) throw new Unsupported(`coordinate_transformation_mode '${spec.coord}' is not supported`);
  if (!NEAREST_MODES.has(spec.nearest)) throw new Unsupported(`nearest_mode '${spec.nearest}' is not supported`);
  return spec;
}

function resize(c: NodeCtx): Value {
  const x = c.in(0),
    r = rank(x);
  if (x.dtype !== 'float32') throw new Unsupported('Resize of integer or bool tensors is not supported (TF.js resizes float32)');
  const spec = readSpec(c);
  const upsample = c.node.opType === 'Upsample' || c.opset < 11;
  // inputs: opset 10 / Upsample (X, scales); opset ≥ 11 (X, roi, scales, sizes)
  const scalesIn = upsample ? c.opt(1) : c.opt(2),
    sizesIn = upsample ? undefined : c.opt(3),
    roiIn = upsample ? undefined : c.opt(1);
  const axesAttr = c.ints('axes');
  const axes = axesAttr ? axesAttr.map((a) => (a < 0 ? a + r : a)) : Array.from({ length: r }, (_, i) => i);
  const hasValues = (v: Value | undefined) => v && !(v.shape && v.shape.length === 1 && v.shape[0] === 0);
  let scales: number[] | undefined, sizes: number[] | undefined;
  if (upsample && c.node.opType === 'Upsample' && c.opset < 9) scales = c.floats('scales');
  else if (hasValues(sizesIn)) sizes = numbers(sizesIn, 'Resize sizes');
  else if (hasValues(scalesIn)) scales = numbers(scalesIn, 'Resize scales');
  else throw new Unsupported('Resize needs constant scales or sizes');
  const inDims = axes.map((a) => x.shape![a]);
  const policy = c.str('keep_aspect_ratio_policy', 'stretch');
  if (sizes && policy !== 'stretch') {
    const known = inDims.map((d, i) => {
      if (d === null) throw new Unsupported(`keep_aspect_ratio_policy needs a static size on axis ${axes[i]}`);
      return d;
    });
    const ratios = sizes.map((s, i) => s / known[i]);
    const s = policy === 'not_larger' ? Math.min(...ratios) : Math.max(...ratios);
    scales = ratios.map(() => s);
    sizes = known.map((d) => Math.round(d * s));
  }
  let roi = axes.map((): [number, number] => [0, 1]);
  if (spec.coord === 'tf_crop_and_resize') {
    const v = numbers(roiIn, 'Resize roi');
    roi = axes.map((_, i) => [v[i], v[i + axes.length]]);
  }
  const plans: AxisPlan[] = [];
  let antialiasNeeded = false;
  axes.forEach((axis, i) => {
    const inLen: Dim = x.shape![axis];
    const scale = sizes ? undefined : f32(scales![i]);
    if (scale === 1 && spec.coord !== 'tf_crop_and_resize') return; // untouched axis (e.g. batch and channels)
    if (sizes && inLen !== null && sizes[i] === inLen && spec.coord !== 'tf_crop_and_resize') return;
    if (inLen === null)
      throw new Unsupported(`Resize changes axis ${axis}, whose size is only known at run time (a static size is needed)`);
    const outLen = sizes ? sizes[i] : Math.floor(f32(inLen * scale!));
    if (outLen < 1) throw new Unsupported(`Resize to an empty axis ${axis}`);
    const s = sizes && policy === 'stretch' ? outLen / inLen : (scale ?? scales![i]);
    if (s < 1 && c.int('antialias', 0) === 1 && spec.mode !== 'nearest') antialiasNeeded = true;
    plans.push(planAxis(spec, axis, inLen, outLen, s, roi[i]));
  });
  if (antialiasNeeded) throw new Unsupported('antialias=1 when downsampling (a wider filter than TF.js resizes use) is not supported');
  if (!plans.length) return x;
  const native = spec.coord === 'tf_crop_and_resize' ? undefined : nativeResize(c, x, spec, plans, antialiasNeeded);
  if (native) return native;
  let y = x;
  for (const p of plans) y = resizeAxis(c, y, p);
  if (spec.coord === 'tf_crop_and_resize' && plans.some((p) => p.outside.some(Boolean))) {
    // positions outside the crop in any axis take extrapolation_value: y += E · (1 − Π_axis inside)
    const dims = y.shape!.map((d, i) => (plans.some((p) => p.axis === i) ? (d as number) : 1));
    const n = dims.reduce((a, b) => a * b, 1),
      fill = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      let rem = k,
        inside = true;
      for (let a = dims.length - 1; a >= 0; a--) {
        const i = rem % dims[a];
        rem = Math.floor(rem / dims[a]);
        const p = plans.find((q) => q.axis === a);
        if (p && p.outside[i]) inside = false;
      }
      fill[k] = inside ? 0 : spec.extrapolation;
    }
    if (spec.extrapolation !== 0) y = add(c.g, y, constOf(fill, dims, 'float32'));
  }
  return y;
}

export const RESIZE_OPS: Record<string, Handler> = {
  Resize: resize,
  Upsample: resize,
};
