/**
 * The Performance tab's calls: the comparison is a `perf` job (the one jobs client: start, follow,
 * cancel); beside it the plain routes of server/serve/routes/perf.ts (info, save a variant, serve it; the
 * report downloads are plain links to `/api/perf/report/{id}`).
 */
import type { JobProgress, JobState } from '../../../server/protocol/jobs';
import type { PerfCompareRequest, PerfServeResult, VariantOffer } from '../../../server/protocol/perf';
import type { ComparisonReport, Machine } from '../../../server/protocol/perf-report';
import type { ServerClient } from '../client';
import { createJobsClient } from '../jobs-client';

export interface PerfInfo {
  model: { name: string; path: string };
  served: string;
  variants: VariantOffer[];
  defaults: string[];
  machine: Machine;
}

export type PerfJob = JobState<ComparisonReport>;

export interface PerfClient {
  info(): Promise<PerfInfo>;
  start(request: PerfCompareRequest): Promise<PerfJob>;
  cancel(id: string): Promise<unknown>;
  save(id: string, variant: string, overwrite: boolean): Promise<{ path: string; sidecar: string | null }>;
  /** Serves the original or a variant as a new version of the model; with the job `id`, saves an unsaved variant first. */
  serve(variant: string, id: string | null): Promise<PerfServeResult>;
  /** Follows a job until it finishes; returns a function that stops following. */
  follow(id: string, onProgress: (p: JobProgress) => void, onFinished: (state: PerfJob) => void): () => void;
}

export function createPerfClient(client: ServerClient): PerfClient {
  const jobs = createJobsClient(client);
  return {
    info: () => client.json<PerfInfo>('GET', '/api/perf'),
    start: (request) => jobs.start('perf', request),
    cancel: (id) => jobs.cancel(id),
    save: (id, variant, overwrite) => client.json('POST', '/api/perf/save', { id, variant, overwrite }),
    serve: (variant, id) => client.json('POST', '/api/perf/serve', id ? { variant, id } : { variant }),
    follow: (id, onProgress, onFinished) => jobs.follow(id, onProgress, onFinished),
  };
}
