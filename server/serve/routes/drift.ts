/**
 * The Drift tab's plain routes beside its job (server/serve/jobs/drift-job.ts, run by the one job
 * runner: `POST /api/jobs/drift` with `source: "files"` or `"live"`, followed and cancelled through
 * `/api/jobs/{id}`):
 *
 *   GET  /api/drift/files   CSV files under the allowed folders (bounded walk) + the registered stat tests
 *   GET  /api/drift/live    the served-rows log: {rows, capacity, since, total, columns, reference}
 *   GET  /api/drift/reports/{job id}?format=html|json|text|junit   a finished check's report, as a download
 *
 * Every `/api/*` route is the owner's (middleware/owner-only): share links and callers without the
 * owner token cannot list files, start, read, list or cancel checks.
 */
import type { Hono } from 'hono';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../drift/report/index';
import type { DriftReport } from '../../protocol/drift';
import { ModelLabError } from '../../protocol/errors';
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
  // The report people keep: the CLI's renderers, as an attachment (the HTML never renders on this origin).
  app.get('/api/drift/reports/:id', (c) => {
    const job = jobs.get(c.req.param('id'));
    if (job?.kind !== 'drift' || job.status !== 'done' || !job.result)
      throw new ModelLabError('no finished drift check with this id (the server keeps the last 10): run the check again', { status: 404 });
    const format = (c.req.query('format') ?? 'html') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new ModelLabError(`format: one of ${REPORT_FORMATS.join(', ')}`, { field: 'format' });
    const ext = { html: 'html', json: 'json', text: 'txt', junit: 'xml' }[format];
    const type = { html: 'text/html', json: 'application/json', text: 'text/plain', junit: 'application/xml' }[format];
    return c.body(renderReport(job.result as DriftReport, format), 200, {
      'Content-Type': `${type}; charset=utf-8`,
      'Content-Disposition': `attachment; filename="drift-report-${job.id}.${ext}"`,
      'X-Content-Type-Options': 'nosniff',
    });
  });
  const live = options.live;
  if (live) app.get('/api/drift/live', (c) => c.json({ ...live.served.status(), reference: live.reference() } satisfies LiveDriftStatus));
}
