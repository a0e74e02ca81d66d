/**
 * server/export/tfjs — ONNX → TF.js graph model converter (pure TypeScript over the decoded protobuf).
 * Passes: constant folding of shape chains (in the op builders), NCHW→NHWC layout with transpose
 * sinking/cancelling, int64 → int32 narrowing (refused when a constant does not fit).
 *
 * @example
 * const model = decodeModel(await readFile('model.onnx'));
 * const check = precheckTfjs(model);          // { supported, unsupported: [{ node, opType, reason }] }
 * const conv = convertToTfjs(model);           // throws TfjsConversionError naming the nodes when unsupported
 * await writeTfjsModel('out/tfjs', conv);      // model.json + group1-shard*.bin
 * const { maxAbsDiff, ok } = await verifyTfjs(model, conv);
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeModel, type OnnxModel } from '../../model/onnx/proto';
import { convertGraph, signatureOf } from './convert';
import { DEFAULT_SETTINGS } from './ops/types';
import type { UnsupportedNode } from './errors';
import type { TfjsConversion } from './types';

export { TfjsConversionError, describeUnsupported, groupUnsupported, type UnsupportedGroup, type UnsupportedNode } from './errors';
export type { TfjsReport, TensorSpec } from './convert';
export { decodeTensor, type ConstTensor } from './tensor';
export { verifyTfjs, runTfjs, loadTfjs, randomInputs, type TfjsVerification } from './verify';

export type { TfjsConversion, TfjsModelJson, WeightSpec } from './types';
export interface ConvertOptions {
  /** Shard size for writeTfjsModel (default 4 MiB, as tfjs-converter does). */ shardBytes?: number;
  /** LSTM/GRU/RNN over a run-time sequence length: steps unrolled (default 64; longer inputs fail when run). */
  maxSequenceLength?: number;
}
const settingsOf = (o: ConvertOptions) => ({ maxSequenceLength: o.maxSequenceLength ?? DEFAULT_SETTINGS.maxSequenceLength });

const asModel = (m: OnnxModel | Uint8Array) => (m instanceof Uint8Array ? decodeModel(m) : m);

/** Lists every node (or input/initializer) the converter cannot translate, with the reason. Never throws for bad graphs. */
export function precheckTfjs(
  model: OnnxModel | Uint8Array,
  options: ConvertOptions = {},
): { supported: boolean; unsupported: UnsupportedNode[] } {
  try {
    const { unsupported } = convertGraph(asModel(model), true, settingsOf(options));
    return { supported: unsupported.length === 0, unsupported };
  } catch (err) {
    return { supported: false, unsupported: [{ node: '(model)', opType: '', reason: (err as Error).message }] };
  }
}

/** Converts; throws TfjsConversionError (naming every unsupported node) when the model cannot be converted. */
export function convertToTfjs(model: OnnxModel | Uint8Array, options: ConvertOptions = {}): TfjsConversion {
  const { graph, inputs, outputs, report } = convertGraph(asModel(model), false, settingsOf(options));
  const weightSpecs = graph.weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype }));
  const weightData = new Uint8Array(report.weightBytes);
  let off = 0;
  for (const w of graph.weights) {
    weightData.set(w.bytes, off);
    off += w.bytes.length;
  }
  const shards = shardNames(weightData.length, options.shardBytes);
  return {
    modelJson: {
      format: 'graph-model',
      generatedBy: `onnx opset ${report.opset}`,
      convertedBy: 'Model Lab ONNX→TF.js converter',
      modelTopology: { node: graph.nodes, library: {}, versions: { producer: 1987 } },
      weightsManifest: [{ paths: shards, weights: weightSpecs }],
      signature: signatureOf(inputs, outputs),
    },
    weightData,
    weightSpecs,
    report,
  };
}

const DEFAULT_SHARD = 4 * 1024 * 1024;
function shardNames(bytes: number, shard = DEFAULT_SHARD): string[] {
  const n = Math.max(1, Math.ceil(bytes / shard));
  return Array.from({ length: n }, (_, i) => `group1-shard${i + 1}of${n}.bin`);
}

/** Writes model.json and the weight shards into `dir` (created if needed). Returns the file names written. */
export async function writeTfjsModel(dir: string, conv: TfjsConversion, options: ConvertOptions = {}): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const shard = options.shardBytes ?? DEFAULT_SHARD;
  const paths = shardNames(conv.weightData.length, shard);
  for (const [i, p] of paths.entries()) await writeFile(join(dir, p), conv.weightData.subarray(i * shard, (i + 1) * shard));
  const manifest = conv.modelJson.weightsManifest.map((m) => ({ ...m, paths }));
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...conv.modelJson, weightsManifest: manifest }));
  return ['model.json', ...paths];
}
