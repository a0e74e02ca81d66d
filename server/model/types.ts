import type { ModelInfo, ReferenceSample, RowPrediction } from '../protocol/api';
import type { PlainTensor } from '../protocol/codec';
import type { FeatureRecord, Signature } from '../protocol/signature';

/** How to load a model. */
export interface LoadOptions {
  /** A CSV of typical data: names features when nothing else does, gives categories and sample rows. */
  referenceCsv?: string;
  /** Sidecar signature file; default `<model>.signature.json` beside the model, if it exists. */
  signaturePath?: string;
  /** onnxruntime intra-op threads (0 = onnxruntime's default). */
  intraOpThreads?: number;
  /** onnxruntime inter-op threads (0 = onnxruntime's default). */
  interOpThreads?: number;
  /** Extra onnxruntime session config entries, e.g. `{ 'session.disable_quant_qdq': '1' }`. */
  sessionConfig?: Record<string, string>;
}

/** A model ready to run: its description, its signature and a warmed-up onnxruntime session. */
export interface LoadedModel {
  info: ModelInfo;
  signature: Signature;
  reference: ReferenceSample | null;
  /** Milliseconds to read, parse, create the session and warm it up. */
  loadMs: number;
  /** Runs the session. `outputNames` defaults to every served output. Inputs are checked against the graph. */
  run(inputs: PlainTensor[], outputNames?: string[]): Promise<PlainTensor[]>;
  /** Encodes records (see codec), runs, decodes. `rowBase` numbers rows in errors. */
  predictRecords(records: FeatureRecord[], rowBase?: number): Promise<{ predictions: RowPrediction[]; outputs: PlainTensor[] }>;
  /** Frees the native session. Safe to call twice. */
  dispose(): Promise<void>;
}
