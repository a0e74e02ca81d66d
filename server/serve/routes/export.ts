/**
 * Deployment bundles from the UI (the Export tab) — dev server only: the production bundle build
 * leaves this module out, so a deployed server can never write files on its host. The export itself is
 * a job (server/serve/jobs/export-job.ts: `POST /api/jobs/export`, followed and cancelled through
 * `/api/jobs/{id}`); beside it:
 *
 *   GET  /api/export            → {exportRoot, running, last}
 *   POST /api/export/precheck   {targets?, variant?} → PrecheckResult
 *
 * Every `/api/*` route is the owner's (middleware/owner-only): a share link never exports.
 */
import { Hono } from 'hono';
import type { ExportResult, ExportStatus } from '../../protocol/export';
import { ExportRequestSchema } from '../../protocol/export-request';
import { describeZodError } from '../../protocol/schemas';
import { asJobFailure } from '../jobs/engine-errors';
import { exportJob, exportRoot } from '../jobs/export-job';
import type { JobRunner } from '../jobs/runner';
import { HttpError, readJsonBody, type RouteContext } from './common';

/** Registers the `export` job kind on `jobs` and returns the plain routes beside it. */
export function exportRoutes(ctx: RouteContext, jobs: JobRunner): Hono {
  const app = new Hono();
  jobs.register(exportJob(ctx.host, ctx.bodyLimitBytes));

  app.get('/api/export', (c) => {
    const exports = jobs.list('export');
    const lastDone = exports.find((j) => j.status === 'done');
    const last = lastDone ? ((jobs.get(lastDone.id)?.result as ExportResult | null | undefined) ?? null) : null;
    return c.json({
      exportRoot: exportRoot(ctx.host.current().info.path),
      running: exports.some((j) => j.status === 'running'),
      last,
    } satisfies ExportStatus);
  });

  app.post('/api/export/precheck', async (c) => {
    const parsed = ExportRequestSchema.safeParse(await readJsonBody(c, ctx.bodyLimitBytes));
    if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
    const { precheckExport } = await import('../../export/index');
    try {
      return c.json(await precheckExport(ctx.host.current().info.path, { targets: parsed.data.targets, variant: parsed.data.variant }));
    } catch (err) {
      throw asJobFailure(err);
    }
  });
  return app;
}
