/**
 * The Performance tab's calls to `/api/perf*` (see server/serve/routes/perf.ts), over the same origin and
 * token as the rest of the UI; job progress follows the job's SSE stream.
 */
import type { ComparisonReport, Machine } from '../../../server/bench/schema';
import type { ServerClient } from '../client';

export interface VariantOffer { id: string; label: string; about: string }

export interface PerfInfo {
  model: { name: string; path: string };
  served: string;
  variants: VariantOffer[];
  defaults: string[];
  machine: Machine;
}

export interface JobProgress { done: number; total: number; step: string }

export interface JobState {
  id: string;
  status: 'running' | 'done' | 'failed' | 'cancelled';
  progress: JobProgress;
  report: ComparisonReport | null;
  error: string | null;
}

export interface CompareRequest { variants: string[]; budgetMs?: number; iterations?: number; rows?: number }

export interface PerfClient {
  info(): Promise<PerfInfo>;
  start(request: CompareRequest): Promise<JobState>;
  get(id: string): Promise<JobState>;
  cancel(id: string): Promise<JobState>;
  save(id: string, variant: string, overwrite: boolean): Promise<{ path: string; sidecar: string | null }>;
  serve(variant: string): Promise<{ path: string; generation: number }>;
  /** Follows a job until it finishes; returns a function that stops following. */
  follow(id: string, onProgress: (p: JobProgress) => void, onFinished: (state: JobState) => void): () => void;
}

export function createPerfClient(client: ServerClient): PerfClient {
  const origin = client.origin;

  const call = <T = unknown>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> => client.json<T>(method, path, body);

  return {
    info: () => call<PerfInfo>('GET', '/api/perf'),
    start: (request) => call<JobState>('POST', '/api/perf/compare', request),
    get: (id) => call<JobState>('GET', `/api/perf/${encodeURIComponent(id)}`),
    cancel: (id) => call<JobState>('DELETE', `/api/perf/${encodeURIComponent(id)}`),
    save: (id, variant, overwrite) => call('POST', '/api/perf/save', { id, variant, overwrite }),
    serve: (variant) => call('POST', '/api/perf/serve', { variant }),
    follow(id, onProgress, onFinished) {
      const url = `${origin}/api/perf/${encodeURIComponent(id)}/events${client.token ? `?token=${encodeURIComponent(client.token)}` : ''}`;
      const source = new EventSource(url);
      let finished = false;
      source.addEventListener('progress', (e) => {
        try { onProgress((JSON.parse((e as MessageEvent).data) as { progress: JobProgress }).progress); } catch { /* ignore malformed */ }
      });
      source.addEventListener('finished', (e) => {
        finished = true;
        source.close();
        try { onFinished((JSON.parse((e as MessageEvent).data) as { state: JobState }).state); } catch { /* ignore malformed */ }
      });
      // A dropped stream: ask for the state once instead of reconnecting forever.
      source.onerror = () => {
        if (finished) return;
        source.close();
        void call<JobState>('GET', `/api/perf/${encodeURIComponent(id)}`).then((state) => {
          if (state.status === 'running') setTimeout(() => this.follow(id, onProgress, onFinished), 1000);
          else onFinished(state);
        }, () => undefined);
      };
      return () => { finished = true; source.close(); };
    },
  };
}
