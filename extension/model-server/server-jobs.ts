/**
 * Runs one job (server/protocol/jobs.ts) on a supervised model server, with the server's admin credential
 * (the owner): start it, poll its state for progress, cancel it with DELETE when the signal aborts. The
 * same routes and runner the lab panel's tabs use, so a command and a tab share one code path.
 *
 * Plain Node (no `vscode` import). Errors carry the server's own words (`{"error"}` of a 4xx, or the
 * failed job's message); a cancelled job rejects with CancelledError.
 */
import { CancelledError } from '../../server/protocol/errors';
import {
  isFinished,
  jobRoutes,
  type JobKind,
  type JobProgress,
  type JobRequest,
  type JobResult,
  type JobState,
} from '../../server/protocol/jobs';

/** What a job needs of a ModelServer: requests with the admin credential. */
export interface JobServer {
  adminFetch(path: string, init?: RequestInit): Promise<Response>;
}

export interface RunJobOptions {
  onProgress?: (progress: JobProgress) => void;
  /** Aborting cancels the job on the server and rejects with CancelledError once it has stopped. */
  signal?: AbortSignal;
  /** Milliseconds between two reads of the job's state. Default 200. */
  pollMs?: number;
}

/** A job the server refused or that failed, with the server's message. */
export class ServerJobError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServerJobError';
  }
}

/** Reads a JSON body; a non-2xx answer becomes a ServerJobError with the server's `error` text. */
async function readJson<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ServerJobError(`the server answered ${res.status} with something that is not JSON`, res.status);
  }
  if (!res.ok) {
    const error = (body as { error?: unknown; field?: unknown }).error;
    const field = (body as { field?: unknown }).field;
    throw new ServerJobError(
      typeof error === 'string' ? error : `the server answered ${res.status}`,
      res.status,
      typeof field === 'string' ? field : undefined,
    );
  }
  return body as T;
}

const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });

/** Starts a job of `kind` and resolves with its finished state (`done`); rejects when it fails or is cancelled. */
export async function runServerJob<K extends JobKind>(
  server: JobServer,
  kind: K,
  request: JobRequest<K>,
  options: RunJobOptions = {},
): Promise<JobState<JobResult<K>>> {
  const { signal, onProgress } = options;
  const pollMs = options.pollMs ?? 200;
  if (signal?.aborted) throw new CancelledError();
  let state = await readJson<JobState<JobResult<K>>>(
    await server.adminFetch(jobRoutes.start(kind), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
    }),
  );
  const id = state.id;
  let cancelled = false;
  while (!isFinished(state.status)) {
    onProgress?.(state.progress);
    await sleep(pollMs, cancelled ? undefined : signal);
    if (signal?.aborted && !cancelled) {
      cancelled = true;
      // The runner aborts the engine and ends the job `cancelled`; keep reading until it has.
      await server.adminFetch(jobRoutes.cancel(id), { method: 'DELETE' }).then(
        (r) => r.body?.cancel(),
        () => undefined,
      );
    }
    state = await readJson<JobState<JobResult<K>>>(await server.adminFetch(jobRoutes.get(id)));
  }
  if (state.status === 'cancelled' || cancelled) throw new CancelledError(`the ${kind} job was cancelled`);
  if (state.status === 'failed' || !state.result)
    throw new ServerJobError(state.error?.message ?? `the ${kind} job failed`, state.error?.status ?? 500, state.error?.field);
  onProgress?.(state.progress);
  return state;
}
