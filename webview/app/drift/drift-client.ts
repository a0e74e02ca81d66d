/**
 * The Drift tab's calls: a check is a `drift` job (the one jobs client: start, follow, cancel) from
 * two CSV files or from what the server served; beside it the plain routes of
 * server/serve/routes/drift.ts (the files on offer, the served-rows log).
 */
import type { DriftFileList, DriftProgress, DriftReport, LiveDriftStatus } from '../../../server/protocol/drift';
import type { JobProgress, JobState } from '../../../server/protocol/jobs';
import type { ServerClient } from '../client';
import { createJobsClient } from '../jobs-client';

export type { DriftProgress };
export type DriftJob = JobState<DriftReport>;
export type DriftFiles = DriftFileList;
export type LiveStatus = LiveDriftStatus;

/** Options the tab sends; `model` (file checks) / `predictions` (live) turn prediction drift on. */
export interface DriftRunOptions {
  stattestAll?: string;
  threshold?: number;
  model?: string;
  predictions?: boolean;
  mmd?: boolean;
  /** The served signature's target column: reported as target drift (ignored when the files lack it). */
  target?: string;
}

export interface DriftClient {
  files(): Promise<DriftFiles>;
  live(): Promise<LiveStatus>;
  start(reference: string, current: string, options: DriftRunOptions): Promise<DriftJob>;
  startLive(options: DriftRunOptions): Promise<DriftJob>;
  cancel(id: string): Promise<unknown>;
  /** Follows a job until it finishes (its final state carries the report); returns a function that stops following. */
  follow(id: string, onProgress: (p: DriftProgress) => void, onFinished: (job: DriftJob) => void): () => void;
}

/** The drift engine's own progress, which the drift job sends as its progress `detail`. */
const driftProgressOf = (p: JobProgress): DriftProgress | undefined =>
  p.detail && typeof p.detail['phase'] === 'string' ? (p.detail as unknown as DriftProgress) : undefined;

export function createDriftClient(client: ServerClient): DriftClient {
  const jobs = createJobsClient(client);
  return {
    files: () => client.json<DriftFiles>('GET', '/api/drift/files'),
    live: () => client.json<LiveStatus>('GET', '/api/drift/live'),
    start: (reference, current, { predictions: _ignored, ...options }) =>
      jobs.start('drift', { source: 'files', reference, current, options }),
    startLive: ({ model: _ignored, ...options }) => jobs.start('drift', { source: 'live', options }),
    cancel: (id) => jobs.cancel(id),
    follow: (id, onProgress, onFinished) =>
      jobs.follow<DriftReport>(
        id,
        (p) => {
          const progress = driftProgressOf(p);
          if (progress) onProgress(progress);
        },
        onFinished,
      ),
  };
}
