/**
 * The onnxruntime side: create a session (graph optimisation on, thread counts configurable), convert
 * plain tensors to onnxruntime tensors and back, and check inputs against the graph first so a wrong
 * request gets a message naming the input instead of onnxruntime's internal one.
 */
import * as ort from 'onnxruntime-node';
import type { PlainTensor } from '../protocol/codec';
import { InputError } from '../protocol/codec';
import type { TensorInfo } from '../protocol/signature';
import type { LoadOptions } from './types';

export async function createSession(bytes: Uint8Array, options: LoadOptions): Promise<ort.InferenceSession> {
  // onnxruntime-node expects nested config ({ session: { disable_quant_qdq: '1' } }) for "session.x" keys.
  const extra: Record<string, Record<string, string>> = {};
  for (const [key, value] of Object.entries(options.sessionConfig ?? {})) {
    const [group, ...rest] = key.split('.');
    (extra[group] ??= {})[rest.join('.')] = value;
  }
  return ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: 'all',
    // Failures reach the user as our own messages (naming the input); onnxruntime's own log lines on
    // stderr would only repeat them in its internal vocabulary.
    logSeverityLevel: 4,
    executionProviders: ['cpu'],
    ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
    ...(options.interOpThreads ? { interOpNumThreads: options.interOpThreads } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  });
}

function shapeText(dims: readonly (number | string | null)[]): string {
  return `[${dims.map((d) => (typeof d === 'number' ? d : -1)).join(', ')}]`;
}

/** Checks names, dtypes and static dims; throws InputError naming the input. */
export function checkInputs(declared: TensorInfo[], inputs: PlainTensor[]): void {
  const byName = new Map(inputs.map((t) => [t.name, t]));
  for (const t of inputs) {
    if (!declared.some((d) => d.name === t.name)) {
      throw new InputError(t.name, `unknown input; this model takes ${declared.map((d) => `'${d.name}'`).join(', ')}`);
    }
  }
  for (const d of declared) {
    const t = byName.get(d.name);
    if (!t) throw new InputError(d.name, `missing input (${d.dtype} ${shapeText(d.dims)})`);
    if (t.dtype !== d.dtype) throw new InputError(d.name, `expected dtype ${d.dtype}, got ${t.dtype}`);
    const rankOk = t.dims.length === d.dims.length;
    const dimsOk = rankOk && d.dims.every((want, i) => typeof want !== 'number' || want <= 0 || want === t.dims[i]);
    if (!dimsOk) throw new InputError(d.name, `expected shape ${shapeText(d.dims)}, got ${shapeText(t.dims)}`);
    const count = t.dims.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) throw new InputError(d.name, `shape ${shapeText(t.dims)} needs ${count} values, got ${t.data.length}`);
  }
}

export function toOrt(t: PlainTensor): ort.Tensor {
  return new ort.Tensor(t.dtype, t.data, t.dims);
}

export function fromOrt(name: string, t: ort.Tensor): PlainTensor {
  return { name, dtype: t.type as PlainTensor['dtype'], dims: [...t.dims], data: t.data };
}
