/**
 * The seam between the HTTP routes and the model's lifecycle (batching, hot reload, events).
 * Routes only ever talk to a ModelHost, so a reload or batching change never touches a route.
 */
import type { LoadedModel } from '../model/types';
import type { PlainTensor } from '../protocol/codec';
import type { ServerEvent } from '../protocol/api';

/** One version of the published model: the original or a variant saved beside it. */
export interface ModelVersion {
  /** The OIP version string: the original's ONNX `model_version` (or "1"), a variant's id (`int8`, `fp16`…). */
  version: string;
  path: string;
}

/** What `GET /v2/models/{name}` lists: the version answering under the plain name, and every one that exists. */
export interface ModelVersions {
  served: string;
  available: ModelVersion[];
}

export interface ModelHost {
  /** The model serving now. Swapped atomically on reload; a request keeps the model it started with. */
  current(): LoadedModel;
  /** 1 for the first load, +1 per successful reload. */
  generation(): number;
  /**
   * Runs inputs through the current model. When batching is on and the batch dim is dynamic, concurrent
   * calls are coalesced into one `session.run` and split back. Rows = dims[0] of the inputs.
   */
  infer(inputs: PlainTensor[], outputNames?: string[]): Promise<PlainTensor[]>;
  batching(): { enabled: boolean; maxBatchSize: number; maxDelayMs: number };
  /** Subscribe to lifecycle events (for SSE); returns an unsubscribe function. */
  onEvent(listener: (event: ServerEvent) => void): () => void;
  /** Recent events, newest last, so a UI that connects late still sees the last reload/check. */
  recentEvents(): ServerEvent[];
  close(): Promise<void>;
  /**
   * Serves another model file from now on (e.g. a saved variant `model.int8.onnx`), through the reload
   * path: loaded and warmed up first, swapped atomically, differential check against the previous one.
   * Resolves to the new generation; rejects (still serving the previous model) when it cannot be loaded.
   * The model keeps its published name: the file becomes a new version of it (`options.version`).
   */
  switchTo?(path: string, options?: { sessionConfig?: Record<string, string>; version?: string }): Promise<number>;
  /** The OIP version answering under the plain name now (cheap: read per request). */
  servedVersion?(): string;
  /** The served version and the versions that exist (the original and the variants saved beside it; reads the folder). */
  versions?(): ModelVersions;
}
