/**
 * server/model — the ground floor: load an ONNX file, understand it (protobuf description + signature),
 * run it, and turn records/CSV rows into tensors and outputs into predictions.
 *
 * @example
 * const model = await loadModel('samples/flights/flights.onnx', { referenceCsv: 'samples/flights/reference.csv' });
 * const { predictions } = await model.predictRecords([{ carrier: 'AA', origin: 'JFK', distance: 500, dep_hour: 18, day_of_week: 5 }]);
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ModelInfo, ReferenceSample } from '../protocol/api';
import { decodePredictions, encodeRecords, InputError, type PlainTensor } from '../protocol/codec';
import { ModelLabError } from '../protocol/errors';
import { scrubInternals } from '../protocol/limits';
import type { Signature } from '../protocol/signature';
import { describeModel } from './onnx/describe';
import { decodeModel, encodeModel } from './onnx/proto';
import { makeServable } from './onnx/servable';
import { CsvError, readReference, type ReferenceLook } from './reference';
import { sampleRecords, sampleTensors } from './samples';
import { checkInputs, createSession, fromOrt, toOrt } from './session';
import { inferSignature } from './signature/infer';
import { parseSidecar } from './signature/sidecar';
import type { LoadedModel, LoadOptions } from './types';

export type { LoadedModel, LoadOptions } from './types';
export { CsvError, readReference, type ColumnFacts, type ReferenceLook } from './reference';
export {
  csvRowMapper,
  cleanCells,
  csvValueError,
  mapColumns,
  predictCsvChunk,
  predictionCells,
  predictionColumns,
  recordFromCsv,
  type ColumnMapping,
  type CsvRow,
  type CsvRowMapper,
  type RowResult,
} from './csv-rows';
export { describeSamples, sampleRecords, sampleTensors, seededRandom } from './samples';
export {
  decodeModel,
  encodeModel,
  toNumber,
  attributeValue,
  type OnnxModel,
  type OnnxNode,
  type OnnxGraph,
  type OnnxTensor,
} from './onnx/proto';
export { parseSidecar, sidecarSchema, type Sidecar } from './signature/sidecar';

/** A model file that cannot be served, with the reason: HTTP 400, CLI exit 1, and "reload failed" while serving. */
export class ModelLoadError extends ModelLabError {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`cannot load ${path}: ${reason}`, { status: 400 });
  }
}

/** Where the sidecar of a model lives: `model.onnx` → `model.signature.json`. */
export function sidecarPath(modelPath: string): string {
  return modelPath.replace(/\.onnx$/i, '') + '.signature.json';
}

export interface ModelDescriptionParts {
  info: ModelInfo;
  signature: Signature;
  reference: ReferenceLook | undefined;
  /** Bytes onnxruntime should load (re-encoded when the graph was made servable). */
  servableBytes: Uint8Array;
}

/** Reads and understands a model without creating a session (fast; used by `info` and the custom editor). */
export async function inspectModel(path: string, options: LoadOptions = {}): Promise<ModelDescriptionParts> {
  const full = resolve(path);
  let bytes: Uint8Array;
  try {
    const s = await stat(full);
    if (!s.isFile()) throw new Error('not a file');
    if (s.size === 0) throw new Error('the file is empty (still being written?)');
    bytes = await readFile(full);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ModelLoadError(path, code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  let decoded;
  try {
    decoded = decodeModel(bytes);
  } catch (err) {
    throw new ModelLoadError(path, `not a valid ONNX model (${(err as Error).message}); is the file complete?`);
  }
  if (!decoded.graph || (decoded.graph.node.length === 0 && decoded.graph.output.length === 0)) {
    throw new ModelLoadError(path, 'not a valid ONNX model (no graph); is the file complete?');
  }
  try {
    const servable = makeServable(decoded);
    const info = describeModel(servable.model, { path: full, fileBytes: bytes.length, rewrites: servable.rewrites });
    const sidecarFile = options.signaturePath ?? sidecarPath(full);
    const sidecar = existsSync(sidecarFile) ? parseSidecar(await readFile(sidecarFile, 'utf8'), sidecarFile) : undefined;
    const reference = options.referenceCsv ? await readReference(options.referenceCsv) : undefined;
    const signature = inferSignature({ info, model: servable.model, sidecar, reference, outputClassNames: servable.outputClassNames });
    return { info, signature, reference, servableBytes: servable.changed ? encodeModel(servable.model) : bytes };
  } catch (err) {
    if (err instanceof ModelLoadError || err instanceof CsvError) throw err;
    throw new ModelLoadError(path, (err as Error).message);
  }
}

/**
 * Session options a model carries for itself (`metadata_props` key `model_lab.session_config`, a JSON
 * object), e.g. `{"session.disable_quant_qdq": "1"}` written by the compression lab into int8
 * weight-only variants, which are slow without it. Explicit options win.
 */
function storedSessionConfig(info: ModelInfo): Record<string, string> {
  const raw = info.metadata['model_lab.session_config'];
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return {};
    return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string'));
  } catch {
    return {};
  }
}

/** Loads, describes, creates a session and warms it up once. Throws ModelLoadError (or CsvError for the reference). */
export async function loadModel(path: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const started = performance.now();
  const { info, signature, reference, servableBytes } = await inspectModel(path, options);
  let session;
  try {
    session = await createSession(servableBytes, { ...options, sessionConfig: { ...storedSessionConfig(info), ...options.sessionConfig } });
  } catch (err) {
    throw new ModelLoadError(path, `onnxruntime refused it: ${(err as Error).message}`);
  }
  const served = info.outputs.map((o) => o.name);
  let disposed = false;
  const model: LoadedModel = {
    info,
    signature,
    reference: reference?.sample ?? (null as ReferenceSample | null),
    loadMs: 0,
    async run(inputs: PlainTensor[], outputNames?: string[]) {
      checkInputs(info.inputs, inputs);
      const names = outputNames ?? served;
      for (const n of names)
        if (!served.includes(n)) throw new InputError(n, `unknown output; this model serves ${served.map((s) => `'${s}'`).join(', ')}`);
      const feeds = Object.fromEntries(inputs.map((t) => [t.name, toOrt(t)]));
      let results;
      try {
        results = await session.run(feeds, names);
      } catch (err) {
        // Scrubbed: onnxruntime's text names its C++ sources and paths, which are no business of a client.
        throw new InputError(
          'inputs',
          `onnxruntime could not run the model on these inputs: ${scrubInternals((err as Error).message.split('\n')[0])}`,
        );
      }
      return names.map((n) => fromOrt(n, results[n]));
    },
    async predictRecords(records, rowBase) {
      const outputs = await model.run(encodeRecords(signature, records, rowBase));
      return { predictions: decodePredictions(signature, outputs), outputs };
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await session.release();
    },
  };
  try {
    const rows = signature.batch.size ?? 1;
    const records = sampleRecords(signature, model.reference, rows);
    await (records.length ? model.predictRecords(records) : model.run(sampleTensors(signature, rows)));
  } catch (err) {
    await model.dispose();
    throw new ModelLoadError(path, `the warm-up run failed: ${(err as Error).message}`);
  }
  model.loadMs = performance.now() - started;
  return model;
}
