/**
 * The drift check over HTTP, for the UI: a job per check (the engine runs off the request path),
 * followed over SSE, read when done, cancellable.
 *
 *   POST   /api/drift              {reference, current, options?} → 202 {id, status, progress}
 *   GET    /api/drift/{id}         the job; `report` (see server/drift/REPORT_SCHEMA.md) once done
 *   GET    /api/drift/{id}/events  SSE: `progress` events (DriftProgress), then one `finished` {id, status, error}
 *   DELETE /api/drift/{id}         cancel → 202
 *
 * File paths come from the client, so each one must resolve — symlinks followed — to a file inside
 * one of `allowedRoots` and be a data file (`.csv`) or, for `options.model`, an `.onnx` model
 * (drift-file-types.ts); anything else is 4xx and never opened. Every `/api/drift*` route is the
 * owner's (middleware/owner-only): share links and callers without the owner token cannot start, read,
 * list or cancel checks.
 */
import { randomUUID } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { CsvFormatError, runDrift, type DriftOptions, type DriftProgress, type DriftReport } from '../../drift/index';
import { readSmallBodyText } from './common';
import { DATA_FILE_EXTENSIONS, hasExtension, MODEL_FILE_EXTENSIONS } from './drift-file-types';
import { DRIFT_BODY_LIMIT_BYTES, listCsvFiles, registerLiveDriftRoutes, type LiveDriftSource } from './drift-live';

export interface DriftRouteOptions {
  /** Folders whose files (and subfolders' files) may be checked. */
  allowedRoots: string[];
  /** Checks running at once (default 2); more → 409. */
  maxRunning?: number;
  /** Live drift ("what the server saw"): the served-rows log and the served model's reference CSV. */
  live?: LiveDriftSource;
}

export const DriftRequestSchema = z.object({
  reference: z.string().min(1).describe('reference CSV path (inside an allowed root)'),
  current: z.string().min(1).describe('current CSV path (inside an allowed root)'),
  options: z.object({
    columns: z.array(z.string()).max(10_000).optional(),
    categorical: z.array(z.string()).max(10_000).optional(),
    stattest: z.record(z.string(), z.string()).optional(),
    stattestAll: z.string().optional(),
    threshold: z.number().min(0).optional(),
    thresholds: z.record(z.string(), z.number().min(0)).optional(),
    driftShare: z.number().min(0).max(1).optional(),
    alpha: z.number().gt(0).lt(1).optional(),
    mmd: z.boolean().optional(),
    mmdRows: z.number().int().min(10).max(2000).optional(),
    memoryBudgetMb: z.number().min(16).max(64_000).optional(),
    cache: z.boolean().optional(),
    model: z.string().min(1).optional().describe('ONNX model path (inside an allowed root) for prediction drift'),
  }).strict().optional(),
}).strict();

type Status = 'running' | 'done' | 'failed' | 'cancelled';

interface DriftJob {
  id: string;
  status: Status;
  startedAt: string;
  progress: DriftProgress | null;
  report: DriftReport | null;
  error: string | null;
  controller: AbortController;
  listeners: Set<(event: DriftJobEvent) => void>;
}

type DriftJobEvent = { type: 'progress'; progress: DriftProgress } | { type: 'finished'; id: string; status: Status; error: string | null };

const KEEP_FINISHED = 10;

export class RequestError extends Error {
  constructor(readonly status: 400 | 403 | 404 | 409 | 415, message: string) {
    super(message);
  }
}

/** Starts a check on files the server already vetted (or wrote); `cleanup` runs once it has finished. */
export type StartDriftJob = (files: { reference: string; current: string }, options: Omit<DriftOptions, 'reference' | 'current' | 'signal' | 'onProgress'>, cleanup?: () => Promise<void>) => unknown;

/** Registers the routes on `app`. Keep one registration per app (the jobs live in this closure). */
export function registerDriftRoutes(app: Hono, options: DriftRouteOptions): void {
  const jobs = new Map<string, DriftJob>();
  const maxRunning = options.maxRunning ?? 2;
  // Each root as given (resolved) and with symlinks followed, so both spellings of a path match.
  const roots = Promise.all(options.allowedRoots.map(async (r) => {
    try {
      return [resolve(r), await realpath(resolve(r))];
    } catch {
      return [resolve(r)];
    }
  })).then((pairs) => pairs.flat());

  /**
   * `path` as a real file path inside an allowed root with one of `extensions` (the link's target too),
   * or a 400/403/404 naming the field.
   */
  const allowedFile = async (field: string, path: string, extensions: readonly string[]): Promise<string> => {
    const outside = () => new RequestError(403, `${field}: '${path}' is outside the folders this server may read`);
    const wrongType = () => new RequestError(400, `${field}: '${path}' is not a ${extensions.join(' or ')} file; drift checks only read those`);
    const isInside = async (p: string) => (await roots).some((root) => {
      const rel = relative(root, p);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });
    // Checked before touching the disk (so nothing outside is even probed), and again after
    // following symlinks (a link inside may point outside).
    const lexical = resolve(path);
    if (!(await isInside(lexical))) throw outside();
    if (!hasExtension(lexical, extensions)) throw wrongType();
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      throw new RequestError(404, `${field}: no such file '${path}'`);
    }
    if (!(await isInside(real))) throw outside();
    if (!hasExtension(real, extensions)) throw wrongType();
    if (!(await stat(real)).isFile()) throw new RequestError(400, `${field}: '${path}' is not a file`);
    return real;
  };

  const view = (job: DriftJob) => ({
    id: job.id, status: job.status, startedAt: job.startedAt, progress: job.progress, error: job.error, report: job.report,
  });

  const emit = (job: DriftJob, event: DriftJobEvent) => { for (const l of job.listeners) l(event); };

  const forgetOldJobs = () => {
    const finished = [...jobs.values()].filter((j) => j.status !== 'running');
    for (const j of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED))) jobs.delete(j.id);
  };

  const handle = async (c: Context, fn: () => Promise<Response>): Promise<Response> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof RequestError) return c.json({ error: err.message }, err.status);
      throw err;
    }
  };

  /** Runs one check as a job (409 when too many run); returns the job's view. */
  const startJob = (files: { reference: string; current: string }, driftOptions: Parameters<StartDriftJob>[1], cleanup?: () => Promise<void>) => {
    const running = [...jobs.values()].filter((j) => j.status === 'running').length;
    if (running >= maxRunning) throw new RequestError(409, `${running} drift checks are already running; wait for one to finish or cancel it`);
    const job: DriftJob = {
      id: randomUUID(), status: 'running', startedAt: new Date().toISOString(), progress: null, report: null, error: null,
      controller: new AbortController(), listeners: new Set(),
    };
    jobs.set(job.id, job);
    let lastEmit = 0;
    runDrift({
      ...driftOptions, reference: files.reference, current: files.current, signal: job.controller.signal,
      onProgress: (progress) => {
        // The engine reports every MiB; the stream gets phase changes and at most ~10 updates a second.
        const phaseChanged = job.progress?.phase !== progress.phase || job.progress?.pass !== progress.pass;
        job.progress = progress;
        const now = Date.now();
        if (!phaseChanged && now - lastEmit < 100) return;
        lastEmit = now;
        emit(job, { type: 'progress', progress });
      },
    }).then((report) => {
      job.status = 'done';
      job.report = report;
    }, (err: unknown) => {
      job.status = job.controller.signal.aborted ? 'cancelled' : 'failed';
      // Bad input (malformed CSV, unknown column or test) is the check's outcome, reported in the job.
      job.error = err instanceof CsvFormatError || err instanceof Error ? (err as Error).message : String(err);
    }).finally(async () => {
      await cleanup?.().catch(() => undefined);
      emit(job, { type: 'finished', id: job.id, status: job.status, error: job.error });
      forgetOldJobs();
    });
    return view(job);
  };

  // Before `/api/drift/:id`, so `files` and `live` are not taken for job ids.
  app.get('/api/drift/files', (c) => handle(c, async () => {
    if (c.get('shareToken')) throw new RequestError(403, 'the file list is for the server owner, not for shared links');
    return c.json(await listCsvFiles(await roots));
  }));
  if (options.live) registerLiveDriftRoutes(app, options.live, { handle, startJob, fail: (status, message) => new RequestError(status, message) });

  app.post('/api/drift', (c) => handle(c, async () => {
    if (c.get('shareToken')) throw new RequestError(403, 'drift checks read files on the server: they are for the server owner, not for shared links');
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') throw new RequestError(415, "send the request as JSON with 'Content-Type: application/json'");
    // Bounded while reading (413), not after: a 200 MiB body must not be buffered to be refused.
    const text = await readSmallBodyText(c, DRIFT_BODY_LIMIT_BYTES);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new RequestError(400, `request body is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = DriftRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new RequestError(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const request = parsed.data;
    const reference = await allowedFile('reference', request.reference, DATA_FILE_EXTENSIONS);
    const current = await allowedFile('current', request.current, DATA_FILE_EXTENSIONS);
    const model = request.options?.model ? await allowedFile('options.model', request.options.model, MODEL_FILE_EXTENSIONS) : undefined;
    return c.json(startJob({ reference, current }, { ...request.options, model }), 202);
  }));

  const requireJob = (id: string) => {
    const job = jobs.get(id);
    if (!job) throw new RequestError(404, `no drift check '${id}' (finished checks are kept until ${KEEP_FINISHED} newer ones exist)`);
    return job;
  };

  app.get('/api/drift/:id', (c) => handle(c, async () => c.json(view(requireJob(c.req.param('id'))))));

  app.delete('/api/drift/:id', (c) => handle(c, async () => {
    const job = requireJob(c.req.param('id'));
    if (job.status === 'running') job.controller.abort();
    return c.json({ id: job.id, status: job.status }, 202);
  }));

  app.get('/api/drift/:id/events', (c) => handle(c, async () => {
    const job = requireJob(c.req.param('id'));
    return streamSSE(c, async (stream) => {
      const queue: DriftJobEvent[] = [];
      let wake: (() => void) | undefined;
      let closed = false;
      const listener = (event: DriftJobEvent) => { queue.push(event); wake?.(); };
      job.listeners.add(listener);
      stream.onAbort(() => { closed = true; wake?.(); });
      try {
        if (job.status !== 'running') {
          await stream.writeSSE({ event: 'finished', data: JSON.stringify({ type: 'finished', id: job.id, status: job.status, error: job.error }) });
          return;
        }
        if (job.progress) await stream.writeSSE({ event: 'progress', data: JSON.stringify({ type: 'progress', progress: job.progress }) });
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
        job.listeners.delete(listener);
      }
    });
  }));
}
