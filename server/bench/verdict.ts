/**
 * The one-paragraph verdict per variant: how much smaller, faster or slower than the original at batch 1
 * and at the largest batch, and — when it is slower — why, in terms of this CPU and this variant's form.
 * Differences under 10 % are called noise: single-machine timings wobble that much.
 */
import type { Machine, VariantReport } from '../protocol/perf-report';

const NOISE = 0.1;

function speedWord(ratio: number): string {
  if (!Number.isFinite(ratio) || ratio <= 0) return 'not measured';
  if (Math.abs(ratio - 1) < NOISE) return 'about as fast (within noise)';
  return ratio > 1 ? `${ratio.toFixed(2)}× faster` : `${(1 / ratio).toFixed(2)}× slower`;
}

function whySlower(variant: VariantReport, machine: Machine): string {
  const kind = variant.id.startsWith('int8-weights')
    ? 'int8-weights'
    : variant.id.startsWith('int8')
      ? 'int8'
      : variant.id.startsWith('prune')
        ? 'prune'
        : variant.id;
  switch (kind) {
    case 'int8':
      return machine.int8Acceleration
        ? 'quantising the activations on every run costs more than the int8 matrix product saves at this size.'
        : `this CPU has no int8 dot-product instructions (no VNNI/AVX-512 VNNI` +
            `${machine.arch === 'arm64' ? ', no ARM dotprod' : ''}), so int8 products go through ` +
            `slower int16 steps, and quantising the activations costs time on every run.`;
    case 'int8-weights':
      return variant.sessionConfig['session.disable_quant_qdq'] === '1'
        ? 'the weights are dequantised once at load time, so compute is float32; the difference is noise or a layout change.'
        : 'without session.disable_quant_qdq=1 ONNX Runtime runs DequantizeLinear→MatMul through its QDQ kernels.';
    case 'fp16':
      return 'CPUs compute in float32 here: the fp16 weights are cast back at load time, so fp16 only saves space.';
    case 'prune':
      return 'the weights are still stored and multiplied densely: zeros are not skipped.';
    default:
      return 'see the per-node summary.';
  }
}

/** Original p50 / variant p50: above 1 means the variant is faster. */
export function speedRatio(original: VariantReport, variant: VariantReport, batch: number): number {
  const a = original.latency.find((l) => l.batch === batch)?.p50Us;
  const b = variant.latency.find((l) => l.batch === batch)?.p50Us;
  return a && b ? a / b : NaN;
}

export function verdictFor(original: VariantReport, variant: VariantReport, machine: Machine): string {
  if (variant.error) return `Not usable: ${variant.error}`;
  const parts: string[] = [];
  const size = variant.sizeRatio >= 1.05 ? `${variant.sizeRatio.toFixed(2)}× smaller file` : 'same file size';
  const gzip = original.gzipBytes / Math.max(1, variant.gzipBytes);
  parts.push(`${size} (${gzip.toFixed(2)}× smaller gzipped).`);
  const batches = original.latency.map((l) => l.batch);
  const first = batches[0];
  const last = batches.at(-1);
  const speeds = [...new Set([first, last])]
    .filter((b): b is number => b !== undefined)
    .map((b) => ({ b, r: speedRatio(original, variant, b) }));
  parts.push(speeds.map(({ b, r }) => `At batch ${b}: ${speedWord(r)}.`).join(' '));
  if (speeds.some(({ r }) => r < 1 - NOISE)) parts.push(`Slower because ${whySlower(variant, machine)}`);
  const a = variant.agreement;
  if (a) {
    const figures = a.rowByRow ?? a.batched;
    if (figures.argmax !== null && figures.argmax < 0.99)
      parts.push(`Predicts a different class on ${((1 - figures.argmax) * 100).toFixed(1)} % of ${a.rows} rows: check before using it.`);
    if (
      (a.rowByRow && a.rowByRow.maxAbsDiff > 2 * a.batched.maxAbsDiff + 1e-6) ||
      a.batched.maxAbsDiff > 2 * (a.rowByRow?.maxAbsDiff ?? Infinity) + 1e-6
    ) {
      parts.push(`Outputs depend on the batch (max diff alone ${fmt(a.rowByRow!.maxAbsDiff)} vs batched ${fmt(a.batched.maxAbsDiff)}).`);
    }
  }
  return parts.join(' ');
}

function fmt(x: number): string {
  return x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toFixed(4);
}
