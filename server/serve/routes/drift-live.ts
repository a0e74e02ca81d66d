/**
 * The Drift tab's helpers beside the job routes (routes/drift.ts):
 *
 *   GET  /api/drift/files   CSV files under the allowed folders (bounded walk) + the registered stat tests
 *   GET  /api/drift/live    the served-rows log: {rows, capacity, since, total, columns, reference}
 *   POST /api/drift/live    {options?} → 202 job: "what the server saw" against the served model's reference
 *
 * A live check writes the log to a private temp CSV (the server's own file, so no path check applies),
 * runs the same job as `POST /api/drift`, and deletes the file when the job ends.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { listStatTests, readHeader } from '../../drift/index';
import type { ServedRows } from '../served-rows';
import { readSmallBodyText } from './common';
import type { StartDriftJob } from './drift';
import { DATA_FILE_EXTENSIONS, hasExtension } from './drift-file-types';

/** Largest body of the drift routes: a drift request is a few paths and options. */
export const DRIFT_BODY_LIMIT_BYTES = 256 * 1024;

export interface LiveDriftSource {
  served: ServedRows;
  /** The served model's reference CSV path, or null when the server was started without one. */
  reference(): string | null;
  /** The served model's file, for prediction drift (`options.predictions`). */
  modelPath(): string;
}

export const LiveDriftRequestSchema = z.object({
  options: z.object({
    columns: z.array(z.string()).max(10_000).optional(),
    categorical: z.array(z.string()).max(10_000).optional(),
    stattest: z.record(z.string(), z.string()).optional(),
    stattestAll: z.string().optional(),
    threshold: z.number().min(0).optional(),
    driftShare: z.number().min(0).max(1).optional(),
    alpha: z.number().gt(0).lt(1).optional(),
    mmd: z.boolean().optional(),
    predictions: z.boolean().optional().describe('also test the served model\'s predictions on both sides'),
  }).strict().optional(),
}).strict();

/** Fewer than this many served rows make a check meaningless (and KS/chi-square unstable). */
const MIN_LIVE_ROWS = 2;
const MAX_FILES = 200;
const MAX_DEPTH = 3;
/** Folders never walked: big, generated, or not the user's data. */
const SKIP = new Set(['node_modules', '.git', 'dist', '.test-artifacts', '__pycache__', '.venv', 'venv']);

export interface CsvFileList {
  roots: string[];
  files: { path: string; root: string; relative: string }[];
  truncated: boolean;
  statTests: { name: string; displayName: string; kinds: string[]; defaultThreshold: number }[];
}

/** *.csv under each root, breadth first, at most MAX_DEPTH folders deep and MAX_FILES files in all. */
export async function listCsvFiles(roots: string[]): Promise<CsvFileList> {
  const files: CsvFileList['files'] = [];
  const seen = new Set<string>();
  let truncated = false;
  const unique = [...new Set(roots)];
  for (const root of unique) {
    let level = [root];
    for (let depth = 0; depth <= MAX_DEPTH && level.length && !truncated; depth++) {
      const nextLevel: string[] = [];
      for (const dir of level) {
        let entries;
        try { entries = await readdir(dir, { withFileTypes: true }); } catch { continue; }
        entries.sort((a, b) => a.name.localeCompare(b.name));
        for (const e of entries) {
          const path = join(dir, e.name);
          if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) nextLevel.push(path);
          else if (e.isFile() && hasExtension(e.name, DATA_FILE_EXTENSIONS) && !seen.has(path)) {
            if (files.length >= MAX_FILES) { truncated = true; break; }
            seen.add(path);
            files.push({ path, root, relative: relative(root, path) });
          }
        }
        if (truncated) break;
      }
      level = nextLevel;
    }
  }
  const statTests = listStatTests().map((t) => ({ name: t.name, displayName: t.displayName, kinds: [...t.kinds], defaultThreshold: t.defaultThreshold }));
  return { roots: unique, files, truncated, statTests };
}

interface LiveDriftDeps {
  handle(c: Context, fn: () => Promise<Response>): Promise<Response>;
  startJob: StartDriftJob;
  fail(status: 400 | 403 | 409 | 415, message: string): Error;
}

export function registerLiveDriftRoutes(app: Hono, live: LiveDriftSource, deps: LiveDriftDeps): void {
  const { handle, startJob, fail } = deps;

  app.get('/api/drift/live', (c) => handle(c, async () => {
    if (c.get('shareToken')) throw fail(403, 'the served-rows log is for the server owner, not for shared links');
    return c.json({ ...live.served.status(), reference: live.reference() });
  }));

  app.post('/api/drift/live', (c) => handle(c, async () => {
    if (c.get('shareToken')) throw fail(403, 'drift checks read files on the server: they are for the server owner, not for shared links');
    const text = await readSmallBodyText(c, DRIFT_BODY_LIMIT_BYTES);
    let body: unknown = {};
    if (text.trim()) {
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw fail(415, "send the request as JSON with 'Content-Type: application/json'");
      try { body = JSON.parse(text); } catch (err) { throw fail(400, `request body is not valid JSON: ${(err as Error).message}`); }
    }
    const parsed = LiveDriftRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw fail(400, `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const reference = live.reference();
    if (!reference) throw fail(400, 'this server has no reference CSV to compare what it served against; restart it with --reference <training data.csv>');
    const status = live.served.status();
    if (status.rows < MIN_LIVE_ROWS) throw fail(400, `the server has served ${status.rows} row(s) with named features so far; send some predictions first (at least ${MIN_LIVE_ROWS})`);
    const { predictions, ...options } = parsed.data.options ?? {};
    // Deleted or moved while serving (a file-removed event said so): the model serves from memory, but
    // drift reads the file.
    if (!existsSync(reference)) throw fail(409, `the reference CSV ${basename(reference)} was removed while serving; put it back to check live drift`);
    // The log holds the model's features; the reference may have more (the target): check the common ones.
    const header = await readHeader(reference);
    const columns = options.columns ?? status.columns.filter((c) => header.includes(c));
    if (!columns.length) throw fail(400, `none of the served features (${status.columns.join(', ')}) is a column of the reference ${reference}`);
    const dir = await mkdtemp(join(tmpdir(), 'model-lab-served-'));
    const current = join(dir, 'served-rows.csv');
    try {
      await live.served.writeCsv(current);
      const job = startJob({ reference, current }, { ...options, columns, model: predictions ? live.modelPath() : undefined },
        () => rm(dir, { recursive: true, force: true }));
      return c.json(job as object, 202);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }));
}
