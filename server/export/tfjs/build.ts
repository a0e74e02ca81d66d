/**
 * Building blocks for op handlers. Each one folds when its inputs are constant (that is the constant
 * folding pass: shape chains from PyTorch — Shape → Gather → Unsqueeze → Concat → Reshape — end up as
 * Const values and never reach the TF graph), and otherwise emits TF nodes with the shape it can infer.
 */
import { ONNX, sizeOf, tfDtypeOf, type ConstTensor, type TfDtype } from './tensor';
import { attr, type Dim, type TfGraph, type Value } from './tf-graph';
import { Unsupported } from './errors';

export const ONNX_OF: Record<TfDtype, number> = { float32: ONNX.FLOAT, int32: ONNX.INT64, bool: ONNX.BOOL };

export function constValue(c: ConstTensor, dtype = tfDtypeOf(c.onnxType)): Value {
  return { dtype, onnxType: c.onnxType, shape: c.shape.slice(), const: c };
}
export function constOf(data: ArrayLike<number>, shape: number[], dtype: TfDtype): Value {
  return constValue({ onnxType: ONNX_OF[dtype], shape, data }, dtype);
}
export const ints = (v: number[]) => constOf(v, [v.length], 'int32');
export const intScalar = (v: number) => constOf([v], [], 'int32');
export const floatScalar = (v: number) => constOf([v], [], 'float32');
export const scalarLike = (x: Value, v: number) => constOf([v], [], x.dtype);

export const isConst = (v: Value | undefined): v is Value & { const: ConstTensor } => !!v?.const;
/** The numbers of a constant (throws Unsupported naming `what` when the value is computed at run time). */
export function numbers(v: Value | undefined, what: string): number[] {
  if (!v) throw new Unsupported(`${what} is missing`);
  if (!v.const) throw new Unsupported(`${what} must be a constant (it is computed at run time)`);
  return Array.from(v.const.data);
}
export const rank = (v: Value, what = 'input'): number => {
  if (!v.shape) throw new Unsupported(`the rank of ${what} is unknown`);
  return v.shape.length;
};
export function staticShape(v: Value, what = 'input'): number[] {
  if (!v.shape || v.shape.some((d) => d === null))
    throw new Unsupported(`${what} needs a static shape, it has [${v.shape?.map((d) => d ?? '?').join(', ') ?? '?'}]`);
  return v.shape as number[];
}
export const normAxis = (a: number, r: number) => {
  const n = a < 0 ? a + r : a;
  if (n < 0 || n >= r) throw new Unsupported(`axis ${a} is out of range for rank ${r}`);
  return n;
};

export function broadcastShapes(a?: Dim[], b?: Dim[]): Dim[] | undefined {
  if (!a || !b) return undefined;
  const r = Math.max(a.length, b.length),
    out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    // (not `??`: null means "unknown dim", only a missing leading dim is 1)
    const ia = a.length - r + i,
      ib = b.length - r + i;
    const x = ia < 0 ? 1 : a[ia]!,
      y = ib < 0 ? 1 : b[ib]!;
    if (x === 1) out.push(y);
    else if (y === 1) out.push(x);
    else if (x !== null && y !== null && x !== y) throw new Unsupported(`shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    else out.push(x ?? y);
  }
  return out;
}

const strides = (shape: number[]) => {
  const s = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i--) s[i] = s[i + 1] * shape[i + 1];
  return s;
};

/** Elementwise over constants with NumPy broadcasting. */
export function evalBroadcast(vals: ConstTensor[], fn: (...x: number[]) => number): { shape: number[]; data: number[] } {
  let shape: number[] = [];
  for (const v of vals) shape = broadcastShapes(shape, v.shape) as number[];
  const n = sizeOf(shape),
    out = new Array<number>(n),
    os = strides(shape);
  const ins = vals.map((v) => {
    const s = strides(v.shape),
      off = shape.length - v.shape.length;
    return { v, s: shape.map((_, i) => (i < off || v.shape[i - off] === 1 ? 0 : s[i - off])) };
  });
  const idx = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let rem = k;
    for (let d = 0; d < shape.length; d++) {
      idx[d] = Math.floor(rem / os[d]);
      rem %= os[d];
    }
    out[k] = fn(
      ...ins.map(({ v, s }) => {
        let o = 0;
        for (let d = 0; d < idx.length; d++) o += idx[d] * s[d];
        return v.data[o];
      }),
    );
  }
  return { shape, data: out };
}

/** Wraps a JS result into the right number domain for a dtype (int truncation, bool 0/1, float32 rounding). */
export function coerce(x: number, d: TfDtype): number {
  if (d === 'bool') return x ? 1 : 0;
  if (d === 'int32') return Math.trunc(x);
  return Math.fround(x);
}

export function unary(
  g: TfGraph,
  op: string,
  x: Value,
  js?: (x: number) => number,
  attrs: Record<string, ReturnType<typeof attr.i>> = {},
  dtype = x.dtype,
): Value {
  if (isConst(x) && js)
    return constOf(
      Array.from(x.const.data, (v) => coerce(js(v), dtype)),
      x.const.shape,
      dtype,
    );
  return g.emit(op, [x], attrs, [{ dtype, onnxType: dtype === x.dtype ? x.onnxType : ONNX_OF[dtype], shape: x.shape }])[0];
}

export function binary(g: TfGraph, op: string, a: Value, b: Value, js?: (a: number, b: number) => number, dtype = a.dtype): Value {
  if (isConst(a) && isConst(b) && js) {
    const r = evalBroadcast([a.const, b.const], js);
    return constOf(
      r.data.map((v) => coerce(v, dtype)),
      r.shape,
      dtype,
    );
  }
  return g.emit(op, [a, b], {}, [
    { dtype, onnxType: dtype === a.dtype ? a.onnxType : ONNX_OF[dtype], shape: broadcastShapes(a.shape, b.shape) },
  ])[0];
}

export const add = (g: TfGraph, a: Value, b: Value) => binary(g, 'AddV2', a, b, (x, y) => x + y);
export const sub = (g: TfGraph, a: Value, b: Value) => binary(g, 'Sub', a, b, (x, y) => x - y);
export const mul = (g: TfGraph, a: Value, b: Value) => binary(g, 'Mul', a, b, (x, y) => x * y);
export const div = (g: TfGraph, a: Value, b: Value) =>
  binary(g, a.dtype === 'int32' ? 'FloorDiv' : 'RealDiv', a, b, (x, y) => (a.dtype === 'int32' ? Math.floor(x / y) : x / y));

export function cast(g: TfGraph, x: Value, to: TfDtype, onnxType = ONNX_OF[to]): Value {
  if (x.dtype === to) return { ...x, onnxType, ref: x.ref, const: x.const && { ...x.const, onnxType } };
  if (isConst(x)) return constValue({ onnxType, shape: x.const.shape, data: Array.from(x.const.data, (v) => coerce(v, to)) }, to);
  return g.emit('Cast', [x], { SrcT: attr.type(x.dtype), DstT: attr.type(to), Truncate: attr.b(false) }, [
    { dtype: to, onnxType, shape: x.shape },
  ])[0];
}

export function transposeData(c: ConstTensor, perm: number[]): ConstTensor {
  const shape = perm.map((p) => c.shape[p]),
    n = sizeOf(shape),
    src = strides(c.shape),
    out = new Array<number>(n);
  const os = strides(shape);
  for (let k = 0; k < n; k++) {
    let rem = k,
      o = 0;
    for (let d = 0; d < shape.length; d++) {
      const i = Math.floor(rem / os[d]);
      rem %= os[d];
      o += i * src[perm[d]];
    }
    out[k] = c.data[o]!;
  }
  return { onnxType: c.onnxType, shape, data: c.onnxType === ONNX.FLOAT ? Float32Array.from(out) : out };
}

export function transpose(g: TfGraph, x: Value, perm: number[]): Value {
  if (perm.every((p, i) => p === i)) return x;
  if (isConst(x)) return constValue(transposeData(x.const, perm), x.dtype);
  return g.emit('Transpose', [x, ints(perm)], { Tperm: attr.type('int32') }, [
    { dtype: x.dtype, onnxType: x.onnxType, shape: x.shape && perm.map((p) => x.shape![p]!) },
  ])[0];
}

/** Reshape to a TF-style target (at most one -1, no 0-copy semantics). */
export function reshape(g: TfGraph, x: Value, target: number[]): Value {
  const shape: Dim[] = target.slice();
  const known = x.shape && x.shape.every((d) => d !== null) ? sizeOf(x.shape) : undefined;
  const minus = target.indexOf(-1);
  if (minus >= 0) shape[minus] = known !== undefined ? known / sizeOf(target.filter((d) => d !== -1)) : null;
  if (isConst(x)) return constValue({ ...x.const, shape: shape as number[] }, x.dtype);
  if (x.shape && x.shape.length === shape.length && x.shape.every((d, i) => d !== null && d === shape[i])) return x;
  return g.emit('Reshape', [x, ints(target)], {}, [{ dtype: x.dtype, onnxType: x.onnxType, shape }])[0];
}

export function expandDims(g: TfGraph, x: Value, axis: number): Value {
  const s = x.shape?.slice();
  s?.splice(axis < 0 ? s.length + 1 + axis : axis, 0, 1);
  if (isConst(x)) return constValue({ ...x.const, shape: s as number[] }, x.dtype);
  return g.emit('ExpandDims', [x, intScalar(axis)], {}, [{ dtype: x.dtype, onnxType: x.onnxType, shape: s }])[0];
}

export function squeeze(g: TfGraph, x: Value, axes: number[]): Value {
  const s = x.shape?.filter((_, i) => !axes.includes(i));
  if (isConst(x)) return constValue({ ...x.const, shape: s as number[] }, x.dtype);
  return g.emit('Squeeze', [x], { squeeze_dims: attr.ints(axes) }, [{ dtype: x.dtype, onnxType: x.onnxType, shape: s }])[0];
}

/** Reduction over static axes (TF ops Sum, Mean, Max, Min, Prod, All, Any). */
export function reduce(g: TfGraph, op: string, x: Value, axes: number[], keep: boolean): Value {
  const shape = x.shape && (keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i)));
  return g.emit(op, [x, ints(axes)], { keep_dims: attr.b(keep), Tidx: attr.type('int32') }, [
    { dtype: x.dtype, onnxType: x.onnxType, shape },
  ])[0];
}

/** Shape of x as an int32 tensor: folded when static. */
export function shapeOf(g: TfGraph, x: Value): Value {
  if (x.shape && x.shape.every((d) => d !== null)) return ints(x.shape);
  return g.emit('Shape', [x], { out_type: attr.type('int32') }, [
    { dtype: 'int32', onnxType: ONNX.INT64, shape: [x.shape?.length ?? null] },
  ])[0];
}
