/**
 * The UI's one client for every job (server/protocol/jobs.ts): start, follow over SSE, read, cancel.
 * Each tab names its kind and gets its result typed; nothing here is specific to a tab.
 */
import {
  jobRoutes,
  type JobEvent,
  type JobKind,
  type JobProgress,
  type JobRequest,
  type JobResult,
  type JobState,
} from '../../server/protocol/jobs';
import type { ServerClient } from './client';

export type { JobKind, JobProgress, JobState };

export interface JobsClient {
  /** Starts a job of `kind` with that kind's request; refusals (4xx) reject with a ServerError. */
  start<K extends JobKind>(kind: K, request: JobRequest<K>): Promise<JobState<JobResult<K>>>;
  get<Result>(id: string): Promise<JobState<Result>>;
  cancel(id: string): Promise<JobState<never>>;
  list(kind?: JobKind): Promise<JobState<never>[]>;
  /**
   * Follows a job until it finishes, then reads its final state (with the result). A dropped stream is
   * answered by reading the state and following again while it still runs. Returns a function that stops following.
   */
  follow<Result>(id: string, onProgress: (progress: JobProgress) => void, onFinished: (state: JobState<Result>) => void): () => void;
}

const RETRY_MS = 1000;

export function createJobsClient(client: ServerClient): JobsClient {
  const jobs: JobsClient = {
    start: <K extends JobKind>(kind: K, request: JobRequest<K>) =>
      client.json<JobState<JobResult<K>>>('POST', jobRoutes.start(kind), request),
    get: (id) => client.json('GET', jobRoutes.get(id)),
    cancel: (id) => client.json('DELETE', jobRoutes.cancel(id)),
    list: async (kind) => (await client.json<{ jobs: JobState<never>[] }>('GET', jobRoutes.list(kind))).jobs,
    follow<Result>(id: string, onProgress: (progress: JobProgress) => void, onFinished: (state: JobState<Result>) => void) {
      let stopped = false;
      let source: EventSource | undefined;
      let retry: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        // The finished event carries the state; read it again so a result too large for one event still arrives.
        void jobs.get<Result>(id).then(
          (state) => {
            if (!stopped) {
              stopped = true;
              onFinished(state);
            }
          },
          () => undefined,
        );
      };
      const open = (): void => {
        const token = client.token ? `?token=${encodeURIComponent(client.token)}` : '';
        source = new EventSource(`${client.origin}${jobRoutes.events(id)}${token}`);
        source.addEventListener('progress', (e) => {
          try {
            const event = JSON.parse((e as MessageEvent<string>).data) as JobEvent;
            if (event.type === 'progress' && !stopped) onProgress(event.progress);
          } catch {
            /* not ours: ignore malformed events */
          }
        });
        source.addEventListener('finished', () => {
          source?.close();
          finish();
        });
        source.onerror = () => {
          source?.close();
          if (stopped) return;
          void jobs.get<Result>(id).then(
            (state) => {
              if (stopped) return;
              if (state.status === 'running') retry = setTimeout(open, RETRY_MS);
              else {
                stopped = true;
                onFinished(state);
              }
            },
            () => undefined,
          );
        };
      };
      open();
      return () => {
        stopped = true;
        source?.close();
        if (retry) clearTimeout(retry);
      };
    },
  };
  return jobs;
}
