/**
 * LSTM, GRU and RNN (forward, reverse, bidirectional; layout 0 and 1; initial states; peepholes; clip) as
 * unrolled graph ops: the input projection X·Wᵀ + b of all time steps is one MatMul, then each step is a
 * MatMul with the recurrence weights and the gate arithmetic (TF.js graph models have no loop form we rely on).
 * - Static sequence length T: exactly T steps; TF.js refuses inputs of another length (placeholder shape).
 * - Run-time length: unrolled for up to `maxSequenceLength` steps (option, default 64); step k reads time
 *   min(k, T−1) (reverse: max(T−1−k, 0)) and the state only moves while k < T (SelectV2), Y is cut to T.
 *   A longer input fails when run (Slice/Fill refuse the negative room) instead of being cut silently.
 */
import { add, constOf, constValue, mul, rank, sub, transpose } from '../build';
import { Unsupported } from '../errors';
import { ONNX, sizeOf, type ConstTensor } from '../tensor';
import { attr, type Dim, type TfGraph, type Value } from '../tf-graph';
import type { Handler, NodeCtx } from './types';

type Kind = 'LSTM' | 'GRU' | 'RNN';
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const DEFAULT_ACTS: Record<Kind, string[]> = { LSTM: ['Sigmoid', 'Tanh', 'Tanh'], GRU: ['Sigmoid', 'Tanh'], RNN: ['Tanh'] };
const TF_ACT: Record<string, string> = { Sigmoid: 'Sigmoid', Tanh: 'Tanh', Relu: 'Relu' };

/** Rows [from, to) of direction d of a constant [D, rows, cols] (or [D, cols]) tensor, as a constant. */
function slab(c: ConstTensor, d: number, from: number, to: number): ConstTensor {
  const rows = c.shape[1],
    inner = sizeOf(c.shape.slice(2));
  const start = (d * rows + from) * inner;
  const data = Float32Array.from(Array.prototype.slice.call(c.data, start, start + (to - from) * inner) as number[]);
  return { onnxType: ONNX.FLOAT, shape: [to - from, ...c.shape.slice(2)], data };
}

function constInput(c: NodeCtx, i: number, what: string): ConstTensor | undefined {
  const v = c.opt(i);
  if (!v) return undefined;
  if (!v.const) throw new Unsupported(`${c.node.opType} ${what} must be a constant (it is computed at run time)`);
  return v.const;
}

class Cell {
  constructor(
    readonly g: TfGraph,
    readonly hint: string,
    readonly acts: string[],
    readonly clip: number | undefined,
  ) {}

  private readonly consts = new Map<ConstTensor, Value>();
  private readonly axis1 = constOf([1], [], 'int32');
  /** One Const node per weight, shared by every time step (a fresh Value would write the weight again). */
  const(w: ConstTensor): Value {
    let v = this.consts.get(w);
    if (!v) this.consts.set(w, (v = constValue(w)));
    return v;
  }
  /** x · wᵀ (w constant [out, in]). */
  matmulT(x: Value, w: ConstTensor): Value {
    return this.g.emit(
      'MatMul',
      [x, this.const(w)],
      { transpose_a: attr.b(false), transpose_b: attr.b(true), T: attr.type('float32') },
      [{ dtype: 'float32', onnxType: ONNX.FLOAT, shape: [x.shape?.[0] ?? null, w.shape[0]] }],
      `${this.hint}/MatMul`,
    )[0];
  }
  act(k: number, x: Value): Value {
    let v = x;
    if (this.clip !== undefined)
      v = this.g.emit('ClipByValue', [v, constOf([-this.clip], [], 'float32'), constOf([this.clip], [], 'float32')], {}, [
        { dtype: 'float32', onnxType: ONNX.FLOAT, shape: x.shape },
      ])[0];
    return this.g.emit(TF_ACT[this.acts[k]], [v], {}, [{ dtype: 'float32', onnxType: ONNX.FLOAT, shape: x.shape }])[0];
  }
  /** LSTM's h(Ct): onnxruntime clips the gate inputs, not the cell state. */
  actNoClip(k: number, x: Value): Value {
    return this.g.emit(TF_ACT[this.acts[k]], [x], {}, [{ dtype: 'float32', onnxType: ONNX.FLOAT, shape: x.shape }])[0];
  }
  split(x: Value, n: number, h: number): Value[] {
    if (n === 1) return [x];
    return this.g.emit(
      'Split',
      [this.axis1, x],
      { num_split: attr.i(n) },
      Array.from({ length: n }, () => ({ dtype: 'float32' as const, onnxType: ONNX.FLOAT, shape: [x.shape?.[0] ?? null, h] })),
      `${this.hint}/Split`,
    );
  }
}

function pack(g: TfGraph, xs: Value[], axis: number, hint: string): Value {
  const s = xs[0].shape;
  const shape = s ? [...s.slice(0, axis), xs.length, ...s.slice(axis)] : undefined;
  return g.emit(
    'Pack',
    xs,
    { N: attr.i(xs.length), axis: attr.i(axis), T: attr.type('float32') },
    [{ dtype: 'float32', onnxType: ONNX.FLOAT, shape }],
    hint,
  )[0];
}

function recurrent(kind: Kind): Handler {
  return (c) => {
    let x = c.in(0);
    if (x.dtype !== 'float32') throw new Unsupported(`${kind} input must be float`);
    if (rank(x) !== 3) throw new Unsupported(`${kind} input must be rank 3`);
    const layout = c.int('layout', 0);
    if (layout === 1) x = transpose(c.g, x, [1, 0, 2]);
    const T = x.shape![0];
    const N: Dim = x.shape![1];
    // S steps are unrolled: T when static; else up to maxSequenceLength, each step after the first masked by t < T
    const S = T ?? c.settings.maxSequenceLength;
    const dyn = T === null ? dynamicSteps(c, x, S) : undefined;
    c.note(
      T === null
        ? `${c.name}: ${kind} over a run-time sequence length, unrolled for up to ${S} steps (longer sequences fail when run)`
        : `${c.name}: ${kind} unrolled over ${T} time steps; TF.js refuses inputs of another sequence length`,
    );
    const direction = c.str('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(direction))
      throw new Unsupported(`direction '${direction}' is not an ONNX direction`);
    const D = direction === 'bidirectional' ? 2 : 1;
    const W = constInput(c, 1, 'W')!,
      R = constInput(c, 2, 'R')!,
      B = constInput(c, 3, 'B');
    if (!W || !R) throw new Unsupported(`${kind} needs W and R`);
    const G = GATES[kind],
      H = c.int('hidden_size', R.shape[2]);
    const seqLens = c.opt(4);
    if (seqLens) {
      if (!seqLens.const) throw new Unsupported(`${kind} sequence_lens computed at run time is not supported (absent or full length only)`);
      if (Array.from(seqLens.const.data).some((v) => v !== T))
        throw new Unsupported(`${kind} sequence_lens shorter than the sequence (padding inside a batch) is not supported`);
    }
    if (kind === 'LSTM' && c.int('input_forget', 0) === 1) throw new Unsupported('LSTM input_forget=1 is not supported');
    const acts = c.node.attribute.find((a) => a.name === 'activations')
      ? c
          .str('activations', '')
          .split(',')
          .map((s) => s.trim())
      : [];
    const perDir = DEFAULT_ACTS[kind].length;
    const actList = acts.length ? acts : [...DEFAULT_ACTS[kind], ...DEFAULT_ACTS[kind]];
    for (const a of actList)
      if (!TF_ACT[a]) throw new Unsupported(`${kind} activation '${a}' is not supported (Sigmoid, Tanh and Relu are)`);
    if (c.node.attribute.some((a) => a.name === 'activation_alpha' || a.name === 'activation_beta'))
      throw new Unsupported(`${kind} activation_alpha/beta are not supported`);
    const clip = c.node.attribute.some((a) => a.name === 'clip') ? c.float('clip', 0) : undefined;
    const lbr = c.int('linear_before_reset', 0) === 1;
    // initial states [D, N, H] (layout 1: [N, D, H])
    const state = (v: Value | undefined) => (v && layout === 1 ? transpose(c.g, v, [1, 0, 2]) : v);
    const h0 = state(c.opt(5)),
      c0 = state(kind === 'LSTM' ? c.opt(6) : undefined);
    const P = kind === 'LSTM' ? constInput(c, 7, 'P (peepholes)') : undefined;
    const I = W.shape[2];
    // all time steps' input projection at once: [T·N, I] · Wᵀ
    const flat = dyn
      ? x
      : N === null
        ? c.g.emit('Reshape', [x, constOf([-1, I], [2], 'int32')], {}, [{ dtype: 'float32', onnxType: ONNX.FLOAT, shape: [null, I] }])[0]
        : c.g.emit('Reshape', [x, constOf([T! * N, I], [2], 'int32')], {}, [
            { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [T! * N, I] },
          ])[0];
    const ys: Value[] = [],
      hs: Value[] = [],
      cs: Value[] = [];
    for (let d = 0; d < D; d++) {
      const reverse = direction === 'reverse' || d === 1;
      const cell = new Cell(c.g, c.hint(D === 2 ? (d ? '/bw' : '/fw') : ''), actList.slice(d * perDir, d * perDir + perDir), clip);
      const Wd = slab(W, d, 0, G * H),
        Rd = slab(R, d, 0, G * H);
      // biases folded into the input projection: Wb + Rb, except GRU's Rbh with linear_before_reset (inside r ⊙ …)
      const bias = new Float32Array(G * H);
      let rbh: ConstTensor | undefined;
      if (B) {
        const b = slab({ ...B, shape: [B.shape[0], B.shape[1], 1] }, d, 0, 2 * G * H).data;
        for (let j = 0; j < G * H; j++) bias[j] = b[j] + (kind === 'GRU' && lbr && j >= 2 * H ? 0 : b[G * H + j]);
        if (kind === 'GRU' && lbr)
          rbh = { onnxType: ONNX.FLOAT, shape: [H], data: Float32Array.from(Array.prototype.slice.call(b, 5 * H, 6 * H) as number[]) };
      }
      let xw: Value;
      if (dyn) {
        // [T, N, I] · Wᵀ, then the S steps in processing order (clamped indices; steps past T are masked)
        xw = c.g.emit('BatchMatMulV2', [x, cell.const(Wd)], { adj_x: attr.b(false), adj_y: attr.b(true), T: attr.type('float32') }, [
          { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [null, N, G * H] },
        ])[0];
        xw = add(c.g, xw, constOf(bias, [G * H], 'float32'));
        xw = c.g.emit('GatherV2', [xw, reverse ? dyn.revIdx : dyn.fwdIdx, constOf([0], [], 'int32')], { batch_dims: attr.i(0) }, [
          { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [S, N, G * H] },
        ])[0];
      } else {
        xw = add(c.g, cell.matmulT(flat, Wd), constOf(bias, [G * H], 'float32'));
        xw = c.g.emit('Reshape', [xw, constOf([S, -1, G * H], [3], 'int32')], {}, [
          { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [S, N, G * H] },
        ])[0];
      }
      const steps =
        S === 1
          ? [
              c.g.emit('Squeeze', [xw], { squeeze_dims: attr.ints([0]) }, [
                { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [N, G * H] },
              ])[0],
            ]
          : c.g.emit(
              'Unpack',
              [xw],
              { num: attr.i(S), axis: attr.i(0), T: attr.type('float32') },
              Array.from({ length: S }, () => ({ dtype: 'float32' as const, onnxType: ONNX.FLOAT, shape: [N, G * H] })),
              `${cell.hint}/Unpack`,
            );
      const stateAt = (v: Value | undefined): Value | undefined =>
        v &&
        c.g.emit('GatherV2', [v, constOf([d], [], 'int32'), constOf([0], [], 'int32')], { batch_dims: attr.i(0) }, [
          { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [N, H] },
        ])[0];
      let hPrev = stateAt(h0),
        cPrev = stateAt(c0);
      const peep =
        P && [0, 1, 2].map((k) => constValue(slab({ ...P, shape: [P.shape[0], P.shape[1], 1] }, d, k * H, (k + 1) * H), 'float32'));
      const outs: Value[] = new Array<Value>(S);
      // GRU recurrence weights: z and r gates together, h separately (it multiplies r ⊙ H with linear_before_reset=0)
      const rzr = slab({ ...Rd, shape: [1, ...Rd.shape] }, 0, 0, 2 * H),
        rh = slab({ ...Rd, shape: [1, ...Rd.shape] }, 0, 2 * H, 3 * H);
      const one = constOf([1], [], 'float32');
      for (let k = 0; k < S; k++) {
        // static: steps in time order, step k handles t; dynamic: steps already gathered in processing order
        const t = dyn ? k : reverse ? S - 1 - k : k;
        const xt = steps[t];
        const hOld = hPrev,
          cOld = cPrev;
        if (kind === 'LSTM') {
          const pre = hPrev ? add(c.g, xt, cell.matmulT(hPrev, Rd)) : xt;
          const parts = cell.split(pre, 4, H),
            gc = parts[3];
          let [gi, go, gf] = parts;
          if (peep && cPrev) {
            gi = add(c.g, gi, mul(c.g, peep[0], cPrev));
            gf = add(c.g, gf, mul(c.g, peep[2], cPrev));
          }
          const i = cell.act(0, gi),
            f = cell.act(0, gf),
            cc = cell.act(1, gc);
          const ct = cPrev ? add(c.g, mul(c.g, f, cPrev), mul(c.g, i, cc)) : mul(c.g, i, cc);
          if (peep) go = add(c.g, go, mul(c.g, peep[1], ct));
          const o = cell.act(0, go);
          hPrev = mul(c.g, o, cell.actNoClip(2, ct));
          cPrev = ct;
        } else if (kind === 'GRU') {
          const [xz, xr, xh] = cell.split(xt, 3, H);
          let z: Value, r: Value, hh: Value;
          if (!hPrev) {
            z = cell.act(0, xz);
            r = cell.act(0, xr);
            // H_{t-1} = 0: r ⊙ (0·Rhᵀ + Rbh) = r ⊙ Rbh; (r ⊙ 0)·Rhᵀ = 0
            hh = cell.act(1, rbh ? add(c.g, xh, mul(c.g, r, cell.const(rbh))) : xh);
            hPrev = mul(c.g, sub(c.g, one, z), hh);
          } else {
            const [hz, hr] = cell.split(cell.matmulT(hPrev, rzr), 2, H);
            z = cell.act(0, add(c.g, xz, hz));
            r = cell.act(0, add(c.g, xr, hr));
            const rec = lbr
              ? mul(c.g, r, rbh ? add(c.g, cell.matmulT(hPrev, rh), cell.const(rbh)) : cell.matmulT(hPrev, rh))
              : cell.matmulT(mul(c.g, r, hPrev), rh);
            hh = cell.act(1, add(c.g, xh, rec));
            // (1 − z) ⊙ h̃ + z ⊙ H_{t-1}
            hPrev = add(c.g, mul(c.g, sub(c.g, one, z), hh), mul(c.g, z, hPrev));
          }
        } else {
          hPrev = cell.act(0, hPrev ? add(c.g, xt, cell.matmulT(hPrev, Rd)) : xt);
        }
        if (dyn && k > 0) {
          // past the run-time length the state stays as it was
          hPrev = select(c.g, dyn.active[k], hPrev, hOld!);
          if (cPrev && cOld) cPrev = select(c.g, dyn.active[k], cPrev, cOld);
        }
        outs[t] = hPrev!;
      }
      if (dyn) {
        // Y in time order, cut to the run-time length (a longer input than S fails here, and in the Y_h guard)
        let y = pack(c.g, outs, 0, `${cell.hint}/Y`);
        if (reverse)
          y = c.g.emit('GatherV2', [y, dyn.revIdx, constOf([0], [], 'int32')], { batch_dims: attr.i(0) }, [
            { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [S, N, H] },
          ])[0];
        ys.push(
          c.g.emit('Slice', [y, constOf([0, 0, 0], [3], 'int32'), dyn.sliceSize], { Index: attr.type('int32') }, [
            { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [null, N, H] },
          ])[0],
        );
        hs.push(add(c.g, hPrev!, dyn.guard));
        if (cPrev) cs.push(cPrev);
        continue;
      }
      ys.push(
        S === 1
          ? c.g.emit('ExpandDims', [outs[0], constOf([0], [], 'int32')], {}, [
              { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [1, N, H] },
            ])[0]
          : pack(c.g, outs, 0, `${cell.hint}/Y`),
      );
      hs.push(hPrev!);
      if (cPrev) cs.push(cPrev);
    }
    // Y [T, D, N, H], Y_h / Y_c [D, N, H] (layout 1: Y [N, T, D, H], Y_h [N, D, H])
    let Y = pack(c.g, ys, 1, c.hint('/Y'));
    let Yh = pack(c.g, hs, 0, c.hint('/Y_h'));
    let Yc = cs.length ? pack(c.g, cs, 0, c.hint('/Y_c')) : undefined;
    if (layout === 1) {
      Y = transpose(c.g, Y, [2, 0, 1, 3]);
      Yh = transpose(c.g, Yh, [1, 0, 2]);
      Yc = Yc && transpose(c.g, Yc, [1, 0, 2]);
    }
    return [Y, Yh, Yc];
  };
}

const select = (g: TfGraph, cond: Value, a: Value, b: Value): Value =>
  g.emit('SelectV2', [cond, a, b], {}, [{ dtype: 'float32', onnxType: ONNX.FLOAT, shape: a.shape }])[0];

/** Run-time pieces for a sequence of run-time length T unrolled over S steps. */
function dynamicSteps(c: NodeCtx, x: Value, S: number) {
  const g = c.g,
    i32 = (shape: Dim[]) => [{ dtype: 'int32' as const, onnxType: ONNX.INT64, shape }];
  const shape = g.emit('Shape', [x], { out_type: attr.type('int32') }, i32([3]))[0];
  const T = g.emit(
    'StridedSlice',
    [shape, constOf([0], [1], 'int32'), constOf([1], [1], 'int32'), constOf([1], [1], 'int32')],
    {
      begin_mask: attr.i(0),
      end_mask: attr.i(0),
      ellipsis_mask: attr.i(0),
      new_axis_mask: attr.i(0),
      shrink_axis_mask: attr.i(1),
      Index: attr.type('int32'),
    },
    i32([]),
  )[0];
  const range = constOf(
    Array.from({ length: S }, (_, k) => k),
    [S],
    'int32',
  );
  const last = sub(g, T, constOf([1], [], 'int32'));
  // forward step k reads min(k, T−1); reverse step k reads max(T−1−k, 0)
  const fwdIdx = g.emit('Minimum', [range, last], {}, i32([S]))[0];
  const revIdx = g.emit('Maximum', [sub(g, last, range), constOf([0], [], 'int32')], {}, i32([S]))[0];
  const mask = g.emit('Less', [range, T], {}, [{ dtype: 'bool', onnxType: ONNX.BOOL, shape: [S] }])[0];
  const active = g.emit(
    'Unpack',
    [mask],
    { num: attr.i(S), axis: attr.i(0), T: attr.type('bool') },
    Array.from({ length: S }, () => ({ dtype: 'bool' as const, onnxType: ONNX.BOOL, shape: [] })),
  );
  const sliceSize = g.emit(
    'ConcatV2',
    [g.emit('ExpandDims', [T, constOf([0], [], 'int32')], {}, i32([1]))[0], constOf([-1, -1], [2], 'int32'), constOf([0], [], 'int32')],
    { N: attr.i(2), Tidx: attr.type('int32') },
    i32([3]),
  )[0];
  // 0, computed from Fill([S − T + 1]): TF.js refuses a negative size, so a sequence longer than S fails instead of being cut
  const room = g.emit('ExpandDims', [sub(g, constOf([S + 1], [], 'int32'), T), constOf([0], [], 'int32')], {}, i32([1]))[0];
  const zeros = g.emit('Fill', [room, constOf([0], [], 'float32')], { index_type: attr.type('int32') }, [
    { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [null] },
  ])[0];
  const guard = g.emit('Sum', [zeros, constOf([0], [1], 'int32')], { keep_dims: attr.b(false), Tidx: attr.type('int32') }, [
    { dtype: 'float32', onnxType: ONNX.FLOAT, shape: [] },
  ])[0];
  return { fwdIdx, revIdx, active, sliceSize, guard };
}

export const RNN_OPS: Record<string, Handler> = {
  LSTM: recurrent('LSTM'),
  GRU: recurrent('GRU'),
  RNN: recurrent('RNN'),
};
