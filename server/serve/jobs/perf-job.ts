/**
 * The `perf` job: compare the served model with compressed variants (server/bench). One at a time — a
 * benchmark shares the CPU with the server, and two at once would time each other.
 *
 * The variants' bytes stay here, never in the job's result (which goes to the UI as JSON): the last few
 * jobs' variants are kept so `POST /api/perf/save` can write one beside the model.
 */
import { compareVariants } from '../../bench/index';
import type { CompressResult } from '../../compress/index';
import { parseVariant } from '../../compress/index';
import { ModelLabError } from '../../protocol/errors';
import type { JobRequest, JobResult } from '../../protocol/jobs';
import { PerfCompareRequestSchema } from '../../protocol/perf';
import type { JobSpec } from './runner';

/** Finished comparisons whose variants can still be saved (matches the jobs the runner keeps). */
const KEEP = 5;

export interface PerfJob {
  spec: JobSpec<JobRequest<'perf'>, JobResult<'perf'>>;
  /** The bytes of `variant` as job `id` made it, or undefined when that job or variant is gone. */
  variantOf(id: string, variant: string): CompressResult | undefined;
}

/** @param modelPath the model the lab compares and saves beside (the one the server started with). */
export function perfJob(modelPath: string, referenceCsv: string | undefined): PerfJob {
  const made = new Map<string, Map<string, CompressResult>>();
  const spec: PerfJob['spec'] = {
    kind: 'perf',
    schema: PerfCompareRequestSchema,
    maxRunning: 1,
    keep: KEEP,
    bodyLimitBytes: 64 * 1024,
    prepare(request) {
      const variants = [...new Set(request.variants.map((v) => v.trim().toLowerCase()))];
      for (const v of variants) {
        try {
          parseVariant(v);
        } catch (err) {
          throw new ModelLabError((err as Error).message, { field: 'variants' });
        }
      }
      return {
        summary: variants.join(', '),
        async run(control) {
          control.progress({ done: 0, total: 1, step: 'loading the model' });
          const { report, results } = await compareVariants(modelPath, {
            variants,
            referenceCsv,
            signal: control.signal,
            iterations: request.iterations,
            budgetMs: request.budgetMs,
            warmup: request.warmup,
            batches: request.batches,
            agreementRows: request.rows,
            onProgress: (p) => control.progress(p),
          });
          made.set(control.id, results);
          for (const id of [...made.keys()].slice(0, Math.max(0, made.size - KEEP))) made.delete(id);
          return report;
        },
      };
    },
  };
  return { spec, variantOf: (id, variant) => made.get(id)?.get(variant) };
}
