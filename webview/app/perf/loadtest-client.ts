/**
 * The load test's and the capacity planner's calls: the test is a `loadtest` job (the one jobs client:
 * start, follow, cancel); the planner and its saved plan are the plain routes of
 * server/serve/routes/loadtest.ts; the report downloads from a plain link.
 */
import type { JobProgress, JobState } from '../../../server/protocol/jobs';
import type { CapacityInput, CapacityPlan, LoadTestReport, LoadTestRequest, SavedPlanInfo } from '../../../server/protocol/loadtest';
import type { ServerClient } from '../client';
import { createJobsClient } from '../jobs-client';

export type LoadTestJob = JobState<LoadTestReport>;

export interface LoadTestClient {
  start(request: LoadTestRequest): Promise<LoadTestJob>;
  cancel(id: string): Promise<unknown>;
  follow(id: string, onProgress: (p: JobProgress) => void, onFinished: (state: LoadTestJob) => void): () => void;
  /** The plan from load test `id` (or, without one, the saved plan's load test). */
  plan(id: string | null, input: CapacityInput): Promise<{ plan: CapacityPlan }>;
  save(id: string | null, input: CapacityInput): Promise<{ plan: CapacityPlan; file: string }>;
  saved(): Promise<SavedPlanInfo>;
  /** Where the finished report downloads as JSON (the token in the query: a link cannot send headers). */
  reportUrl(id: string): string;
}

export function createLoadTestClient(client: ServerClient): LoadTestClient {
  const jobs = createJobsClient(client);
  const body = (id: string | null, input: CapacityInput) => (id ? { id, input } : { input });
  return {
    start: (request) => jobs.start('loadtest', request),
    cancel: (id) => jobs.cancel(id),
    follow: (id, onProgress, onFinished) => jobs.follow(id, onProgress, onFinished),
    plan: (id, input) => client.json('POST', '/api/perf/capacity', body(id, input)),
    save: (id, input) => client.json('POST', '/api/perf/capacity/save', body(id, input)),
    saved: () => client.json('GET', '/api/perf/capacity'),
    reportUrl(id) {
      const url = new URL(`${client.origin}/api/perf/loadtest/report/${encodeURIComponent(id)}`);
      if (client.token) url.searchParams.set('token', client.token);
      return url.href;
    },
  };
}
