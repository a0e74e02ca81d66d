/**
 * Deployment bundles from the UI (the Export tab) — dev server only: the production bundle build
 * replaces this module with an empty one, so a deployed server can never write files on its host.
 *
 *   POST /api/export/precheck  {targets?, variant?}                    → PrecheckResult
 *   POST /api/export           {targets?, variant?, folder?, force?}   → SSE: `progress`…, then `result` or `error`
 *   GET  /api/export                                                   → {exportRoot, running, last}
 *
 * The bundle folder is chosen on the server: a plain folder name (no path) inside the export root,
 * `MODEL_LAB_EXPORT_ROOT` or else `model-lab-exports/` beside the served model. One export at a time;
 * closing the stream cancels it (nothing is left behind). Requests made with a share-link token get 403.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Hono, type Context, type Next } from 'hono';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import type { ExportResult } from '../../export/types';
import { describeZodError } from '../../protocol/schemas';
import { HttpError, readJsonBody, type RouteContext } from './common';

const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** Body of `POST /api/export` and `/api/export/precheck` (also documents them in the OpenAPI file). */
export const ExportRequestSchema = z.object({
  targets: z.array(z.string()).optional().describe('onnx, docker, k8s, kserve, triton, tfjs (default: all; onnx always)'),
  variant: z.string().optional().describe('a compressed variant from the compress engine, e.g. int8'),
  folder: z.string().optional().describe('a plain folder name inside the export root (default: <model>-<timestamp>)'),
  force: z.boolean().optional().describe('replace a non-empty folder once the new bundle is complete'),
}).strict();
type ExportRequest = z.infer<typeof ExportRequestSchema>;

/** The root every bundle goes under (created on first export). */
export function exportRoot(modelPath: string): string {
  return resolve(process.env.MODEL_LAB_EXPORT_ROOT || join(dirname(modelPath), 'model-lab-exports'));
}

/** A folder name inside the root, refusing paths, `..`, hidden names and symlinks. */
export function bundleFolder(root: string, folder: string): string {
  if (!FOLDER_NAME.test(folder) || folder.includes('..')) {
    throw new HttpError(400, `folder '${folder.slice(0, 60)}' must be a plain folder name (letters, digits, '.', '_', '-'; no path), created inside ${root}`);
  }
  const path = resolve(root, folder);
  if (!path.startsWith(root + sep)) throw new HttpError(400, `folder '${folder}' is outside the export root ${root}`);
  if (existsSync(path) && lstatSync(path).isSymbolicLink()) throw new HttpError(400, `${path} is a symbolic link; choose another folder name`);
  return path;
}

function parseRequest(body: unknown): ExportRequest {
  const parsed = ExportRequestSchema.safeParse(body);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  return parsed.data;
}

function defaultFolder(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${name}-${stamp}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

const asHttpError = (err: unknown): Error =>
  ['ExportError', 'ModelLoadError', 'CsvError'].includes((err as Error).name) ? new HttpError(400, (err as Error).message) : (err as Error);

export function exportRoutes(ctx: RouteContext): Hono {
  const app = new Hono();
  let running = false;
  let last: ExportResult | null = null;

  // A share link is for trying the model: it must never write files on the host. Share-token requests
  // carry `shareToken` (set by auth.ts); the local user and the admin credential do not.
  const ownerOnly = async (c: Context, next: Next): Promise<void | Response> => {
    if (c.get('shareToken') !== undefined) throw new HttpError(403, 'exporting a bundle is not available through a share link');
    await next();
  };
  app.use('/api/export', ownerOnly);
  app.use('/api/export/*', ownerOnly);

  app.get('/api/export', (c) => c.json({ exportRoot: exportRoot(ctx.host.current().info.path), running, last }));

  app.post('/api/export/precheck', async (c) => {
    const req = parseRequest(await readJsonBody(c, ctx.bodyLimitBytes));
    const { precheckExport } = await import('../../export');
    try {
      return c.json(await precheckExport(ctx.host.current().info.path, { targets: req.targets, variant: req.variant }));
    } catch (err) {
      throw asHttpError(err);
    }
  });

  app.post('/api/export', async (c) => {
    const req = parseRequest(await readJsonBody(c, ctx.bodyLimitBytes));
    const model = ctx.host.current();
    const root = exportRoot(model.info.path);
    const outDir = bundleFolder(root, req.folder || defaultFolder(model.info.name));
    const { exportBundle, normalizeTargets } = await import('../../export');
    let targets;
    try {
      targets = normalizeTargets(req.targets);
    } catch (err) {
      throw asHttpError(err);
    }
    // Refused before the stream starts, so the client gets a plain 4xx it can show.
    if (!req.force && existsSync(outDir) && readdirSync(outDir).length > 0) {
      throw new HttpError(409, `${outDir} is not empty; choose another folder name, or export with force to replace it`);
    }
    if (running) throw new HttpError(409, 'an export is already running; wait for it to finish');
    running = true;
    const controller = new AbortController();
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => controller.abort());
      try {
        const result = await exportBundle(model.info.path, {
          outDir, targets, variant: req.variant, force: req.force, referenceCsv: model.reference?.path, signal: controller.signal,
          onProgress: (p) => { stream.writeSSE({ event: 'progress', data: JSON.stringify(p) }).catch(() => undefined); },
        });
        last = result;
        await stream.writeSSE({ event: 'result', data: JSON.stringify(result) });
      } catch (err) {
        await stream.writeSSE({ event: 'error', data: JSON.stringify({ error: (err as Error).message.split('\n')[0] }) }).catch(() => undefined);
      } finally {
        running = false;
      }
    });
  });
  return app;
}
