/**
 * server/compress — ONNX graph rewrites (int8 dynamic, int8 weight-only, fp16 weights, magnitude pruning)
 * over the decoded protobuf, each reporting per node what it did and why; and the agreement of a variant
 * with its original on sample rows. Nothing here ever writes over the input file.
 *
 * @example
 * const result = compressBytes(readFileSync('model.onnx'), parseVariant('int8'));
 * const variant = await loadVariant('model.onnx', result, { referenceCsv: 'data.csv' }); // proves ORT runs it
 * const agreement = await measureAgreement(original, variant.model, { rows: 500 });
 */
import { gzipSync } from 'node:zlib';
import { decodeModel, encodeModel } from '../model/index';
import { CompressError } from './graph';
import { foldBatchNorms, type FoldOutcome } from './fold-batchnorm';
import { rewriteFp16 } from './fp16';
import { rewriteInt8Dynamic } from './int8-dynamic';
import { rewriteInt8Weights } from './int8-weights';
import { rewritePrune } from './prune';
import type { CompressResult, RewriteOutcome, VariantSpec } from './types';

export { CompressError } from './graph';
export type { CompressResult, NodeReport, RewriteKind, VariantSpec } from './types';
export { DEFAULT_VARIANTS, listVariants, parseVariant, variantInfo, type VariantInfo } from './variants';
export { QDQ_SESSION_CONFIG } from './int8-weights';
export { measureAgreement, sampleInputs, sliceRows, type Agreement, type AgreementFigures, type QualityFigures } from './agreement';
export { loadVariant, writeVariantFile, variantPathBeside, type LoadedVariant } from './files';

export function gzipSize(bytes: Uint8Array): number {
  return gzipSync(bytes, { level: 9 }).length;
}

/** Applies one variant to ONNX bytes (decoded afresh, so the caller's bytes are never touched). */
export function compressBytes(bytes: Uint8Array, spec: VariantSpec): CompressResult {
  let model;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new CompressError(`not a valid ONNX model (${(err as Error).message})`);
  }
  if (!model.graph) throw new CompressError('not a valid ONNX model (no graph)');
  // int8: a BatchNormalization after a Gemm (torch's Linear → BatchNorm1d) would stay float32 beside the
  // int8 weights; folding it first is exact and lets the quantiser take it with the weight.
  const fold: FoldOutcome | null = spec.kind === 'int8-dynamic' || spec.kind === 'int8-weights' ? foldBatchNorms(model.graph) : null;
  let outcome: RewriteOutcome;
  switch (spec.kind) {
    case 'int8-dynamic':
      outcome = rewriteInt8Dynamic(model, {
        perChannel: !!spec.perChannel,
        perColumnWeights: fold?.weights,
        minWeights: spec.minWeights,
        reduceRange: spec.reduceRange,
      });
      break;
    case 'int8-weights':
      outcome = rewriteInt8Weights(model, { perChannel: !!spec.perChannel, minWeights: spec.minWeights });
      break;
    case 'fp16':
      outcome = rewriteFp16(model, { minWeights: spec.minWeights });
      break;
    case 'prune':
      outcome = rewritePrune(model, { sparsity: spec.sparsity ?? 0.5, minWeights: spec.minWeights });
      break;
  }
  if (fold?.nodes.length) {
    const labels = new Set(fold.nodes.map((n) => n.node));
    outcome.nodes = [...fold.nodes, ...outcome.nodes.filter((n) => !labels.has(n.node))];
  }
  if (fold?.folded)
    outcome.notes.push(
      `${fold.folded} BatchNormalization node(s) folded into the Gemm before them (exact up to float32 rounding), ` +
        'so their scales go into its int8 weights instead of staying float32 beside them.',
    );
  // Say what this file is, and what it needs to run well, inside the file itself.
  const metadata = model.metadataProps.filter((p) => !p.key?.startsWith('model_lab.variant') && p.key !== 'model_lab.session_config');
  metadata.push({ key: 'model_lab.variant', value: spec.id });
  if (Object.keys(outcome.sessionConfig).length)
    metadata.push({ key: 'model_lab.session_config', value: JSON.stringify(outcome.sessionConfig) });
  model.metadataProps = metadata;
  const out = encodeModel(model);
  return {
    spec,
    bytes: out,
    fileBytes: out.length,
    gzipBytes: gzipSize(out),
    nodes: outcome.nodes,
    sessionConfig: outcome.sessionConfig,
    notes: outcome.notes,
  };
}
