/**
 * The Export tab's calls: the export is an `export` job (the one jobs client: start, follow, cancel);
 * beside it the plain routes of server/serve/routes/export.ts (pre-check, where bundles go and the last
 * result). Aborting the signal cancels the job, and the server leaves nothing behind.
 */
import type { ExportResult, ExportStatus, PrecheckResult } from '../../../server/protocol/export';
import type { ExportRequest } from '../../../server/protocol/export-request';
import type { JobProgress, JobState } from '../../../server/protocol/jobs';
import { ServerError, type ServerClient } from '../client';
import { createJobsClient } from '../jobs-client';

export type { ExportRequest, ExportStatus };

/** Thrown with the server's message; `unavailable` when this server has no export routes (a deployed bundle). */
export class ExportCallError extends Error {
  constructor(
    message: string,
    readonly unavailable = false,
  ) {
    super(message);
    this.name = 'ExportCallError';
  }
}

export interface ExportClient {
  status(): Promise<ExportStatus>;
  precheck(request: Omit<ExportRequest, 'folder' | 'force'>): Promise<PrecheckResult>;
  /** Runs an export job to its end: its id and result, or an ExportCallError (failed, cancelled, refused). */
  run(request: ExportRequest, onProgress: (p: JobProgress) => void, signal: AbortSignal): Promise<{ job: string; result: ExportResult }>;
  /** Where the finished job's bundle downloads as a zip, and where its README reads (plain links, with the token). */
  links(job: string): { zip: string; readme: string };
}

/** A refusal as the tab shows it: a 404 means this server has no export (a deployed bundle). */
function callError(err: unknown): ExportCallError {
  if (err instanceof ExportCallError) return err;
  return new ExportCallError((err as Error).message, err instanceof ServerError && err.status === 404);
}

export function createExportClient(server: ServerClient): ExportClient {
  const jobs = createJobsClient(server);
  const call = async <T>(promise: Promise<T>): Promise<T> => {
    try {
      return await promise;
    } catch (err) {
      throw callError(err);
    }
  };
  const link = (job: string, what: 'zip' | 'readme'): string => {
    const url = new URL(`${server.origin}/api/export/bundle/${encodeURIComponent(job)}/${what}`);
    if (server.token) url.searchParams.set('token', server.token);
    return url.href;
  };
  return {
    links: (job) => ({ zip: link(job, 'zip'), readme: link(job, 'readme') }),
    status: () => call(server.json<ExportStatus>('GET', '/api/export')),
    precheck: (request) => call(server.json<PrecheckResult>('POST', '/api/export/precheck', request)),
    async run(request, onProgress, signal) {
      if (signal.aborted) throw new ExportCallError('export cancelled');
      const started = await call(jobs.start('export', request));
      onProgress(started.progress);
      const state = await new Promise<JobState<ExportResult>>((resolve) => {
        const stop = jobs.follow<ExportResult>(started.id, onProgress, (final) => {
          signal.removeEventListener('abort', cancel);
          resolve(final);
        });
        // Cancelling asks the server to stop; the job's final state (cancelled) still arrives through follow.
        const cancel = (): void => {
          jobs.cancel(started.id).catch(() => {
            stop();
            resolve({ ...started, status: 'cancelled' });
          });
        };
        signal.addEventListener('abort', cancel, { once: true });
      });
      if (state.status === 'done' && state.result) return { job: started.id, result: state.result };
      if (state.status === 'cancelled') throw new ExportCallError('export cancelled');
      throw new ExportCallError(state.error?.message ?? 'the export ended without a result');
    },
  };
}
