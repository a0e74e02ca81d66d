/**
 * The HTTP protocol between the UI (webview panel or shared URL) and the server, besides the standard
 * inference protocols. Every route the UI calls is typed here; the zod request schemas live in
 * `schemas.ts` and also produce the OpenAPI document.
 */
import type { Signature, TensorInfo, TensorDtype } from './signature';

/** What the ONNX file says about itself (read from the protobuf, not from onnxruntime). */
export interface ModelInfo {
  /** The name the server publishes the model under (file name without `.onnx`). */
  name: string;
  path: string;
  fileBytes: number;
  irVersion: number;
  opsets: { domain: string; version: number }[];
  producer: { name: string; version: string };
  domain: string;
  modelVersion: number;
  docString: string;
  metadata: Record<string, string>;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  initializerCount: number;
  parameterCount: number;
  nodeCount: number;
  /** Node count per op type; ops from other domains are prefixed, e.g. `ai.onnx.ml:ZipMap`. */
  opHistogram: Record<string, number>;
  /** Graph edits made before serving (e.g. ZipMap removed), one sentence each. */
  rewrites: string[];
}

/** A few rows of the reference CSV, so the form can offer "fill from a sample row". */
export interface ReferenceSample {
  path: string;
  columns: string[];
  rows: Record<string, string>[];
  /** Total data rows, when the file was small enough to count while sampling; else null. */
  rowCount: number | null;
}

/** `GET /api/model` */
export interface ModelDescription {
  info: ModelInfo;
  signature: Signature;
  reference: ReferenceSample | null;
  /** URL path of the OIP infer route for this model, e.g. `/v2/models/flights/infer`. */
  inferPath: string;
  batching: { enabled: boolean; maxBatchSize: number; maxDelayMs: number };
  loadedAt: string;
  /** How many times the model file has been (re)loaded since the server started. */
  generation: number;
}

/** Open Inference Protocol v2 tensors (request inputs and response outputs). */
export type OipDatatype =
  'BOOL' | 'UINT8' | 'UINT16' | 'UINT32' | 'UINT64' | 'INT8' | 'INT16' | 'INT32' | 'INT64' | 'FP16' | 'FP32' | 'FP64' | 'BYTES';

export type NestedData = number | string | boolean | NestedData[];

export interface OipTensor {
  name: string;
  shape: number[];
  datatype: OipDatatype;
  parameters?: Record<string, unknown>;
  data: NestedData[];
}

export interface OipInferRequest {
  id?: string;
  parameters?: Record<string, unknown>;
  inputs: OipTensor[];
  outputs?: { name: string; parameters?: Record<string, unknown> }[];
}

export interface OipInferResponse {
  model_name: string;
  model_version?: string;
  id: string;
  parameters?: Record<string, unknown>;
  outputs: OipTensor[];
}

export const OIP_DATATYPE: Record<TensorDtype, OipDatatype> = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

export const DTYPE_OF_OIP: Record<OipDatatype, TensorDtype> = Object.fromEntries(
  Object.entries(OIP_DATATYPE).map(([k, v]) => [v, k]),
) as Record<OipDatatype, TensorDtype>;

/** A decoded prediction for one row, in terms of the signature. */
export interface RowPrediction {
  label?: string | number;
  /** Class name → probability (or score), ordered as the model's classes. */
  probabilities?: Record<string, number>;
  /** Regression output(s). */
  value?: number | number[];
  /** Any other output, as nested arrays. */
  raw?: Record<string, unknown>;
}

/** Events on `GET /api/events` (server-sent events; `event:` is the `type`). */
export type ServerEvent =
  | { type: 'model-loaded'; generation: number; name: string; loadMs: number; at: string }
  | { type: 'model-reload-failed'; error: string; keptGeneration: number; at: string }
  /** `agreement` is a fraction 0..1 (argmax/label equality for classifiers, ≤1e-6 difference otherwise). */
  | {
      type: 'differential-check';
      generation: number;
      rows: number;
      agreement: number | null;
      maxAbsDiff: number;
      comparedOutputs: string[];
      at: string;
    }
  /**
   * A served file vanished (deleted or moved). The server keeps serving generation `keptGeneration`
   * from memory; the file coming back (changed) is an ordinary reload.
   */
  | { type: 'file-removed'; file: 'model' | 'reference'; path: string; message: string; keptGeneration: number; at: string }
  | { type: 'error'; message: string; at: string };
