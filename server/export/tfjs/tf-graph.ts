/**
 * The TF graph being built: TF.js graph-model nodes (GraphDef JSON as tfjs-converter reads it), the
 * constants they use, and the values that flow between ONNX nodes during conversion.
 */
import { sizeOf, type ConstTensor, type TfDtype } from './tensor';
import { Unsupported } from './errors';

export type Dim = number | null;

/** A tensor during conversion: dtype, what is known of its shape, its data when constant, its TF name once emitted. */
export interface Value {
  dtype: TfDtype;
  onnxType: number;
  /** undefined: rank unknown; null entries: unknown dims. */
  shape?: Dim[];
  const?: ConstTensor;
  ref?: string;
  /**
   * What is known of a small int tensor computed at run time (a shape vector: Shape → Gather → Concat …),
   * element by element, null where only the run time knows (the dynamic batch). Lets a run-time Reshape
   * target with one unknown entry become a static target with -1 there.
   */
  known?: Dim[];
  /** Clamp instead of refusing when an int64 constant does not fit int32 (Slice ends like INT64_MAX). */
  clampInt?: boolean;
}

export type TfAttr = Record<string, unknown>;
export interface TfNode {
  name: string;
  op: string;
  input: string[];
  attr: Record<string, TfAttr>;
}

const DT: Record<TfDtype, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL' };

/** Attribute encoders: strings are base64, ints decimal strings (see notes/onnx-compression-tfjs.md). */
export const attr = {
  s: (v: string): TfAttr => ({ s: Buffer.from(v, 'utf8').toString('base64') }),
  i: (v: number): TfAttr => ({ i: String(Math.trunc(v)) }),
  f: (v: number): TfAttr => ({ f: v }),
  b: (v: boolean): TfAttr => ({ b: v }),
  ints: (v: number[]): TfAttr => ({ list: { i: v.map((x) => String(Math.trunc(x))) } }),
  type: (d: TfDtype): TfAttr => ({ type: DT[d] }),
  shape: (s: Dim[] | undefined): TfAttr =>
    s ? { shape: { dim: s.map((d) => ({ size: String(d ?? -1) })) } } : { shape: { unknownRank: true } },
};
export const dtName = (d: TfDtype) => DT[d];

/** Weight bytes for the manifest, with the int64 → int32 narrowing check. */
export interface Weight {
  name: string;
  shape: number[];
  dtype: TfDtype;
  bytes: Uint8Array;
}

const INT32_MIN = -2147483648,
  INT32_MAX = 2147483647;

function weightBytes(name: string, v: Value): Uint8Array {
  const c = v.const!;
  const n = sizeOf(c.shape);
  if (v.dtype === 'float32') {
    const a = Float32Array.from(c.data);
    return new Uint8Array(a.buffer);
  }
  if (v.dtype === 'bool') return Uint8Array.from(c.data, (x) => (x ? 1 : 0));
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.trunc(c.data[i]);
    if (x < INT32_MIN || x > INT32_MAX) {
      if (!v.clampInt) throw new Unsupported(`constant '${name}' holds ${x}, which does not fit int32 (TF.js has no int64)`);
      x = Math.min(INT32_MAX, Math.max(INT32_MIN, x));
    }
    a[i] = x;
  }
  return new Uint8Array(a.buffer);
}

/** Sanitises an ONNX name into a TF node name (no ':' — it would be read as an output index). */
export function tfName(raw: string): string {
  let s = raw.replace(/[^A-Za-z0-9_.\-/]/g, '_').replace(/^[^A-Za-z0-9.]+/, '');
  if (!s) s = 'node';
  return s;
}

export class TfGraph {
  readonly nodes: TfNode[] = [];
  readonly weights: Weight[] = [];
  private readonly used = new Set<string>();

  unique(base: string): string {
    const b = tfName(base);
    let name = b;
    for (let i = 1; this.used.has(name); i++) name = `${b}_${i}`;
    this.used.add(name);
    return name;
  }

  /** The TF tensor name of a value; a constant becomes a Const node (data in the weights) on first use. */
  ref(v: Value, hint = 'const'): string {
    if (v.ref) return v.ref;
    if (!v.const) throw new Error('internal: value has neither a TF node nor constant data');
    const name = this.unique(hint);
    this.weights.push({ name, shape: v.const.shape, dtype: v.dtype, bytes: weightBytes(name, v) });
    this.nodes.push({
      name,
      op: 'Const',
      input: [],
      attr: {
        dtype: attr.type(v.dtype),
        value: { tensor: { dtype: DT[v.dtype], tensorShape: { dim: v.const.shape.map((d) => ({ size: String(d) })) } } },
      },
    });
    v.ref = name;
    return name;
  }

  /** Emits one TF node; returns a Value per output (refs `name` and `name:i`). */
  emit(
    op: string,
    inputs: (Value | string)[],
    attrs: Record<string, TfAttr>,
    outs: { dtype: TfDtype; onnxType: number; shape?: Dim[] }[],
    hint: string = op,
  ): Value[] {
    const name = this.unique(hint);
    this.nodes.push({ name, op, input: inputs.map((i) => (typeof i === 'string' ? i : this.ref(i, `${name}/c`))), attr: attrs });
    return outs.map((o, i) => ({ ...o, ref: i === 0 ? name : `${name}:${i}` }));
  }

  placeholder(name: string, v: Omit<Value, 'ref'>): Value {
    const n = this.unique(name);
    this.nodes.push({ name: n, op: 'Placeholder', input: [], attr: { dtype: attr.type(v.dtype), shape: attr.shape(v.shape) } });
    return { ...v, ref: n };
  }
}
