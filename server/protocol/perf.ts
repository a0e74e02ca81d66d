/**
 * The Performance lab's requests (server/serve/routes/perf.ts and the `perf` job), shared by the
 * server, the OpenAPI document and the UI. The report itself is ComparisonReport (./perf-report.ts).
 */
import { z } from 'zod';

/** Body of `POST /api/jobs/perf`: compare the served model with compressed variants. */
export const PerfCompareRequestSchema = z
  .object({
    variants: z.array(z.string()).min(1).max(8).describe('variant ids: int8, int8-pc, int8-weights, int8-weights-pc, fp16, prune<N>'),
    iterations: z.number().int().min(1).max(10_000).optional().describe('most timed runs per batch size (default 200)'),
    budgetMs: z.number().min(0).max(60_000).optional().describe('most time per batch size (default 1000)'),
    warmup: z.number().int().min(0).max(1000).optional(),
    batches: z.array(z.number().int().min(1).max(4096)).min(1).max(8).optional().describe('default 1, 8, 64, 256'),
    rows: z.number().int().min(1).max(5000).optional().describe('rows for the agreement check (default 256)'),
  })
  .strict();
export type PerfCompareRequest = z.infer<typeof PerfCompareRequestSchema>;

/** Body of `POST /api/perf/save`: write a variant a finished perf job made beside the model. */
export const PerfSaveRequestSchema = z
  .object({
    id: z.string().describe('a finished perf job (POST /api/jobs/perf)'),
    variant: z.string(),
    overwrite: z.boolean().optional().describe('replace an existing file of that name (default false → 409)'),
  })
  .strict();
export type PerfSaveRequest = z.infer<typeof PerfSaveRequestSchema>;

/** Body of `POST /api/perf/serve`. */
export const PerfServeRequestSchema = z
  .object({
    variant: z.string().describe('"original", or a variant saved beside the model'),
  })
  .strict();

export interface VariantOffer {
  id: string;
  label: string;
  about: string;
}
