/**
 * The one job runner: every long operation the server runs for the UI (performance comparison, drift
 * check, export, …) is registered here as a {@link JobSpec} and run the same way — off the request
 * path, with progress to listeners, cancellable, its outcome kept for a while for `GET`.
 *
 * A kind is one spec: a zod schema for its request, `prepare` (checks that need the machine — files,
 * the served model — and answer the request at once with a 4xx when they fail), and the `run` it
 * returns. Adding a kind of job is adding a spec; the routes (`./routes.ts`) and the UI's client come free.
 *
 * @example
 * const runner = createJobRunner();
 * runner.register({
 *   kind: 'drift', schema: DriftJobRequestSchema, maxRunning: 2,
 *   prepare: async (req) => ({ summary: `${req.reference} → ${req.current}`, run: (ctl) => runDrift({ ...req, signal: ctl.signal }) }),
 * });
 * const state = await runner.start('drift', body); // 202 with state; follow runner.subscribe(state.id, …)
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CancelledError, isCancellation, ModelLabError } from '../../protocol/errors';
import type { JobError, JobEvent, JobKind, JobProgress, JobState } from '../../protocol/jobs';
import { describeZodError } from '../../protocol/schemas';

/** What a running job may do besides its work. */
export interface JobControl {
  id: string;
  /** Aborted when the job is cancelled or the server shuts down. */
  signal: AbortSignal;
  /** Reports progress; cheap to call often (listeners get step changes and at most ~10 updates a second). */
  progress(progress: JobProgress): void;
}

/** A job that passed its checks and is ready to run. */
export interface PreparedJob<Result> {
  /** What was asked, in a few words (shown in job lists). */
  summary: string;
  run(control: JobControl): Promise<Result>;
  /** Runs once the job has finished, whatever the outcome (temporary files…). */
  cleanup?(): Promise<void>;
}

export interface JobSpec<Request = unknown, Result = unknown> {
  kind: JobKind;
  schema: z.ZodType<Request>;
  /** Jobs of this kind running at once; one more → 409. Default 1. */
  maxRunning?: number;
  /** Finished jobs of this kind kept for `GET`. Default 10. */
  keep?: number;
  /** Largest request body, in bytes. Default 256 KiB. */
  bodyLimitBytes?: number;
  /** Checks the request against the machine; throws a ModelLabError to refuse it. */
  prepare(request: Request): Promise<PreparedJob<Result>> | PreparedJob<Result>;
}

interface Job {
  state: JobState;
  abort: AbortController;
  listeners: Set<(event: JobEvent) => void>;
  done: Promise<void>;
}

export interface JobRunner {
  register<Request, Result>(spec: JobSpec<Request, Result>): void;
  /** The spec of a kind, or undefined when none is registered. */
  spec(kind: string): JobSpec | undefined;
  /** Validates `body` with the kind's schema, prepares and starts the job; resolves to its first state. */
  start(kind: string, body: unknown): Promise<JobState>;
  get(id: string): JobState | undefined;
  /** Jobs kept, newest first, without results. */
  list(kind?: JobKind): JobState<never>[];
  cancel(id: string): JobState | undefined;
  /** Follows one job; returns the unsubscribe function. */
  subscribe(id: string, listener: (event: JobEvent) => void): () => void;
  /** Resolves when the job has finished (immediately for a finished or unknown job). */
  settled(id: string): Promise<void>;
  /** Cancels every running job and waits for them to stop. */
  close(): Promise<void>;
}

const DEFAULT_KEEP = 10;
const PROGRESS_INTERVAL_MS = 100;

/** A job's failure as the user sees it: our messages as they are, a fault of ours without internals. */
export function jobErrorOf(err: unknown): JobError {
  if (err instanceof ModelLabError) return { message: err.message, status: err.status, ...(err.field ? { field: err.field } : {}) };
  return { message: 'the job failed because of an internal error; the server log has the details', status: 500 };
}

export function createJobRunner(options: { log?: (line: string) => void } = {}): JobRunner {
  const specs = new Map<string, JobSpec>();
  const jobs = new Map<string, Job>();
  /** Starts of each kind still in `prepare` (which awaits): they count against maxRunning too. */
  const preparing = new Map<string, number>();
  const log = options.log ?? ((line: string) => process.stderr.write(`model-lab: ${line}\n`));

  const emit = (job: Job, event: JobEvent): void => {
    for (const listener of [...job.listeners]) {
      try {
        listener(event);
      } catch {
        /* a broken listener (closed stream) must not stop the job */
      }
    }
  };

  const forgetOld = (kind: JobKind): void => {
    const keep = specs.get(kind)?.keep ?? DEFAULT_KEEP;
    const finished = [...jobs.values()].filter((j) => j.state.kind === kind && j.state.status !== 'running');
    for (const job of finished.slice(0, Math.max(0, finished.length - keep))) jobs.delete(job.state.id);
  };

  const runner: JobRunner = {
    register(spec) {
      if (specs.has(spec.kind)) throw new Error(`job kind '${spec.kind}' is registered twice`);
      specs.set(spec.kind, spec);
    },
    spec: (kind) => specs.get(kind),
    async start(kind, body) {
      const spec = specs.get(kind);
      if (!spec) throw new ModelLabError(`no job kind '${kind.slice(0, 40)}'; kinds: ${[...specs.keys()].join(', ')}`, { status: 404 });
      const parsed = spec.schema.safeParse(body);
      if (!parsed.success) throw new ModelLabError(describeZodError(parsed.error));
      const running =
        [...jobs.values()].filter((j) => j.state.kind === spec.kind && j.state.status === 'running').length +
        (preparing.get(spec.kind) ?? 0);
      const limit = spec.maxRunning ?? 1;
      if (running >= limit) {
        throw new ModelLabError(
          `${running === 1 ? 'one' : running} ${spec.kind} job${running === 1 ? ' is' : 's are'} ` +
            `already running; wait for ${running === 1 ? 'it' : 'one'} to finish or cancel it`,
          { status: 409 },
        );
      }
      preparing.set(spec.kind, (preparing.get(spec.kind) ?? 0) + 1);
      let prepared: PreparedJob<unknown>;
      try {
        prepared = await spec.prepare(parsed.data);
      } finally {
        preparing.set(spec.kind, preparing.get(spec.kind)! - 1);
      }
      const id = randomUUID();
      const abort = new AbortController();
      const state: JobState = {
        id,
        kind: spec.kind,
        status: 'running',
        startedAt: new Date().toISOString(),
        finishedAt: null,
        progress: { done: 0, total: 1, step: 'starting' },
        summary: prepared.summary,
        result: null,
        error: null,
      };
      const job: Job = { state, abort, listeners: new Set(), done: Promise.resolve() };
      jobs.set(id, job);
      let lastEmit = 0;
      const control: JobControl = {
        id,
        signal: abort.signal,
        progress(progress) {
          const stepChanged = progress.step !== state.progress.step;
          state.progress = progress;
          const now = Date.now();
          if (!stepChanged && now - lastEmit < PROGRESS_INTERVAL_MS) return;
          lastEmit = now;
          emit(job, { type: 'progress', id, progress });
        },
      };
      job.done = (async () => {
        try {
          const result = await prepared.run(control);
          if (abort.signal.aborted) throw new CancelledError();
          state.result = result;
          state.status = 'done';
        } catch (err) {
          if (isCancellation(err, abort.signal)) {
            state.status = 'cancelled';
            state.error = { message: 'cancelled', status: 409 };
          } else {
            state.status = 'failed';
            state.error = jobErrorOf(err);
            if (!(err instanceof ModelLabError)) log(`${spec.kind} job ${id} failed: ${(err as Error)?.stack ?? String(err)}`);
          }
        } finally {
          await prepared.cleanup?.().catch(() => undefined);
          state.finishedAt = new Date().toISOString();
          emit(job, { type: 'finished', state });
          job.listeners.clear();
          forgetOld(spec.kind);
        }
      })();
      return state;
    },
    get: (id) => jobs.get(id)?.state,
    list: (kind) =>
      [...jobs.values()]
        .filter((j) => kind === undefined || j.state.kind === kind)
        .map((j) => ({ ...j.state, result: null }))
        .reverse(),
    cancel(id) {
      const job = jobs.get(id);
      if (job?.state.status === 'running') job.abort.abort();
      return job?.state;
    },
    subscribe(id, listener) {
      const job = jobs.get(id);
      if (!job) return () => undefined;
      job.listeners.add(listener);
      return () => {
        job.listeners.delete(listener);
      };
    },
    settled: async (id) => {
      await jobs.get(id)?.done;
    },
    async close() {
      const running = [...jobs.values()].filter((j) => j.state.status === 'running');
      for (const job of running) job.abort.abort();
      await Promise.all(running.map((j) => j.done));
    },
  };
  return runner;
}
