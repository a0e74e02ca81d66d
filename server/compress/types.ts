/** The vocabulary of the compression engine: what a variant is, and what a rewrite reports. */

export type RewriteKind = 'int8-dynamic' | 'int8-weights' | 'fp16' | 'prune';

/** One compressed form of a model. `id` is what users type (`int8`, `fp16`, `prune50`…) and the file infix. */
export interface VariantSpec {
  id: string;
  kind: RewriteKind;
  /** int8 only: one scale per output channel instead of one per weight tensor. */
  perChannel?: boolean;
  /** int8 dynamic only: 7-bit weights (ORT's reduce_range), default true; see int8-dynamic.ts for why. */
  reduceRange?: boolean;
  /** prune only: fraction of each layer's weights set to zero, 0 < s < 1. */
  sparsity?: number;
  /** Weights with fewer elements are left alone (int8/prune default 256, fp16 default 16). */
  minWeights?: number;
}

/** What happened to one node (or initializer) of the graph. */
export interface NodeReport {
  /** Node name (or `op #n`), or `initializer 'w'` for fp16. */
  node: string;
  op: string;
  /** `rewritten`: changed; `skipped`: a candidate left alone, with why; `left`: an op this rewrite never touches. */
  action: 'rewritten' | 'skipped' | 'left';
  detail: string;
}

export interface RewriteOutcome {
  nodes: NodeReport[];
  /** Session config the variant needs to run well (int8-weights: `session.disable_quant_qdq`). */
  sessionConfig: Record<string, string>;
  notes: string[];
}

/** A compressed model in memory, checked by re-encoding (loading it in onnxruntime is the caller's next step). */
export interface CompressResult {
  spec: VariantSpec;
  bytes: Uint8Array;
  fileBytes: number;
  /** gzip (zlib level 9) of the file: what pruning actually saves, and what a download would cost. */
  gzipBytes: number;
  nodes: NodeReport[];
  sessionConfig: Record<string, string>;
  notes: string[];
}
