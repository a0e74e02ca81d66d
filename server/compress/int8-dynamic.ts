/**
 * int8 dynamic quantisation of MatMul/Gemm in the form ONNX Runtime's own quantizer emits (and its CPU
 * provider fuses into `com.microsoft:DynamicQuantizeMatMul`):
 *
 *   x ─DynamicQuantizeLinear─► x_q (uint8), x_scale, x_zp
 *   MatMulInteger(x_q, W_q int8, x_zp, W_zp = 0) ─Cast(float)─► Mul(·, x_scale · W_scale) [─Add(bias)─►]
 *
 * Gemm becomes MatMul + Add (transB folded into the stored weight, alpha into the weight scale, beta into
 * the bias). Weights are symmetric int8 (scale = absmax/127, zero point 0), per tensor or per output
 * column. The activation zero point stays a scalar: ORT's CPU kernel refuses a per-row one.
 *
 * Convolutions, LSTM/GRU/RNN weights and embedding tables (Gather on a stored matrix) get weight-only
 * int8 instead (DequantizeLinear, one scale per output channel / gate row / table row), which onnxruntime
 * folds at load time with `session.disable_quant_qdq=1`: float32 arithmetic, ~4× smaller file. Why not
 * ConvInteger (DynamicQuantizeLinear + ConvInteger with int8 per-channel weights, the form onnxruntime's
 * dynamic quantizer emits for Conv): onnxruntime-node 1.30 runs it, but measured on a ResNet-style CNN
 * on a Xeon with AVX-512 VNNI it took 16× the float32 time at batch 1 and 32 (MobileNet-style: 28×),
 * while weight-only ran at 0.9–1.1× float32 — and 4–5× slower without `disable_quant_qdq`, because
 * onnxruntime then dequantises on every run. LSTM/GRU: weight-only rather than the contrib
 * `DynamicQuantizeLSTM`, so the recurrence stays float32 (no per-step activation rounding).
 */
import type { OnnxModel, OnnxNode } from '../model/index';
import {
  CompressError,
  constantInitializers,
  defaultOpset,
  dropUnusedInitializers,
  inlineInitializerIdentities,
  elementCount,
  FLOAT,
  gemmAttributes,
  INT8,
  makeNode,
  makeTensor,
  nameFactory,
  nodeLabel,
  readFloats,
  transpose,
  type TensorProto,
} from './graph';
import { QDQ_NOTE, QDQ_SESSION_CONFIG, weightOnlyDetail, weightOnlyWriter } from './int8-weights';
import { describeShare, noQuantizableOps, weightShare } from './share';
import type { NodeReport, RewriteOutcome } from './types';
import {
  DEFAULT_MIN_WEIGHTS,
  findWeight,
  isSlot,
  quantizeSymmetric,
  tooSmall,
  weightOnlySlots,
  WEIGHT_ONLY_OPS,
  type WeightSlot,
} from './weights';

export interface Int8DynamicOptions {
  perChannel: boolean;
  /**
   * Weights quantised per column even when `perChannel` is off: Gemms a BatchNormalization was folded
   * into (fold-batchnorm.ts), whose columns the BN scale spreads apart (tabular MLP, 4096 standardised
   * rows: argmax agreement 98.7 % per tensor → 99.2 % per column, row alone and batched).
   */
  perColumnWeights?: ReadonlySet<string>;
  /**
   * 7-bit weights (±63), ORT's `reduce_range`. Default true: on x86 CPUs without VNNI, ORT's u8s8 kernels
   * add pairs of uint8×int8 products in int16 with saturation, and single-row runs (the served path: the
   * host turns batching off for these models) measured up to 0.17 off on the 512-wide MLP with 8-bit
   * weights vs 0.005 with 7-bit ones.
   */
  reduceRange?: boolean;
  minWeights?: number;
}

export function rewriteInt8Dynamic(model: OnnxModel, options: Int8DynamicOptions): RewriteOutcome {
  const graph = model.graph!;
  const opset = defaultOpset(model);
  if (opset < 11)
    throw new CompressError(
      `int8 dynamic quantisation needs opset 11 or newer (DynamicQuantizeLinear); this model ` +
        `imports opset ${opset}. Re-export it with opset 13.`,
    );
  const minWeights = options.minWeights ?? DEFAULT_MIN_WEIGHTS;
  const reduceRange = options.reduceRange ?? true;
  inlineInitializerIdentities(graph);
  const initializers = constantInitializers(graph);
  const fresh = nameFactory(graph);
  const nodes: NodeReport[] = [];
  const added: TensorProto[] = [];
  const out: OnnxNode[] = [];
  const quantizedInputs = new Map<string, [string, string, string]>();
  const quantizedWeights = new Map<string, { q: string; scale: string; zp: string }>();
  const weightOnly = weightOnlyWriter(graph, added, out, fresh);
  const quantized = weightOnly.quantized;
  // One scale per output channel / gate row / table row: per tensor loses depthwise convolutions.
  const weightOnlyAxis = (slot: WeightSlot) => (opset >= 13 ? slot.outputAxis : null);
  let weightOnlyCount = 0;
  const original = graph.node;

  original.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const skip = (detail: string) => {
      nodes.push({ node: label, op: node.opType, action: 'skipped', detail });
      out.push(node);
    };
    if (WEIGHT_ONLY_OPS.has(node.opType)) {
      const found = weightOnlySlots(node, initializers);
      if (!Array.isArray(found)) {
        if (node.opType === 'Gather') {
          nodes.push({ node: label, op: node.opType, action: 'left', detail: found.reason });
          out.push(node);
          return;
        }
        return skip(found.reason);
      }
      const small = found.map((s) => tooSmall(s, minWeights)).find(Boolean);
      if (small) return skip(small);
      const replaced = new Map(found.map((slot) => [slot.input, weightOnly.dequantize(slot, weightOnlyAxis(slot))]));
      for (const slot of found) if (!quantized.has(slot.weight.name!)) quantized.set(slot.weight.name!, node.opType);
      out.push({ ...node, input: node.input.map((x, i) => replaced.get(i) ?? x) });
      nodes.push({ node: label, op: node.opType, action: 'rewritten', detail: weightOnlyDetail(node, found, weightOnlyAxis) });
      weightOnlyCount++;
      return;
    }
    if (node.opType !== 'MatMul' && node.opType !== 'Gemm') {
      nodes.push({ node: label, op: node.opType, action: 'left', detail: 'no weights to quantise' });
      out.push(node);
      return;
    }
    const slot = findWeight(node, initializers);
    if (!isSlot(slot)) return skip(slot.reason);
    const small = tooSmall(slot, minWeights);
    if (small) return skip(small);
    const gemm = node.opType === 'Gemm' ? gemmAttributes(node) : null;
    if (gemm?.transA) return skip('Gemm with transA=1 (transposed input) is not rewritten');
    const bias = gemm ? node.input[2] : undefined;
    if (bias && gemm!.beta !== 1 && !initializers.has(bias)) return skip('Gemm with beta≠1 and a bias computed at run time');

    // The weight as MatMulInteger wants it: [K, N], quantised along N when per channel.
    const [rows, cols] = slot.dims as [number, number];
    let values = readFloats(slot.weight);
    let k = rows;
    let n = cols;
    if (gemm?.transB) {
      values = transpose(values, rows, cols);
      k = cols;
      n = rows;
    }
    const perColumn = options.perChannel || !!options.perColumnWeights?.has(slot.weight.name!);
    const key = `${slot.weight.name}|${gemm?.transB ?? 0}|${gemm?.alpha ?? 1}`;
    let w = quantizedWeights.get(key);
    if (!w) {
      const { q, scales } = quantizeSymmetric(values, [k, n], perColumn ? 1 : null, reduceRange ? 63 : 127);
      const alpha = gemm?.alpha ?? 1;
      if (alpha !== 1) for (let i = 0; i < scales.length; i++) scales[i] = scales[i] * alpha;
      const base = slot.weight.name!;
      w = { q: fresh(`${base}_quantized`), scale: fresh(`${base}_scale`), zp: fresh(`${base}_zero_point`) };
      const scaleDims = perColumn ? [n] : [];
      added.push(
        makeTensor(w.q, INT8, [k, n], q),
        makeTensor(w.scale, FLOAT, scaleDims, scales),
        makeTensor(w.zp, INT8, scaleDims, new Int8Array(perColumn ? n : 1)),
      );
      quantizedWeights.set(key, w);
      if (!quantized.has(slot.weight.name!)) quantized.set(slot.weight.name!, node.opType);
    }

    const input = node.input[0];
    let xq = quantizedInputs.get(input);
    if (!xq) {
      xq = [fresh(`${input}_quantized`), fresh(`${input}_scale`), fresh(`${input}_zero_point`)];
      out.push(makeNode('DynamicQuantizeLinear', [input], xq, fresh(`${input}_QuantizeLinear`)));
      quantizedInputs.set(input, xq);
    }
    const output = node.output[0];
    const integer = fresh(`${output}_MatMulInteger`);
    const asFloat = fresh(`${output}_cast`);
    const scale = fresh(`${output}_scale`);
    const scaled = bias ? fresh(`${output}_matmul`) : output;
    out.push(
      makeNode('MatMulInteger', [xq[0], w.q, xq[2], w.zp], [integer], fresh(`${label}_MatMulInteger`)),
      makeNode('Cast', [integer], [asFloat], fresh(`${label}_cast`), { to: FLOAT }),
      makeNode('Mul', [xq[1], w.scale], [scale], fresh(`${label}_scales_mul`)),
      makeNode('Mul', [asFloat, scale], [scaled], fresh(`${label}_output_scale_mul`)),
    );
    if (bias) {
      let biasName = bias;
      if (gemm!.beta !== 1) {
        const b = readFloats(initializers.get(bias)!).map((v) => v * gemm!.beta);
        biasName = fresh(`${bias}_beta`);
        added.push(makeTensor(biasName, FLOAT, initializers.get(bias)!.dims.map(Number), b));
      }
      out.push(makeNode('Add', [scaled, biasName], [output], fresh(`${label}_bias_add`)));
    }
    const layout = gemm?.transB ? ' (transB folded into the stored weight)' : '';
    nodes.push({
      node: label,
      op: node.opType,
      action: 'rewritten',
      detail:
        `${elementCount(slot.weight)} weights → ${reduceRange ? '7-bit ' : ''}int8 ` +
        `${perColumn ? `per column (${n} scales${options.perChannel ? '' : ', a BatchNormalization folded in'})` : 'per tensor'}` +
        `${node.opType === 'Gemm' ? `; Gemm → MatMulInteger + Add${layout}` : ''}`,
    });
  });

  const share = describeShare(weightShare(original, initializers, quantized, out));
  if (!nodes.some((r) => r.action === 'rewritten')) throw noQuantizableOps(nodes, share);
  graph.node = out;
  graph.initializer.push(...added);
  dropUnusedInitializers(graph);
  const dynamic = quantizedWeights.size > 0;
  return {
    nodes,
    sessionConfig: weightOnlyCount ? { ...QDQ_SESSION_CONFIG } : {},
    notes: [
      share,
      ...(dynamic
        ? ['Activations are quantised per batch at run time: a row can get a slightly different result alone than inside a batch.']
        : []),
      ...(weightOnlyCount
        ? [
            `${weightOnlyCount} node(s) (convolutions, recurrent layers, embedding tables) keep int8 weights ` +
              `with float32 arithmetic (DequantizeLinear, ${opset >= 13 ? 'one scale per channel' : 'per tensor below opset 13'}).`,
            QDQ_NOTE,
          ]
        : []),
    ],
  };
}
