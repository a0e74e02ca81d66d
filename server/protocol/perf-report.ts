/**
 * The benchmark and comparison report as a documented zod schema: the JSON `model-lab bench --json`
 * prints and `GET /api/jobs/{id}` returns as a perf job's result. Types are inferred from it, so the schema cannot drift from
 * the code; tests validate real reports against it. Times are microseconds, sizes bytes, fractions 0..1.
 */
import { z } from 'zod';

export const LatencyStatsSchema = z.object({
  batch: z.number().int().describe('rows per session.run'),
  iterations: z.number().int().describe('timed runs (after the warm-up)'),
  p50Us: z.number(),
  p95Us: z.number(),
  p99Us: z.number(),
  meanUs: z.number(),
  stddevUs: z.number(),
  minUs: z.number(),
  maxUs: z.number(),
  rowsPerSecond: z.number().describe('batch / mean run time'),
  peakRssBytes: z.number().describe('largest process RSS sampled while this batch size ran'),
});

export const HttpLatencySchema = LatencyStatsSchema.extend({
  route: z.string().describe('e.g. POST /v2/models/{model}/infer'),
  mode: z.enum(['single-row', 'batched']),
});

export const MachineSchema = z.object({
  cpuModel: z.string(),
  logicalCores: z.number().int(),
  flags: z
    .object({ avx2: z.boolean(), avx512f: z.boolean(), avx512vnni: z.boolean(), avxvnni: z.boolean(), neonDotprod: z.boolean() })
    .describe('read from /proc/cpuinfo (Linux); all false elsewhere'),
  int8Acceleration: z.boolean().describe('VNNI (AVX-512 or AVX) or ARM dot-product instructions present'),
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
  onnxruntime: z.string(),
});

const FiguresSchema = z.object({
  argmax: z.number().nullable().describe('fraction of rows with the same predicted class; null without a class output'),
  maxAbsDiff: z.number(),
  meanAbsDiff: z.number(),
  correlation: z
    .number()
    .nullable()
    .optional()
    .describe('Pearson correlation of every compared value with the original; null when constant'),
});
const ScoresSchema = z.union([z.object({ accuracy: z.number(), macroF1: z.number() }), z.object({ rmse: z.number(), mae: z.number() })]);

export const AgreementSchema = z.object({
  rows: z.number().int(),
  source: z.enum(['reference', 'generated', 'tensors']),
  inputs: z.string().optional().describe('what the rows were, in words (e.g. token ids drawn from the embedding table range)'),
  rowByRow: FiguresSchema.nullable().describe('each row run alone (null for a fixed batch size above 1)'),
  batched: FiguresSchema.describe('all rows in one run'),
  quality: z.object({ target: z.string(), rows: z.number().int(), original: ScoresSchema, variant: ScoresSchema }).nullable(),
  comparedOutputs: z.array(z.string()),
});

export const NodeReportSchema = z.object({
  node: z.string(),
  op: z.string(),
  action: z.enum(['rewritten', 'skipped', 'left']),
  detail: z.string(),
});

export const VariantReportSchema = z.object({
  id: z.string().describe("'original', or a variant id: int8, int8-pc, int8-weights, fp16, prune50…"),
  label: z.string(),
  about: z.string(),
  fileBytes: z.number().int(),
  gzipBytes: z.number().int(),
  sizeRatio: z.number().describe('original file bytes / this file bytes'),
  sessionConfig: z.record(z.string(), z.string()),
  latency: z.array(LatencyStatsSchema).describe('one entry per batch size'),
  agreement: AgreementSchema.nullable().describe('null for the original'),
  nodes: z.array(NodeReportSchema).describe('what the rewrite did, per node; empty for the original'),
  notes: z.array(z.string()),
  verdict: z.string().describe('one honest paragraph: smaller/faster/slower and why'),
  error: z.string().optional().describe('set when the variant could not be made or run; other fields are then zero/empty'),
});

export const ComparisonReportSchema = z.object({
  schema: z.literal('model-lab.perf/1'),
  model: z.object({ name: z.string(), path: z.string() }),
  machine: MachineSchema,
  settings: z.object({
    batches: z.array(z.number().int()),
    warmup: z.number().int(),
    iterations: z.number().int(),
    budgetMs: z.number(),
    agreementRows: z.number().int(),
    data: z.string().nullable(),
  }),
  original: VariantReportSchema,
  variants: z.array(VariantReportSchema),
  http: z.array(HttpLatencySchema).nullable().describe('end-to-end OIP latency of the served original, when measured'),
  startedAt: z.string(),
  finishedAt: z.string(),
});

export type LatencyStats = z.infer<typeof LatencyStatsSchema>;
export type HttpLatency = z.infer<typeof HttpLatencySchema>;
export type Machine = z.infer<typeof MachineSchema>;
export type VariantReport = z.infer<typeof VariantReportSchema>;
export type ComparisonReport = z.infer<typeof ComparisonReportSchema>;

/** Progress of a long measurement: `done` of `total` steps, and what runs now. */
export interface Progress {
  done: number;
  total: number;
  step: string;
}
