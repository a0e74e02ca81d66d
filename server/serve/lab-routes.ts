/**
 * The lab: performance, drift and export jobs on the one job runner, their plain routes, and the job
 * routes (`/api/jobs*`). The dev server (`model-lab serve`, the extension's child) passes
 * {@link mountLabRoutes} to createApp; the exported bundle's entry (bundle-entry.ts) does not import this
 * file, so esbuild leaves it — and the engines behind it (bench, compress, drift, export) — out of the
 * bundle by plain tree-shaking, with no plugin or stub.
 *
 * @example
 * const app = createApp(host, { labRoutes: mountLabRoutes, jobs });
 * // or, owning the job runner's lifetime (startServer): startServer({ ..., lab: createLab })
 */
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import type { Hono } from 'hono';
import type { ModelHost } from './host';
import { allowedFiles } from './jobs/drift-allowed-file';
import { explainJob } from './jobs/explain-job';
import { mountJobRoutes } from './jobs/routes';
import { loadtestJob } from './jobs/loadtest-job';
import { createJobRunner, type JobRunner } from './jobs/runner';
import type { RouteContext } from './routes/common';
import { registerDriftRoutes } from './routes/drift';
import { registerExplainRoutes } from './routes/explain';
import { exportRoutes } from './routes/export';
import { loadtestRoutes } from './routes/loadtest';
import { perfRoutes } from './routes/perf';
import { registerSampleImageRoutes } from './routes/sample-images';
import type { ServedRows } from './served-rows';

/** What createApp hands the lab when it mounts it. */
export interface LabRouteContext {
  ctx: RouteContext;
  host: ModelHost;
  /** Log of served feature rows, for live drift. */
  servedRows: ServedRows;
  logError: (message: string) => void;
  /** The runner of every job; default: a new one (pass one to close it on shutdown, as startServer does). */
  jobs?: JobRunner;
  /** Folders whose CSVs a drift job may read; default: the model's folder and the working directory. */
  driftRoots?: string[];
}

/** Mounts the lab routes on `app`; createApp calls it between the prediction routes and the UI. */
export type MountLabRoutes = (app: Hono, lab: LabRouteContext) => void;

/** The lab of one server: its routes, and the shutdown that cancels and waits for its running jobs. */
export interface Lab {
  mount: MountLabRoutes;
  close(): Promise<void>;
}

/** A lab with its own job runner (what `model-lab serve` passes to startServer). */
export function createLab(options: { log: (message: string) => void }): Lab {
  const jobs = createJobRunner({ log: options.log });
  return { mount: (app, lab) => mountLabRoutes(app, { ...lab, jobs }), close: () => jobs.close() };
}

export const mountLabRoutes: MountLabRoutes = (app, { ctx, host, servedRows, logError, jobs: given, driftRoots }) => {
  // Each lab route module registers its job kind on the one runner; the job routes serve them all.
  const jobs = given ?? createJobRunner({ log: logError });
  // The load test loads this server itself: remember the loopback address job requests arrive on. (A
  // wildcard, not '/api/jobs/loadtest': a static path beside '/api/jobs/:kind' makes Hono fall back from its
  // RegExpRouter to the slower TrieRouter for every route, predictions included.)
  let selfOrigin: string | null = null;
  app.use('/api/jobs/*', async (c, next) => {
    selfOrigin = ownOrigin((c.env as { incoming?: IncomingMessage } | undefined)?.incoming) ?? selfOrigin;
    await next();
  });
  mountJobRoutes(app, jobs);
  app.route('/', perfRoutes(ctx, jobs));
  app.route('/', exportRoutes(ctx, jobs));
  jobs.register(loadtestJob(host, () => selfOrigin));
  app.route('/', loadtestRoutes(ctx, jobs));
  jobs.register(explainJob(host, allowedFiles(driftRoots ?? [dirname(host.current().info.path), process.cwd()])));
  registerExplainRoutes(app, jobs);
  // The Predict tab's sample pictures for image inputs: they are read from disk, so the owner's only.
  registerSampleImageRoutes(app, host);
  // Drift checks read CSVs from disk: only beside the served model or under the folder the server was
  // started from.
  registerDriftRoutes(app, jobs, {
    allowedRoots: driftRoots ?? [dirname(host.current().info.path), process.cwd()],
    live: { served: servedRows, reference: () => host.current().reference?.path ?? null, modelPath: () => host.current().info.path },
  });
};

/** `http://127.0.0.1:PORT` for a request that arrived on a loopback socket of this server; null otherwise. */
function ownOrigin(incoming: IncomingMessage | undefined): string | null {
  const socket = incoming?.socket;
  if (!socket?.localPort || !socket.localAddress) return null;
  const address = socket.localAddress.replace(/^::ffff:/, '');
  if (address === '127.0.0.1' || address.startsWith('127.')) return `http://${address}:${socket.localPort}`;
  if (address === '::1') return `http://[::1]:${socket.localPort}`;
  return null;
}
