/**
 * The variants a user can ask for by name — `int8`, `int8-pc`, `int8-weights`, `int8-weights-pc`, `fp16`,
 * `prune50` (any `prune<1..99>`) — with a label and the one-line "why" the UI and reports show.
 */
import { CompressError } from './graph';
import type { VariantSpec } from './types';

export interface VariantInfo {
  id: string;
  label: string;
  /** What it is and what to expect on a CPU, one or two sentences. */
  about: string;
}

const FIXED: Record<string, { spec: Omit<VariantSpec, 'id'>; label: string; about: string }> = {
  int8: {
    spec: { kind: 'int8-dynamic', perChannel: false },
    label: 'int8 dynamic',
    about:
      'MatMul/Gemm weights int8 (7-bit, one scale per tensor), ' +
      'activations quantised per run (DynamicQuantizeLinear + ' +
      'MatMulInteger); convolutions, LSTM/GRU and embedding tables ' +
      'keep int8 weights with float32 arithmetic (one scale per ' +
      'channel). ~4× smaller; faster mainly where the CPU ' +
      'has int8 dot-product instructions (VNNI, ARM dotprod). ' +
      'A row alone can differ slightly from the same row in a batch.',
  },
  'int8-pc': {
    spec: { kind: 'int8-dynamic', perChannel: true },
    label: 'int8 dynamic, per channel',
    about: 'As int8, with one MatMul/Gemm weight scale per output column: usually closer to the original at the same size.',
  },
  'int8-weights': {
    spec: { kind: 'int8-weights', perChannel: false },
    label: 'int8 weights only',
    about:
      'Weights (MatMul/Gemm/Conv, LSTM/GRU, embedding tables) stored as ' +
      'int8 + DequantizeLinear, float32 arithmetic. ' +
      '~4× smaller file, float32 speed — but only with the session ' +
      'option session.disable_quant_qdq=1, which Model Lab sets; ' +
      'without it ONNX Runtime runs it several times slower.',
  },
  'int8-weights-pc': {
    spec: { kind: 'int8-weights', perChannel: true },
    label: 'int8 weights only, per channel',
    about: 'As int8-weights with one scale per output channel (needs opset 13).',
  },
  fp16: {
    spec: { kind: 'fp16' },
    label: 'fp16 weights',
    about:
      'Weights stored as float16 with a Cast to float32; inputs, ' +
      'outputs and arithmetic stay float32. ~2× smaller; on a ' +
      'CPU not faster (the Casts are folded at load time, compute ' +
      'is float32).',
  },
};

/** Variants offered by default in the UI and `bench --variants` when none are given. */
export const DEFAULT_VARIANTS = ['int8', 'int8-weights', 'fp16', 'prune50'];

/** Every named variant (prune as one example level). */
export function listVariants(): VariantInfo[] {
  return [...Object.entries(FIXED).map(([id, v]) => ({ id, label: v.label, about: v.about })), pruneInfo(50), pruneInfo(80)];
}

function pruneInfo(percent: number): VariantInfo {
  return {
    id: `prune${percent}`,
    label: `pruned ${percent} %`,
    about:
      `The ${percent} % smallest weights of each layer set to 0, no fine-tuning. Same file size ` +
      `and speed (dense storage); only the gzip size shrinks. Check the agreement.`,
  };
}

/** `int8` → its spec; throws CompressError naming the valid ids for anything else. */
export function parseVariant(id: string): VariantSpec {
  const key = id.trim().toLowerCase();
  const fixed = FIXED[key];
  if (fixed) return { id: key, ...fixed.spec };
  const prune = /^prune(\d{1,2})$/.exec(key);
  if (prune && Number(prune[1]) > 0) return { id: key, kind: 'prune', sparsity: Number(prune[1]) / 100 };
  throw new CompressError(`unknown variant '${id}'; use ${Object.keys(FIXED).join(', ')} or prune<1-99> (e.g. prune50)`);
}

export function variantInfo(id: string): VariantInfo {
  const spec = parseVariant(id);
  if (spec.kind === 'prune') return pruneInfo(Math.round(spec.sparsity! * 100));
  const fixed = FIXED[spec.id];
  return { id: spec.id, label: fixed.label, about: fixed.about };
}
