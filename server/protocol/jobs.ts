/**
 * The one job protocol: every long operation (performance comparison, drift check, export, and the
 * ones to come) is a job of this shape, run by the one runner in `server/serve/jobs/`, reached over
 * the same routes and followed by the UI's one job client (`webview/app/jobs-client.ts`).
 *
 *   POST   /api/jobs/{kind}        body: that kind's request              → 202 JobState
 *   GET    /api/jobs?kind={kind}   the jobs kept (newest first), without results
 *   GET    /api/jobs/{id}          JobState (with `result` once done)
 *   GET    /api/jobs/{id}/events   SSE: `progress` events, then one `finished` with the final JobState
 *   DELETE /api/jobs/{id}          cancel → 202 JobState
 *
 * All of them need the owner credential: a job reads or writes files on this machine.
 */

import type { DriftReport, DriftRequest } from './drift';
import type { ExplainReport, ExplainRequest } from './explain';
import type { ExportResult } from './export';
import type { ExportRequest } from './export-request';
import type { LoadTestReport, LoadTestRequest } from './loadtest';
import type { PerfCompareRequest } from './perf';
import type { ComparisonReport } from './perf-report';

/**
 * Each kind of job this server runs, with the body its `POST /api/jobs/{kind}` takes and the result a
 * finished job carries. A new kind is one line here, a spec in server/serve/jobs/, and a tab.
 */
export interface JobTypes {
  perf: { request: PerfCompareRequest; result: ComparisonReport };
  drift: { request: DriftRequest; result: DriftReport };
  export: { request: ExportRequest; result: ExportResult };
  loadtest: { request: LoadTestRequest; result: LoadTestReport };
  explain: { request: ExplainRequest; result: ExplainReport };
}

export type JobKind = keyof JobTypes;
export type JobRequest<K extends JobKind> = JobTypes[K]['request'];
export type JobResult<K extends JobKind> = JobTypes[K]['result'];

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** How far a job is. `done`/`total` in the job's own unit; `step` is a sentence for the user. */
export interface JobProgress {
  done: number;
  total: number;
  step: string;
  /** Kind-specific detail (the drift engine's phase and pass, the export's target…). */
  detail?: Record<string, unknown>;
}

/** Why a job failed, as a user can act on it: the message and the HTTP status it would have had. */
export interface JobError {
  message: string;
  status: number;
  /** The field or option the message is about, when there is one. */
  field?: string;
}

export interface JobState<Result = unknown> {
  id: string;
  kind: JobKind;
  status: JobStatus;
  /** ISO time. */
  startedAt: string;
  /** ISO time; null while running. */
  finishedAt: string | null;
  progress: JobProgress;
  /** A short description of what was asked (variants, file names, targets), for lists. */
  summary: string;
  /** The result once `status` is `done`; null otherwise (and in lists). */
  result: Result | null;
  error: JobError | null;
}

/** What `/api/jobs/{id}/events` sends, as SSE events named by `type`. */
export type JobEvent<Result = unknown> =
  { type: 'progress'; id: string; progress: JobProgress } | { type: 'finished'; state: JobState<Result> };

/** `GET /api/jobs` */
export interface JobList {
  jobs: JobState<never>[];
}

/** The URL of each job route, so the server and the UI spell them the same way. */
export const jobRoutes = {
  start: (kind: JobKind) => `/api/jobs/${kind}`,
  list: (kind?: JobKind) => (kind ? `/api/jobs?kind=${kind}` : '/api/jobs'),
  get: (id: string) => `/api/jobs/${encodeURIComponent(id)}`,
  events: (id: string) => `/api/jobs/${encodeURIComponent(id)}/events`,
  cancel: (id: string) => `/api/jobs/${encodeURIComponent(id)}`,
} as const;

export const isFinished = (status: JobStatus): boolean => status !== 'running';
