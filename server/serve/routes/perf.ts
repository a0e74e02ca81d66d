/**
 * The Performance tab's plain routes beside its job (server/serve/jobs/perf-job.ts, run by the one job
 * runner: `POST /api/jobs/perf`, followed and cancelled through `/api/jobs/{id}`):
 *
 *   GET    /api/perf                 variants on offer, this machine, recent perf jobs
 *   POST   /api/perf/save            {id, variant, overwrite?} → writes `<model>.<variant>.onnx` beside the model
 *   POST   /api/perf/serve           {variant, id?} → serves the original or a variant (saved first from job
 *                                    `id` when no file exists) as a new version under the same model name
 *   GET    /api/perf/report/{id}     ?format=json|csv → the comparison of a finished job, as a download
 *
 * File paths are computed here from the served model's path, never taken from the client. Every
 * `/api/*` route is the owner's (middleware/owner-only): a share link may not look, start, save or switch.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Hono } from 'hono';
import type { z } from 'zod';
import { comparisonCsv, describeMachine } from '../../bench/index';
import { DEFAULT_VARIANTS, listVariants, parseVariant, variantPathBeside, writeVariantFile } from '../../compress/index';
import { decodeModel } from '../../model/index';
import { PerfSaveRequestSchema, PerfServeRequestSchema, type PerfServeResult } from '../../protocol/perf';
import type { ComparisonReport } from '../../protocol/perf-report';
import { ModelLabError } from '../../protocol/errors';
import { describeZodError } from '../../protocol/schemas';
import { perfJob } from '../jobs/perf-job';
import type { JobRunner } from '../jobs/runner';
import { HttpError, readJsonBody, type RouteContext } from './common';

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new HttpError(400, describeZodError(result.error));
  return result.data;
}

/** The session config a saved variant asks for in its own metadata (`model_lab.session_config`). */
async function sessionConfigOf(path: string): Promise<Record<string, string>> {
  try {
    const model = decodeModel(await readFile(path));
    const entry = model.metadataProps.find((p) => p.key === 'model_lab.session_config');
    const parsed = entry?.value ? (JSON.parse(entry.value) as unknown) : {};
    return parsed && typeof parsed === 'object' ? Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) : {};
  } catch {
    return {};
  }
}

/** Registers the `perf` job kind on `jobs` and returns the plain routes beside it. */
export function perfRoutes(ctx: RouteContext, jobs: JobRunner): Hono {
  const app = new Hono();
  // The model the lab compares and saves beside: the one the server started with (even while a variant is served).
  const original = ctx.host.current();
  const modelPath = original.info.path;
  const referenceCsv = original.reference?.path;
  const perf = perfJob(modelPath, referenceCsv);
  jobs.register(perf.spec);

  app.get('/api/perf', (c) =>
    c.json({
      model: { name: original.info.name, path: modelPath },
      served: ctx.host.current().info.path,
      variants: listVariants(),
      defaults: DEFAULT_VARIANTS,
      machine: describeMachine(),
      jobs: jobs.list('perf'),
    }),
  );

  app.post('/api/perf/save', async (c) => {
    const request = parse(PerfSaveRequestSchema, await readJsonBody(c, 64 * 1024));
    const job = jobs.get(request.id);
    if (job?.kind !== 'perf')
      throw new HttpError(404, `no perf job '${request.id.slice(0, 60)}' (finished jobs are kept until five newer ones exist)`);
    const made = perf.variantOf(request.id, request.variant);
    if (!made)
      throw new HttpError(404, `job '${request.id.slice(0, 60)}' has no working '${request.variant.slice(0, 40)}' variant to save`);
    const target = variantPathBeside(modelPath, made.spec.id);
    // The UI offers "Replace it" beside this message; an API caller sends `overwrite: true`.
    if (existsSync(target) && !request.overwrite) throw new HttpError(409, `${basename(target)} is already saved beside the model`);
    // A CompressError is a ModelLabError (400): app.onError answers it.
    const written = await writeVariantFile(modelPath, made, target, { overwrite: true, loadOptions: { referenceCsv } });
    return c.json({ variant: made.spec.id, path: written.path, sidecar: written.sidecar ?? null, fileBytes: made.fileBytes });
  });

  app.post('/api/perf/serve', async (c) => {
    const request = parse(PerfServeRequestSchema, await readJsonBody(c, 64 * 1024));
    const host = ctx.host;
    if (!host.switchTo) throw new HttpError(501, 'this server cannot switch models');
    let path = modelPath;
    let saved: string | null = null;
    if (request.variant !== 'original') {
      let id: string;
      try {
        id = parseVariant(request.variant).id;
        path = variantPathBeside(modelPath, id);
      } catch (err) {
        throw new ModelLabError((err as Error).message, { status: 400, field: 'variant' });
      }
      if (!existsSync(path)) {
        // One action: a variant the comparison made but nobody saved yet is saved, then served.
        const made = request.id === undefined ? undefined : perf.variantOf(request.id, id);
        if (!made) {
          throw new HttpError(
            404,
            `the ${id} variant is not saved (${basename(path)}) and no recent comparison made it; ` +
              `run a comparison with ${id}, then serve it`,
          );
        }
        saved = (await writeVariantFile(modelPath, made, path, { overwrite: false, loadOptions: { referenceCsv } })).path;
      }
    }
    const name = host.current().info.name;
    const previousVersion = host.servedVersion?.() ?? '1';
    try {
      const generation = await host.switchTo(path, { sessionConfig: await sessionConfigOf(path) });
      const result: PerfServeResult = {
        variant: request.variant,
        name: host.current().info.name,
        version: host.servedVersion?.() ?? '1',
        previousVersion,
        path,
        generation,
        saved,
        versions: host.versions?.().available.map((v) => v.version) ?? [],
      };
      return c.json(result);
    } catch (err) {
      throw new HttpError(
        400,
        `could not serve ${basename(path)}: ${(err as Error).message}; still serving ${name} version ${previousVersion}`,
      );
    }
  });

  app.get('/api/perf/report/:id', (c) => {
    const id = c.req.param('id');
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && format !== 'csv')
      throw new ModelLabError(`format must be json or csv, not '${format.slice(0, 20)}'`, { field: 'format' });
    const job = jobs.get(id);
    const report = job?.kind === 'perf' && job.status === 'done' ? (job.result as ComparisonReport | null) : null;
    if (!report) throw new HttpError(404, `no finished comparison '${id.slice(0, 60)}' (the last five are kept); run the comparison again`);
    const file = `${original.info.name}-performance-${report.startedAt.replace(/[-:]/g, '').replace(/\..*$/, '')}`.replace(
      /[^A-Za-z0-9._-]/g,
      '_',
    );
    c.header('Content-Disposition', `attachment; filename="${file}.${format}"`);
    c.header('X-Content-Type-Options', 'nosniff');
    if (format === 'csv') return c.body(comparisonCsv(report), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
    return c.body(`${JSON.stringify(report, null, 2)}\n`, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  return app;
}
