/**
 * Layout pass over the emitted TF graph: the NCHW↔NHWC transposes put around every conv/pool are sunk
 * through elementwise ops (and binary ops with a constant operand, whose constant is re-laid out) and
 * cancelled when two meet. Then dead nodes are dropped.
 */
import { transposeData } from './build';
import { ONNX } from './tensor';
import type { TfGraph, TfNode, Weight } from './tf-graph';

const UNARY = new Set([
  'Relu',
  'Relu6',
  'Sigmoid',
  'Tanh',
  'Elu',
  'Selu',
  'LeakyRelu',
  'Abs',
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Rsqrt',
  'Square',
  'Softplus',
  'Erf',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Cast',
]);
const BINARY = new Set(['AddV2', 'Add', 'Sub', 'Mul', 'RealDiv', 'Maximum', 'Minimum', 'Pow']);

const baseName = (ref: string) => ref.split(':')[0];

function readWeight(w: Weight): number[] {
  const buf = new Uint8Array(w.bytes).buffer;
  return Array.from(w.dtype === 'float32' ? new Float32Array(buf) : w.dtype === 'int32' ? new Int32Array(buf) : new Uint8Array(buf));
}

export interface LayoutStats {
  transposesBefore: number;
  transposesAfter: number;
}

export function optimizeLayout(g: TfGraph, outputs: string[]): LayoutStats {
  const before = g.nodes.filter((n) => n.op === 'Transpose').length;
  const byName = () => new Map(g.nodes.map((n) => [n.name, n]));
  const weightOf = new Map(g.weights.map((w) => [w.name, w]));
  const permOf = (n: TfNode | undefined): number[] | undefined => {
    if (!n || n.op !== 'Transpose') return undefined;
    const w = weightOf.get(n.input[1]);
    return w ? readWeight(w) : undefined;
  };
  const consumers = () => {
    const m = new Map<string, number>();
    for (const n of g.nodes) for (const i of n.input) m.set(baseName(i), (m.get(baseName(i)) ?? 0) + 1);
    for (const o of outputs) m.set(o, (m.get(o) ?? 0) + 1);
    return m;
  };
  const redirect = (from: string, to: string) => {
    for (const n of g.nodes) n.input = n.input.map((i) => (i === from ? to : i));
  };
  for (let changed = true, guard = 0; changed && guard < 10_000; guard++) {
    changed = false;
    const nodes = byName(),
      uses = consumers();
    for (const n of [...g.nodes]) {
      // cancel Transpose(Transpose(x, p1), p2) when p1∘p2 is the identity
      const p2 = permOf(n);
      if (p2) {
        const inner = nodes.get(n.input[0]),
          p1 = permOf(inner);
        if (inner && p1 && p2.every((v, i) => p1[v] === i)) {
          redirect(n.name, inner.input[0]);
          n.input = [];
          n.op = 'NoOp';
          changed = true;
          break;
        }
        continue;
      }
      const t = nodes.get(n.input[0] ?? ''),
        p = permOf(t);
      if (!t || !p || uses.get(t.name) !== 1 || n.input[0] !== t.name || outputs.includes(n.name)) continue;
      if (UNARY.has(n.op)) {
        n.input[0] = t.input[0]!;
      } else if (BINARY.has(n.op) && n.input.length === 2) {
        const other = weightOf.get(n.input[1]);
        if (!other) continue;
        // other' = transpose(expand_to_rank(other), inverse(p)) so that transpose(x op other', p) == transpose(x, p) op other
        const r = p.length,
          shape = [...new Array<number>(r - other.shape.length).fill(1), ...other.shape];
        if (shape.length !== r) continue;
        const inv = p.map((_, i) => p.indexOf(i));
        const moved = transposeData({ onnxType: ONNX.FLOAT, shape, data: readWeight(other) }, inv);
        const name = g.unique(`${other.name}/nhwc`);
        const data =
          other.dtype === 'float32'
            ? new Float32Array(Array.from(moved.data))
            : other.dtype === 'int32'
              ? new Int32Array(Array.from(moved.data))
              : Uint8Array.from(Array.from(moved.data));
        const w: Weight = { name, shape: moved.shape, dtype: other.dtype, bytes: new Uint8Array(data.buffer) };
        g.weights.push(w);
        weightOf.set(name, w);
        const src = nodes.get(other.name)!;
        g.nodes.push({
          name,
          op: 'Const',
          input: [],
          attr: {
            dtype: src.attr.dtype,
            value: {
              tensor: {
                dtype: (src.attr.value as { tensor: { dtype: string } }).tensor.dtype,
                tensorShape: { dim: moved.shape.map((d) => ({ size: String(d) })) },
              },
            },
          },
        });
        n.input = [t.input[0], name];
      } else continue;
      // n now computes in the source layout; a fresh transpose restores the layout its consumers expect
      const moved = g.unique(`${n.name}/t`);
      redirect(n.name, moved);
      g.nodes.push({ name: moved, op: 'Transpose', input: [n.name, t.input[1]], attr: { ...t.attr } });
      t.input = [];
      t.op = 'NoOp';
      changed = true;
      break;
    }
  }
  pruneDead(g, outputs);
  return { transposesBefore: before, transposesAfter: g.nodes.filter((n) => n.op === 'Transpose').length };
}

/** Drops nodes no output depends on (and their weights). */
export function pruneDead(g: TfGraph, outputs: string[]): void {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  const live = new Set<string>();
  const stack = [...outputs];
  while (stack.length) {
    const name = stack.pop()!;
    if (live.has(name)) continue;
    live.add(name);
    for (const i of byName.get(name)?.input ?? []) stack.push(baseName(i));
  }
  const keep = g.nodes.filter((n) => live.has(n.name) || n.op === 'Placeholder');
  g.nodes.splice(0, g.nodes.length, ...keep);
  const w = g.weights.filter((x) => live.has(x.name));
  g.weights.splice(0, g.weights.length, ...w);
}
