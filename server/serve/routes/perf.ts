/**
 * The Performance tab's plain routes beside its job (server/serve/jobs/perf-job.ts, run by the one job
 * runner: `POST /api/jobs/perf`, followed and cancelled through `/api/jobs/{id}`):
 *
 *   GET    /api/perf                 variants on offer, this machine, recent perf jobs
 *   POST   /api/perf/save            {id, variant, overwrite?} → writes `<model>.<variant>.onnx` beside the model
 *   POST   /api/perf/serve           {variant} ("original" or a saved variant) → serves that file
 *
 * File paths are computed here from the served model's path, never taken from the client. Every
 * `/api/*` route is the owner's (middleware/owner-only): a share link may not look, start, save or switch.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import type { z } from 'zod';
import { describeMachine } from '../../bench/index';
import { DEFAULT_VARIANTS, listVariants, parseVariant, variantPathBeside, writeVariantFile } from '../../compress/index';
import { decodeModel } from '../../model/index';
import { PerfSaveRequestSchema, PerfServeRequestSchema } from '../../protocol/perf';
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
    if (existsSync(target) && !request.overwrite)
      throw new HttpError(409, `${target} already exists; send "overwrite": true to replace it`);
    // A CompressError is a ModelLabError (400): app.onError answers it.
    const written = await writeVariantFile(modelPath, made, target, { overwrite: true, loadOptions: { referenceCsv } });
    return c.json({ variant: made.spec.id, path: written.path, sidecar: written.sidecar ?? null, fileBytes: made.fileBytes });
  });

  app.post('/api/perf/serve', async (c) => {
    const request = parse(PerfServeRequestSchema, await readJsonBody(c, 64 * 1024));
    if (!ctx.host.switchTo) throw new HttpError(501, 'this server cannot switch models');
    let path = modelPath;
    if (request.variant !== 'original') {
      try {
        path = variantPathBeside(modelPath, parseVariant(request.variant).id);
      } catch (err) {
        throw new HttpError(400, (err as Error).message);
      }
      if (!existsSync(path)) throw new HttpError(404, `${path} does not exist; save the ${request.variant} variant first`);
    }
    try {
      const generation = await ctx.host.switchTo(path, { sessionConfig: await sessionConfigOf(path) });
      return c.json({ variant: request.variant, path, generation });
    } catch (err) {
      throw new HttpError(400, `could not serve ${path}: ${(err as Error).message}; still serving the previous model`);
    }
  });

  return app;
}
