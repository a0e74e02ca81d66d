/**
 * Comparison jobs for the HTTP face: one runs at a time (a benchmark shares the CPU with the server,
 * and two at once would time each other), the last few are kept for `GET`, each reports progress to
 * its listeners and can be cancelled. Runs off the request path: starting one returns at once.
 */
import { randomUUID } from 'node:crypto';
import type { CompressResult } from '../compress/index';
import { compareVariants, type CompareOptions } from './compare';
import type { ComparisonReport, Progress } from './schema';

export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled';

/** What `GET /api/perf/{id}` answers and the last SSE event carries. */
export interface PerfJobState {
  id: string;
  status: JobStatus;
  progress: Progress;
  variants: string[];
  startedAt: string;
  report: ComparisonReport | null;
  error: string | null;
}

export type PerfJobEvent =
  | { type: 'progress'; id: string; progress: Progress }
  | { type: 'finished'; state: PerfJobState };

interface Job {
  state: PerfJobState;
  modelPath: string;
  results: Map<string, CompressResult>;
  abort: AbortController;
  listeners: Set<(event: PerfJobEvent) => void>;
}

export class JobConflictError extends Error {
  constructor(readonly runningId: string) {
    super(`a comparison is already running (${runningId}); wait for it or cancel it (DELETE /api/perf/${runningId})`);
    this.name = 'JobConflictError';
  }
}

export interface PerfJobs {
  start(modelPath: string, options: CompareOptions): PerfJobState;
  get(id: string): PerfJobState | undefined;
  /** The variant bytes a finished job made (for saving). */
  result(id: string, variant: string): { modelPath: string; result: CompressResult } | undefined;
  cancel(id: string): PerfJobState | undefined;
  list(): PerfJobState[];
  /** Subscribe to one job's events; returns an unsubscribe function. */
  subscribe(id: string, listener: (event: PerfJobEvent) => void): () => void;
  /** Cancels whatever runs and waits for it to stop. */
  close(): Promise<void>;
}

export function createPerfJobs(options: { keep?: number } = {}): PerfJobs {
  const keep = options.keep ?? 5;
  const jobs = new Map<string, Job>();
  let running: { job: Job; done: Promise<void> } | null = null;

  function emit(job: Job, event: PerfJobEvent): void {
    for (const listener of [...job.listeners]) {
      try { listener(event); } catch { /* a broken listener must not stop the job */ }
    }
  }

  function prune(): void {
    const finished = [...jobs.values()].filter((j) => j.state.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - keep))) jobs.delete(job.state.id);
  }

  return {
    start(modelPath, compareOptions) {
      if (running) throw new JobConflictError(running.job.state.id);
      const id = randomUUID();
      const abort = new AbortController();
      const job: Job = {
        state: { id, status: 'running', progress: { done: 0, total: 1, step: 'loading the model' }, variants: compareOptions.variants, startedAt: new Date().toISOString(), report: null, error: null },
        modelPath, results: new Map(), abort, listeners: new Set(),
      };
      jobs.set(id, job);
      const done = (async () => {
        try {
          const { report, results } = await compareVariants(modelPath, {
            ...compareOptions,
            signal: abort.signal,
            onProgress: (progress) => { job.state.progress = progress; emit(job, { type: 'progress', id, progress }); },
          });
          job.state.report = report;
          job.results = results;
          job.state.status = 'done';
        } catch (err) {
          job.state.status = abort.signal.aborted ? 'cancelled' : 'failed';
          job.state.error = abort.signal.aborted ? 'cancelled' : (err as Error).message;
        } finally {
          running = null;
          emit(job, { type: 'finished', state: job.state });
          job.listeners.clear();
          prune();
        }
      })();
      running = { job, done };
      return job.state;
    },
    get: (id) => jobs.get(id)?.state,
    result(id, variant) {
      const job = jobs.get(id);
      const result = job?.results.get(variant);
      return job && result ? { modelPath: job.modelPath, result } : undefined;
    },
    cancel(id) {
      const job = jobs.get(id);
      if (job?.state.status === 'running') job.abort.abort();
      return job?.state;
    },
    list: () => [...jobs.values()].map((j) => j.state),
    subscribe(id, listener) {
      const job = jobs.get(id);
      if (!job) return () => undefined;
      job.listeners.add(listener);
      return () => job.listeners.delete(listener);
    },
    async close() {
      if (!running) return;
      running.job.abort.abort();
      await running.done;
    },
  };
}
