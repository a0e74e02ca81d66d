/**
 * Runs a converted model with TF.js (pure-JS CPU backend, in-process) and compares it with onnxruntime.
 * Imports tfjs-core/backend-cpu/converter directly: the `@tensorflow/tfjs` umbrella prints a tfjs-node hint.
 */
import * as tf from '@tensorflow/tfjs-core';
// Imported for its side effect (it registers the 'cpu' backend). The package declares itself free of
// side effects, so a bare `import '…'` is dropped by esbuild's bundle; using a binding keeps it.
import { version_cpu as cpuBackendVersion } from '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import * as ort from 'onnxruntime-node';
import { encodeModel, type OnnxModel } from '../../model/onnx/proto';
import { seededRandom } from '../../model/samples';
import type { PlainTensor, TensorData } from '../../protocol/codec';
import type { TfjsConversion } from './types';

let backendReady: Promise<boolean> | undefined;

/** Loads the converted model into TF.js from memory (no files, no network). */
export async function loadTfjs(conv: TfjsConversion): Promise<GraphModel> {
  // PROD silences the "install tfjs-node" banner and the execute()/executeAsync() hints (tfjs-node needs a download).
  tf.env().set('PROD', true);
  if (!cpuBackendVersion) throw new Error('the TF.js CPU backend did not load');
  backendReady ??= tf.setBackend('cpu');
  await backendReady;
  const m = conv.modelJson;
  return loadGraphModel(
    tf.io.fromMemory({
      modelTopology: m.modelTopology,
      weightSpecs: m.weightsManifest[0].weights,
      weightData: conv.weightData.slice().buffer,
      format: m.format,
      generatedBy: m.generatedBy,
      convertedBy: m.convertedBy,
      signature: m.signature,
    }),
  );
}

/** Feeds plain tensors (by ONNX input name) to TF.js; int64/float64/… are narrowed as the converted model expects. */
export async function runTfjs(conv: TfjsConversion, inputs: PlainTensor[], model?: GraphModel): Promise<PlainTensor[]> {
  const gm = model ?? (await loadTfjs(conv));
  const feeds: Record<string, tf.Tensor> = {};
  try {
    for (const spec of conv.report.inputs) {
      const t = inputs.find((i) => i.name === spec.name);
      if (!t) throw new Error(`input '${spec.name}' is missing`);
      const values = Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
      if (spec.dtype === 'int32' && values.some((v) => v > 2147483647 || v < -2147483648))
        throw new RangeError(`input '${spec.name}' holds values beyond int32; TF.js has no int64`);
      feeds[spec.tfName] = tf.tensor(spec.dtype === 'bool' ? values.map(Boolean) : values, t.dims, spec.dtype);
    }
    const names = conv.report.outputs.map((o) => o.tfName);
    // execute() is synchronous and refuses graphs with dynamic-shape ops (Where, NonMaxSuppression…): then executeAsync.
    let res: tf.Tensor | tf.Tensor[];
    try {
      res = gm.execute(feeds, names);
    } catch (err) {
      if (!/executeAsync/.test((err as Error).message)) throw err;
      res = await gm.executeAsync(feeds, names);
    }
    const list = Array.isArray(res) ? res : [res];
    const out: PlainTensor[] = [];
    for (const [i, r] of list.entries()) {
      const data = await r.data();
      out.push({
        name: conv.report.outputs[i].name,
        dtype: r.dtype === 'bool' ? 'bool' : r.dtype === 'int32' ? 'int32' : 'float32',
        dims: r.shape,
        data: (r.dtype === 'bool' ? Uint8Array.from(data as Uint8Array) : data) as TensorData,
      });
      r.dispose();
    }
    return out;
  } finally {
    for (const t of Object.values(feeds)) t.dispose();
  }
}

/** Random inputs matching the converted model's inputs (dynamic dims → `batch` for the first, 1 elsewhere). */
export function randomInputs(conv: TfjsConversion, batch = 3, seed = 7): PlainTensor[] {
  const rnd = seededRandom(seed);
  return conv.report.inputs.map((s) => {
    const dims = (s.shape ?? [batch]).map((d, i) => d ?? (i === 0 ? batch : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const data =
      s.dtype === 'float32'
        ? Float32Array.from({ length: n }, () => rnd() * 2 - 1)
        : s.onnxType === 7
          ? BigInt64Array.from({ length: n }, () => BigInt(Math.floor(rnd() * 3)))
          : s.dtype === 'bool'
            ? Uint8Array.from({ length: n }, () => (rnd() > 0.5 ? 1 : 0))
            : Int32Array.from({ length: n }, () => Math.floor(rnd() * 3));
    return {
      name: s.name,
      dtype: s.dtype === 'float32' ? 'float32' : s.onnxType === 7 ? 'int64' : s.dtype === 'bool' ? 'bool' : 'int32',
      dims,
      data,
    };
  });
}

export interface TfjsVerification {
  ok: boolean;
  maxAbsDiff: number;
  tolerance: number;
  outputs: { name: string; maxAbsDiff: number }[];
  rows: number;
}

/** Compares TF.js against onnxruntime on `inputs` (random ones when omitted): max abs diff per output. */
export async function verifyTfjs(
  onnx: Uint8Array | OnnxModel,
  conv: TfjsConversion,
  inputs?: PlainTensor[],
  tolerance = 1e-4,
): Promise<TfjsVerification> {
  const feedsList = inputs ?? randomInputs(conv);
  const bytes = onnx instanceof Uint8Array ? onnx : encodeModel(onnx);
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = Object.fromEntries(feedsList.map((t) => [t.name, new ort.Tensor(t.dtype, t.data, t.dims)]));
    const names = conv.report.outputs.map((o) => o.name);
    const want = await session.run(feeds, names);
    const got = await runTfjs(conv, feedsList);
    const outputs = got.map((g) => {
      const w = want[g.name];
      const a = Array.from(w.data as ArrayLike<number | bigint>, Number),
        b = Array.from(g.data as ArrayLike<number>, Number);
      if (a.length !== b.length) return { name: g.name, maxAbsDiff: Infinity };
      let m = 0;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i]);
        m = Number.isNaN(d) ? (Number.isNaN(a[i]) && Number.isNaN(b[i]) ? m : Infinity) : Math.max(m, d);
      }
      return { name: g.name, maxAbsDiff: m };
    });
    const maxAbsDiff = Math.max(0, ...outputs.map((o) => o.maxAbsDiff));
    return { ok: maxAbsDiff <= tolerance, maxAbsDiff, tolerance, outputs, rows: feedsList[0]?.dims[0] ?? 0 };
  } finally {
    await session.release();
  }
}
