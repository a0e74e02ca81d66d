/** Elementwise ONNX ops: math, activations, comparisons, logic, Cast, Clip, Where. */
import { add, binary, cast, div, isConst, mul, scalarLike, sub, unary } from '../build';
import { Unsupported } from '../errors';
import { tfDtypeOf } from '../tensor';
import type { TfGraph, Value } from '../tf-graph';
import type { Handler, NodeCtx } from './types';

/** erf for folding constants: the Numerical Recipes erfc fit (relative error < 1.2e-7, below float32 precision). */
const erf = (x: number) => {
  const t = 1 / (1 + 0.5 * Math.abs(x));
  const y =
    1 -
    t *
      Math.exp(
        -x * x -
          1.26551223 +
          t *
            (1.00002368 +
              t *
                (0.37409196 +
                  t *
                    (0.09678418 +
                      t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
      );
  return x >= 0 ? y : -y;
};

const floatOnly = (c: NodeCtx, x: Value) => {
  if (x.dtype !== 'float32') throw new Unsupported(`${c.node.opType} on ${x.dtype} tensors is not supported by TF.js`);
  return x;
};
const u =
  (op: string, js?: (x: number) => number, needFloat = true): Handler =>
  (c) =>
    unary(c.g, op, needFloat ? floatOnly(c, c.in(0)) : c.in(0), js);

/** ONNX elementwise binary ops need same dtypes; TF.js does too. Pow's exponent may differ (cast it). */
const b =
  (op: string, js?: (a: number, b: number) => number): Handler =>
  (c) =>
    binary(c.g, op, c.in(0), c.in(1), js);
const cmp =
  (op: string, js: (a: number, b: number) => boolean): Handler =>
  (c) =>
    binary(c.g, op, c.in(0), c.in(1), (x, y) => (js(x, y) ? 1 : 0), 'bool');

const where = (g: TfGraph, cond: Value, a: Value, bb: Value) => {
  if (isConst(cond) && isConst(a) && isConst(bb))
    return g.emit('SelectV2', [cond, a, bb], {}, [{ dtype: a.dtype, onnxType: a.onnxType, shape: undefined }])[0];
  const shape = cond.shape && a.shape && bb.shape ? broadcast3(cond, a, bb) : undefined;
  return g.emit('SelectV2', [cond, a, bb], {}, [{ dtype: a.dtype, onnxType: a.onnxType, shape }])[0];
};
function broadcast3(x: Value, y: Value, z: Value) {
  const r = Math.max(x.shape!.length, y.shape!.length, z.shape!.length);
  return Array.from({ length: r }, (_, i) => {
    const ds = [x, y, z].map((v) => {
      const j = v.shape!.length - r + i;
      return j < 0 ? 1 : v.shape![j]!;
    });
    return ds.find((d) => d !== 1) === undefined ? 1 : ds.some((d) => d === null) ? null : ds.find((d) => d !== 1)!;
  });
}
export { where };

const gt0 = (g: TfGraph, x: Value) => binary(g, 'Greater', x, scalarLike(x, 0), (a, bb) => (a > bb ? 1 : 0), 'bool');
const expm1 = (g: TfGraph, x: Value) => unary(g, 'Expm1', x, Math.expm1);

/** n-ary Max/Min/Sum/Mean: a chain of binary ops. */
const variadic =
  (op: string, js: (a: number, b: number) => number, mean = false): Handler =>
  (c) => {
    const xs = c.inputs.filter((v): v is Value => !!v);
    let acc = xs[0];
    for (const x of xs.slice(1)) acc = binary(c.g, op, acc, x, js);
    return mean ? div(c.g, acc, scalarLike(acc, xs.length)) : acc;
  };

function clip(c: NodeCtx): Value {
  const x = c.in(0);
  let lo: Value | undefined, hi: Value | undefined;
  if (c.opset < 11) {
    lo = c.has('min') ? scalarLike(x, c.float('min', 0)) : undefined;
    hi = c.has('max') ? scalarLike(x, c.float('max', 0)) : undefined;
  } else {
    lo = c.opt(1);
    hi = c.opt(2);
  }
  let y = x;
  if (lo) y = binary(c.g, 'Maximum', y, lo, Math.max);
  if (hi) y = binary(c.g, 'Minimum', y, hi, Math.min);
  return y === x ? unary(c.g, 'Identity', x, (v) => v) : y;
}

function castTo(c: NodeCtx, onnxType: number): Value {
  const x = c.in(0);
  const to = tfDtypeOf(onnxType);
  // TF.js Cast float→int truncates like ONNX; float→bool is x != 0 in both.
  return cast(c.g, x, to, onnxType);
}

function mod(c: NodeCtx): Value {
  const a = c.in(0),
    bb = c.in(1);
  if (c.int('fmod', 0) === 1 || a.dtype === 'float32') {
    // C fmod (sign of the dividend): a - trunc(a / b) * b, computed in float32.
    const af = cast(c.g, a, 'float32'),
      bf = cast(c.g, bb, 'float32');
    const r = sub(c.g, af, mul(c.g, truncDiv(c.g, af, bf), bf));
    return cast(c.g, r, a.dtype, a.onnxType);
  }
  return binary(c.g, 'FloorMod', a, bb, (x, y) => x - Math.floor(x / y) * y);
}

/** trunc(a / b) in float32 (ONNX integer Div truncates; TF.js int Div floors). */
function truncDiv(g: TfGraph, a: Value, bb: Value): Value {
  const q = binary(g, 'RealDiv', a, bb, (x, y) => x / y);
  return mul(g, unary(g, 'Sign', q, Math.sign), unary(g, 'Floor', unary(g, 'Abs', q, Math.abs), Math.floor));
}

function intDiv(c: NodeCtx): Value {
  const a = c.in(0),
    bb = c.in(1);
  if (a.dtype !== 'int32') return div(c.g, a, bb);
  return cast(c.g, truncDiv(c.g, cast(c.g, a, 'float32'), cast(c.g, bb, 'float32')), 'int32', a.onnxType);
}

function pow(c: NodeCtx): Value {
  const x = c.in(0);
  const y = c.in(1).dtype === x.dtype ? c.in(1) : cast(c.g, c.in(1), x.dtype);
  return binary(c.g, 'Pow', x, y, Math.pow);
}

function isInf(c: NodeCtx): Value {
  const x = c.in(0),
    pos = c.int('detect_positive', 1),
    neg = c.int('detect_negative', 1);
  const inf = unary(c.g, 'IsInf', x, (v) => (Math.abs(v) === Infinity ? 1 : 0), {}, 'bool');
  if (pos && neg) return inf;
  if (!pos && !neg) return binary(c.g, 'NotEqual', x, x, () => 0, 'bool'); // all false (x != x is false except NaN)
  const side = binary(c.g, pos ? 'Greater' : 'Less', x, scalarLike(x, 0), (a, bb) => ((pos ? a > bb : a < bb) ? 1 : 0), 'bool');
  return binary(c.g, 'LogicalAnd', inf, side, (a, bb) => (a && bb ? 1 : 0), 'bool');
}

export const ELEMENTWISE: Record<string, Handler> = {
  Abs: u('Abs', Math.abs, false),
  Neg: u('Neg', (x) => -x, false),
  Sign: u('Sign', Math.sign, false),
  Acos: u('Acos', Math.acos),
  Acosh: u('Acosh', Math.acosh),
  Asin: u('Asin', Math.asin),
  Asinh: u('Asinh', Math.asinh),
  Atan: u('Atan', Math.atan),
  Atanh: u('Atanh', Math.atanh),
  Cos: u('Cos', Math.cos),
  Cosh: u('Cosh', Math.cosh),
  Sin: u('Sin', Math.sin),
  Sinh: u('Sinh', Math.sinh),
  Tan: u('Tan', Math.tan),
  Tanh: u('Tanh', Math.tanh),
  Ceil: u('Ceil', Math.ceil),
  Floor: u('Floor', Math.floor),
  Round: u('Round'),
  Erf: u('Erf', erf),
  Exp: u('Exp', Math.exp),
  Log: u('Log', Math.log),
  Sqrt: u('Sqrt', Math.sqrt),
  Reciprocal: u('Reciprocal', (x) => 1 / x),
  Relu: u('Relu', (x) => Math.max(0, x), false),
  Sigmoid: u('Sigmoid', (x) => 1 / (1 + Math.exp(-x))),
  Softplus: u('Softplus', (x) => Math.log1p(Math.exp(x))),
  Softsign: (c) => div(c.g, c.in(0), add(c.g, unary(c.g, 'Abs', c.in(0), Math.abs), scalarLike(c.in(0), 1))),
  Not: (c) => unary(c.g, 'LogicalNot', c.in(0), (x) => (x ? 0 : 1)),
  IsNaN: (c) => unary(c.g, 'IsNan', c.in(0), (x) => (Number.isNaN(x) ? 1 : 0), {}, 'bool'),
  IsInf: isInf,
  Identity: (c) => c.in(0),
  Dropout: (c) => {
    // Inference: identity. The optional mask output is all true.
    const x = c.in(0),
      training = c.opt(2);
    if (training && !(isConst(training) && !training.const.data[0]))
      throw new Unsupported('Dropout in training mode is random; export the model in eval mode');
    if (c.node.output.length > 1 && c.node.output[1]) {
      const ones = binary(c.g, 'Equal', x, x, () => 1, 'bool');
      return [x, ones];
    }
    return x;
  },
  Add: b('AddV2', (x, y) => x + y),
  Sub: b('Sub', (x, y) => x - y),
  Mul: b('Mul', (x, y) => x * y),
  Div: intDiv,
  Pow: pow,
  Mod: mod,
  Max: variadic('Maximum', Math.max),
  Min: variadic('Minimum', Math.min),
  Sum: variadic('AddV2', (x, y) => x + y),
  Mean: variadic('AddV2', (x, y) => x + y, true),
  Equal: cmp('Equal', (x, y) => x === y),
  Greater: cmp('Greater', (x, y) => x > y),
  Less: cmp('Less', (x, y) => x < y),
  GreaterOrEqual: cmp('GreaterEqual', (x, y) => x >= y),
  LessOrEqual: cmp('LessEqual', (x, y) => x <= y),
  And: cmp('LogicalAnd', (x, y) => !!x && !!y),
  Or: cmp('LogicalOr', (x, y) => !!x || !!y),
  Xor: cmp('NotEqual', (x, y) => !!x !== !!y),
  Where: (c) => where(c.g, c.in(0), c.in(1), c.in(2)),
  Cast: (c) => castTo(c, c.int('to', 1)),
  CastLike: (c) => castTo(c, c.in(1).onnxType),
  Clip: clip,
  LeakyRelu: (c) => {
    const x = floatOnly(c, c.in(0));
    const a = c.float('alpha', 0.01);
    return c.g.emit('LeakyRelu', [x], { alpha: { f: a } }, [{ dtype: x.dtype, onnxType: x.onnxType, shape: x.shape }])[0];
  },
  Elu: (c) => {
    const x = floatOnly(c, c.in(0));
    const a = c.float('alpha', 1);
    return where(c.g, gt0(c.g, x), x, mul(c.g, expm1(c.g, x), scalarLike(x, a)));
  },
  Selu: (c) => {
    const x = floatOnly(c, c.in(0)),
      a = c.float('alpha', 1.67326319217681884765625),
      gm = c.float('gamma', 1.05070102214813232421875);
    return mul(c.g, where(c.g, gt0(c.g, x), x, mul(c.g, expm1(c.g, x), scalarLike(x, a))), scalarLike(x, gm));
  },
  Celu: (c) => {
    const x = floatOnly(c, c.in(0)),
      a = c.float('alpha', 1);
    return where(c.g, gt0(c.g, x), x, mul(c.g, expm1(c.g, div(c.g, x, scalarLike(x, a))), scalarLike(x, a)));
  },
  ThresholdedRelu: (c) => {
    const x = c.in(0);
    const t = binary(c.g, 'Greater', x, scalarLike(x, c.float('alpha', 1)), (p, q) => (p > q ? 1 : 0), 'bool');
    return where(c.g, t, x, scalarLike(x, 0));
  },
  HardSigmoid: (c) => hardSigmoid(c.g, c.in(0), c.float('alpha', 0.2), c.float('beta', 0.5)),
  HardSwish: (c) => mul(c.g, c.in(0), hardSigmoid(c.g, c.in(0), 1 / 6, 0.5)),
  PRelu: (c) => {
    const x = c.in(0),
      slope = c.in(1);
    return where(
      c.g,
      binary(c.g, 'Less', x, scalarLike(x, 0), (p, q) => (p < q ? 1 : 0), 'bool'),
      mul(c.g, x, slope),
      x,
    );
  },
  Shrink: (c) => {
    const x = c.in(0),
      l = c.float('lambd', 0.5),
      bias = c.float('bias', 0);
    const lo = binary(c.g, 'Less', x, scalarLike(x, -l), (p, q) => (p < q ? 1 : 0), 'bool');
    const hi = binary(c.g, 'Greater', x, scalarLike(x, l), (p, q) => (p > q ? 1 : 0), 'bool');
    return where(c.g, lo, add(c.g, x, scalarLike(x, bias)), where(c.g, hi, sub(c.g, x, scalarLike(x, bias)), scalarLike(x, 0)));
  },
};

function hardSigmoid(g: TfGraph, x: Value, alpha: number, beta: number): Value {
  const lin = add(g, mul(g, x, scalarLike(x, alpha)), scalarLike(x, beta));
  return binary(g, 'Minimum', binary(g, 'Maximum', lin, scalarLike(x, 0), Math.max), scalarLike(x, 1), Math.min);
}
