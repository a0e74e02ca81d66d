/**
 * The Drift tab's calls to `/api/drift*` (server/serve/routes/drift.ts and drift-live.ts), over the same
 * origin and token as the rest of the UI; a running check is followed over its SSE stream.
 */
import type { DriftProgress } from '../../../server/drift/index';
import type { DriftReport } from '../../../server/drift/report/types';
import type { ServerClient } from '../client';

export type { DriftProgress };

export interface DriftJob {
  id: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  progress: DriftProgress | null;
  error: string | null;
  report: DriftReport | null;
}

export interface DriftFiles {
  roots: string[];
  files: { path: string; root: string; relative: string }[];
  truncated: boolean;
  statTests: { name: string; displayName: string; kinds: string[]; defaultThreshold: number }[];
}

export interface LiveStatus { rows: number; capacity: number; since: string | null; total: number; columns: string[]; reference: string | null }

/** Options the tab sends; `model` (file checks) / `predictions` (live) turn prediction drift on. */
export interface DriftRunOptions { stattestAll?: string; threshold?: number; model?: string; predictions?: boolean; mmd?: boolean }

export interface DriftClient {
  files(): Promise<DriftFiles>;
  live(): Promise<LiveStatus>;
  start(reference: string, current: string, options: DriftRunOptions): Promise<DriftJob>;
  startLive(options: DriftRunOptions): Promise<DriftJob>;
  get(id: string): Promise<DriftJob>;
  cancel(id: string): Promise<unknown>;
  /** Follows a job until it finishes (then fetches it for the report); returns a function that stops following. */
  follow(id: string, onProgress: (p: DriftProgress) => void, onFinished: (job: DriftJob) => void): () => void;
}

export function createDriftClient(client: ServerClient): DriftClient {
  const origin = client.origin;

  const call = <T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => client.json<T>(method, path, body);

  const job = (id: string) => `/api/drift/${encodeURIComponent(id)}`;
  const fileOptions = (o: DriftRunOptions) => {
    const { predictions: _ignored, ...rest } = o;
    return rest;
  };
  const liveOptions = (o: DriftRunOptions) => {
    const { model: _ignored, ...rest } = o;
    return rest;
  };

  const client_: DriftClient = {
    files: () => call<DriftFiles>('GET', '/api/drift/files'),
    live: () => call<LiveStatus>('GET', '/api/drift/live'),
    start: (reference, current, options) => call<DriftJob>('POST', '/api/drift', { reference, current, options: fileOptions(options) }),
    startLive: (options) => call<DriftJob>('POST', '/api/drift/live', { options: liveOptions(options) }),
    get: (id) => call<DriftJob>('GET', job(id)),
    cancel: (id) => call('DELETE', job(id)),
    follow(id, onProgress, onFinished) {
      const url = `${origin}${job(id)}/events${client.token ? `?token=${encodeURIComponent(client.token)}` : ''}`;
      const source = new EventSource(url);
      let stopped = false;
      const finish = () => {
        if (stopped) return;
        stopped = true;
        source.close();
        // The `finished` event carries the status, not the report: read the job once for it.
        client_.get(id).then(onFinished, (err: Error) => onFinished({ id, status: 'failed', progress: null, report: null, error: err.message }));
      };
      source.addEventListener('progress', (e) => {
        try { onProgress((JSON.parse((e as MessageEvent).data) as { progress: DriftProgress }).progress); } catch { /* ignore malformed */ }
      });
      source.addEventListener('finished', finish);
      // A dropped stream: ask for the state instead of reconnecting forever.
      source.onerror = () => {
        if (stopped) return;
        source.close();
        void client_.get(id).then((state) => {
          if (stopped) return;
          if (state.status === 'running') {
            stopped = true;
            setTimeout(() => client_.follow(id, onProgress, onFinished), 500);
          } else finish();
        }, () => finish());
      };
      return () => { stopped = true; source.close(); };
    },
  };
  return client_;
}
