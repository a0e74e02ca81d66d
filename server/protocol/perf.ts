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

/**
 * Body of `POST /api/perf/serve`: serve the original or a variant as a new version of the same model
 * (the published name and its URLs stay). With `id`, a variant not saved yet is saved first, in one action.
 */
export const PerfServeRequestSchema = z
  .object({
    variant: z.string().describe('"original", or a variant id (saved beside the model, or made by the job `id`)'),
    id: z.string().optional().describe('a finished perf job that made the variant: saves it first when no file exists'),
  })
  .strict();

/** Answer of `POST /api/perf/serve`: what is served now, under which unchanged name, and what it replaced. */
export interface PerfServeResult {
  variant: string;
  /** The published model name: the same before and after. */
  name: string;
  /** The OIP version now answering under the plain name. */
  version: string;
  previousVersion: string;
  path: string;
  generation: number;
  /** The file written first when the variant had not been saved yet; null when it existed. */
  saved: string | null;
  /** Every version that exists now (`GET /v2/models/{name}` lists the same). */
  versions: string[];
}

/**
 * The ids of variants Model Lab makes (`int8`, `int8-pc`, `int8-weights`, `int8-weights-pc`, `fp16`,
 * `prune1`…`prune99`): a saved `<model>.<id>.onnx` beside the model is a version of it.
 */
export const VARIANT_ID_PATTERN = /^(?:int8(?:-weights)?(?:-pc)?|fp16|prune[1-9]\d?)$/;

export interface VariantOffer {
  id: string;
  label: string;
  about: string;
}
