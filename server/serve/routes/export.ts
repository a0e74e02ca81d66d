/**
 * Deployment bundles from the UI (the Export tab) — dev server only: the production bundle build
 * leaves this module out, so a deployed server can never write files on its host. The export itself is
 * a job (server/serve/jobs/export-job.ts: `POST /api/jobs/export`, followed and cancelled through
 * `/api/jobs/{id}`); beside it:
 *
 *   GET  /api/export                     → {exportRoot, running, last, lastJob, variants}
 *   POST /api/export/precheck            {targets?, variant?} → PrecheckResult
 *   GET  /api/export/bundle/{id}/zip     → the bundle of a finished export job, as a streamed zip
 *   GET  /api/export/bundle/{id}/readme  → its README.md, as text to read in the browser
 *
 * Every `/api/*` route is the owner's (middleware/owner-only): a share link never exports.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Hono } from 'hono';
import { listVariants, variantPathBeside } from '../../compress/index';
import type { ExportResult, ExportStatus } from '../../protocol/export';
import { ExportRequestSchema } from '../../protocol/export-request';
import { describeZodError } from '../../protocol/schemas';
import { asJobFailure } from '../jobs/engine-errors';
import { exportJob, exportRoot, originalModelPath } from '../jobs/export-job';
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
    const modelPath = originalModelPath(ctx.host);
    const served = ctx.host.servedVersion?.();
    return c.json({
      exportRoot: exportRoot(ctx.host.current().info.path),
      running: exports.some((j) => j.status === 'running'),
      last,
      lastJob: last ? lastDone!.id : null,
      variants: listVariants().map((v) => ({ ...v, saved: existsSync(variantPathBeside(modelPath, v.id)) })),
      servedVariant: served !== undefined && listVariants().some((v) => v.id === served) ? served : null,
    } satisfies ExportStatus);
  });

  /** The folder of a finished export job, or a 404 that says what to do. */
  const bundleOf = async (id: string): Promise<string> => {
    const job = jobs.get(id);
    const result = job?.kind === 'export' && job.status === 'done' ? (job.result as ExportResult | null) : null;
    if (!result) throw new HttpError(404, `no finished export '${id.slice(0, 60)}' (the last five are kept); click Export bundle again`);
    if (!existsSync(result.outDir) || !(await stat(result.outDir)).isDirectory())
      throw new HttpError(404, `the bundle folder ${result.outDir} is gone; click Export bundle again`);
    return result.outDir;
  };

  app.get('/api/export/bundle/:id/zip', async (c) => {
    const dir = await bundleOf(c.req.param('id'));
    const { zipBundle } = await import('../../export/index');
    const name = basename(dir);
    const zip = await zipBundle(dir, name);
    return c.body(zip.stream, 200, {
      'Content-Type': 'application/zip',
      'Content-Disposition': `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, '_')}.zip"`,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
    });
  });

  app.get('/api/export/bundle/:id/readme', async (c) => {
    const dir = await bundleOf(c.req.param('id'));
    const path = join(dir, 'README.md');
    if (!existsSync(path) || (await stat(path)).size > 1024 ** 2) throw new HttpError(404, `${path} is missing`);
    // Plain text, so the browser shows it (and never runs anything in it).
    return c.body(await readFile(path, 'utf8'), 200, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'",
    });
  });

  app.post('/api/export/precheck', async (c) => {
    const parsed = ExportRequestSchema.safeParse(await readJsonBody(c, ctx.bodyLimitBytes));
    if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
    const { precheckExport } = await import('../../export/index');
    try {
      return c.json(
        await precheckExport(originalModelPath(ctx.host), {
          targets: parsed.data.targets,
          variant: parsed.data.variant,
          // The explanation report is computed on the served model's reference CSV: the pre-check says when there is none.
          referenceCsv: ctx.host.current().reference?.path,
        }),
      );
    } catch (err) {
      throw asJobFailure(err);
    }
  });
  return app;
}
