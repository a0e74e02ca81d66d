/**
 * The Performance tab's API: start a comparison of the served model with compressed variants (a job,
 * off the request path), follow it over SSE, read or cancel it, save a variant beside the model, and
 * switch the server to a saved variant (or back) through the host's reload path.
 *
 *   GET    /api/perf                 variants on offer, this machine, recent jobs
 *   POST   /api/perf/compare         {variants, iterations?, budgetMs?, batches?, rows?} → 202 job state
 *   GET    /api/perf/{id}            job state (report when done)
 *   GET    /api/perf/{id}/events     SSE: `progress` events, then one `finished` with the final state
 *   DELETE /api/perf/{id}            cancel
 *   POST   /api/perf/save            {id, variant, overwrite?} → writes `<model>.<variant>.onnx` beside the model
 *   POST   /api/perf/serve           {variant} ("original" or a saved variant) → serves that file
 *
 * File paths are computed here from the served model's path, never taken from the client. A caller that
 * came in on a share link may look but not start jobs, write files or switch the model.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Context } from 'hono';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { createPerfJobs, describeMachine, JobConflictError, type PerfJobEvent } from '../../bench/index';
import { CompressError, DEFAULT_VARIANTS, listVariants, parseVariant, variantPathBeside, writeVariantFile } from '../../compress/index';
import { decodeModel } from '../../model/index';
import { describeZodError } from '../../protocol/schemas';
import { HttpError, readJsonBody, type RouteContext } from './common';

export const PerfCompareRequestSchema = z.object({
  variants: z.array(z.string()).min(1).max(8).describe('variant ids: int8, int8-pc, int8-weights, int8-weights-pc, fp16, prune<N>'),
  iterations: z.number().int().min(1).max(10_000).optional().describe('most timed runs per batch size (default 200)'),
  budgetMs: z.number().min(0).max(60_000).optional().describe('most time per batch size (default 1000)'),
  warmup: z.number().int().min(0).max(1000).optional(),
  batches: z.array(z.number().int().min(1).max(4096)).min(1).max(8).optional().describe('default 1, 8, 64, 256'),
  rows: z.number().int().min(1).max(5000).optional().describe('rows for the agreement check (default 256)'),
}).strict();

export const PerfSaveRequestSchema = z.object({
  id: z.string().describe('a finished comparison job'),
  variant: z.string(),
  overwrite: z.boolean().optional().describe('replace an existing file of that name (default false → 409)'),
}).strict();

export const PerfServeRequestSchema = z.object({
  variant: z.string().describe('"original", or a variant saved beside the model'),
}).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) throw new HttpError(400, describeZodError(result.error));
  return result.data;
}

function ownerOnly(c: Context): void {
  if (c.get('shareToken')) throw new HttpError(403, 'the performance lab can start benchmarks, write files and switch the served model: it is for the server owner, not for shared links');
}

/** The session config a saved variant asks for in its own metadata (`model_lab.session_config`). */
async function sessionConfigOf(path: string): Promise<Record<string, string>> {
  try {
    const model = decodeModel(await readFile(path));
    const entry = model.metadataProps.find((p) => p.key === 'model_lab.session_config');
    const parsed = entry?.value ? JSON.parse(entry.value) as unknown : {};
    return parsed && typeof parsed === 'object' ? Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string> : {};
  } catch {
    return {};
  }
}

export function perfRoutes(ctx: RouteContext): Hono {
  const app = new Hono();
  const jobs = createPerfJobs();
  // The model the lab compares and saves beside: the one the server started with (even while a variant is served).
  const original = ctx.host.current();
  const modelPath = original.info.path;
  const referenceCsv = original.reference?.path;

  app.get('/api/perf', (c) => c.json({
    model: { name: original.info.name, path: modelPath },
    served: ctx.host.current().info.path,
    variants: listVariants(),
    defaults: DEFAULT_VARIANTS,
    machine: describeMachine(),
    jobs: jobs.list().map(({ report: _report, ...rest }) => rest),
  }));

  app.post('/api/perf/compare', async (c) => {
    ownerOnly(c);
    const request = parse(PerfCompareRequestSchema, await readJsonBody(c, 64 * 1024));
    try {
      request.variants.forEach(parseVariant);
    } catch (err) {
      throw new HttpError(400, (err as Error).message);
    }
    try {
      const state = jobs.start(modelPath, {
        variants: [...new Set(request.variants.map((v) => v.trim().toLowerCase()))], referenceCsv,
        iterations: request.iterations, budgetMs: request.budgetMs, warmup: request.warmup, batches: request.batches, agreementRows: request.rows,
      });
      return c.json(state, 202);
    } catch (err) {
      if (err instanceof JobConflictError) throw new HttpError(409, err.message);
      throw err;
    }
  });

  const requireJob = (id: string) => {
    const state = jobs.get(id);
    if (!state) throw new HttpError(404, `no comparison job '${id}' (finished jobs are kept until five newer ones exist)`);
    return state;
  };

  app.get('/api/perf/:id', (c) => c.json(requireJob(c.req.param('id'))));

  app.delete('/api/perf/:id', (c) => {
    ownerOnly(c);
    requireJob(c.req.param('id'));
    return c.json(jobs.cancel(c.req.param('id'))!, 202);
  });

  app.get('/api/perf/:id/events', (c) => {
    const id = c.req.param('id');
    const initial = requireJob(id);
    return streamSSE(c, async (stream) => {
      const queue: PerfJobEvent[] = [];
      let wake: (() => void) | undefined;
      let closed = false;
      const unsubscribe = jobs.subscribe(id, (event) => { queue.push(event); wake?.(); });
      stream.onAbort(() => { closed = true; wake?.(); });
      try {
        if (initial.status !== 'running') {
          await stream.writeSSE({ event: 'finished', data: JSON.stringify({ type: 'finished', state: initial }) });
          return;
        }
        await stream.writeSSE({ event: 'progress', data: JSON.stringify({ type: 'progress', id, progress: initial.progress }) });
        while (!closed) {
          const event = queue.shift();
          if (event) {
            await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
            if (event.type === 'finished') break;
          } else {
            await new Promise<void>((resolve) => { wake = resolve; });
            wake = undefined;
          }
        }
      } finally {
        unsubscribe();
      }
    });
  });

  app.post('/api/perf/save', async (c) => {
    ownerOnly(c);
    const request = parse(PerfSaveRequestSchema, await readJsonBody(c, 64 * 1024));
    requireJob(request.id);
    const made = jobs.result(request.id, request.variant);
    if (!made) throw new HttpError(404, `job '${request.id}' has no working '${request.variant}' variant to save`);
    const target = variantPathBeside(made.modelPath, made.result.spec.id);
    if (existsSync(target) && !request.overwrite) throw new HttpError(409, `${target} already exists; send "overwrite": true to replace it`);
    try {
      const written = await writeVariantFile(made.modelPath, made.result, target, { overwrite: true, loadOptions: { referenceCsv } });
      return c.json({ variant: made.result.spec.id, path: written.path, sidecar: written.sidecar ?? null, fileBytes: made.result.fileBytes });
    } catch (err) {
      if (err instanceof CompressError) throw new HttpError(400, err.message);
      throw err;
    }
  });

  app.post('/api/perf/serve', async (c) => {
    ownerOnly(c);
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
