/**
 * The Drift tab's plain routes beside its job (server/serve/jobs/drift-job.ts, run by the one job
 * runner: `POST /api/jobs/drift` with `source: "files"` or `"live"`, followed and cancelled through
 * `/api/jobs/{id}`):
 *
 *   GET  /api/drift/files   CSV files under the allowed folders (bounded walk) + the registered stat tests
 *   GET  /api/drift/live    the served-rows log: {rows, capacity, since, total, columns, reference}
 *
 * Every `/api/*` route is the owner's (middleware/owner-only): share links and callers without the
 * owner token cannot list files, start, read, list or cancel checks.
 */
import type { Hono } from 'hono';
import type { LiveDriftStatus } from '../../protocol/drift';
import { allowedFiles } from '../jobs/drift-allowed-file';
import { driftJob, type LiveDriftSource } from '../jobs/drift-job';
import type { JobRunner } from '../jobs/runner';
import { listCsvFiles } from './drift-csv-files';

export interface DriftRouteOptions {
  /** Folders whose files (and subfolders' files) may be checked. */
  allowedRoots: string[];
  /** Live drift ("what the server saw"): the served-rows log and the served model's reference CSV. */
  live?: LiveDriftSource;
}

/** Registers the `drift` job kind on `jobs` and the plain routes on `app`. */
export function registerDriftRoutes(app: Hono, jobs: JobRunner, options: DriftRouteOptions): void {
  const files = allowedFiles(options.allowedRoots);
  jobs.register(driftJob(files, options.live));

  app.get('/api/drift/files', async (c) => c.json(await listCsvFiles(await files.roots())));
  const live = options.live;
  if (live) app.get('/api/drift/live', (c) => c.json({ ...live.served.status(), reference: live.reference() } satisfies LiveDriftStatus));
}
