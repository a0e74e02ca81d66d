/**
 * The HTTP face of the server: one Hono app with the Open Inference Protocol v2, TF Serving v1, MLflow,
 * streaming CSV batch, the web UI, OpenAPI/docs and Prometheus metrics — all over one ModelHost.
 *
 * Every failure is JSON `{"error": "<message naming the field>"}`: 400 bad request, 404 unknown model or
 * route, 413 body too large, 415 wrong content type; 5xx only for real server faults. Bad input never
 * throws past `onError`, so it never takes the process down.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { matchedRoutes } from 'hono/route';
import { Registry } from 'prom-client';
import { ModelLabError } from '../protocol/errors';
import { capMessage, DEFAULT_MAX_ELEMENTS } from '../protocol/limits';
import { VERSION } from '../protocol/version';
import type { ModelHost } from './host';
import type { JobRunner } from './jobs/runner';
import type { MountLabRoutes } from './lab-routes';
import { createMetrics, recordModelLoaded } from './metrics';
import { buildOpenApiDocument } from './openapi/document';
import { renderDocsPage } from './openapi/docs-page';
import { answering, HAS_APP_HEADERS, HttpError, mediaType, requireModel, responseOf, type RouteContext } from './routes/common';
import { handleCsvBatch } from './routes/csv-batch';
import { handleInvocation } from './routes/mlflow';
import { oipInferHandler, oipRoutes } from './routes/oip';
import { uiRoutes } from './routes/ui';
import { v1PostHandler, v1Routes } from './routes/v1';
import { mountShareAuth, newToken, type ShareAuthOptions } from './auth';
import { mountRequestGuards } from './request-guards';
import { recordingHost, ServedRows } from './served-rows';
import { createFastPath, type FastPath } from './fast-path';
import { hostAccepted } from './middleware/host-check/index';

export interface AppOptions {
  /**
   * Largest accepted body of the JSON (and MLflow CSV) routes, in bytes; more → 413. Default 32 MiB.
   * The streaming CSV routes have no limit.
   */
  bodyLimitBytes?: number;
  /** Folder holding the built UI bundle (`main.js`, `main.css`), usually `dist/webview`. Missing → `GET /` explains how to build it. */
  uiAssetsDir?: string;
  /** Folders whose CSVs `POST /api/drift` may read; default: the model's folder and the working directory. */
  driftRoots?: string[];
  /** Registry `/metrics` exposes. Pass the one given to the ModelHost so its batch-size metric shows up; default: a new one. */
  registry?: Registry;
  /** Version reported by `GET /v2` and the OpenAPI document. Default: the package's ({@link VERSION}). */
  version?: string;
  /**
   * Most tensor elements one prediction request may ask for, all inputs together (shape product, or rows ×
   * values per row); more → 400 before anything is allocated. Default {@link DEFAULT_MAX_ELEMENTS} (16 Mi).
   */
  maxElements?: number;
  /** Rows per `host.infer` call in the CSV batch route. Default 256. */
  csvChunkRows?: number;
  /** Milliseconds between SSE heartbeat comments on `/api/events` (keeps proxies from closing it). Default 15 000. */
  sseHeartbeatMs?: number;
  /** Where server faults (5xx) are logged. Default: stderr. */
  logError?: (message: string) => void;
  /**
   * Share-link tokens, the owner (admin) credential and CORS (see auth.ts). Prediction routes are open
   * until a token is minted; the `/api/*` job routes always need the owner credential — without
   * `auth.adminToken` a random one nobody knows is made, which closes them (startServer passes its own).
   */
  auth?: ShareAuthOptions;
  /**
   * Host names (or addresses) accepted in the `Host` header besides loopback — e.g. the LAN address the
   * server listens on — or 'any' to accept every name. Default: loopback only (middleware/host-check).
   */
  allowedHosts?: readonly string[] | 'any';
  /** Log of served feature rows for live drift (`/api/drift/live`). Default: 10,000 rows in memory. */
  servedRows?: ServedRows;
  /**
   * Mounts the lab: the perf, drift and export job routes and the owner's lab tabs in the UI. The dev
   * server passes `mountLabRoutes` (lab-routes.ts); without it the app serves predictions only, which is
   * what the exported bundle runs — its entry never imports the lab, so the bundle does not contain it.
   */
  labRoutes?: MountLabRoutes;
  /**
   * The runner of every job (`/api/jobs*`: perf, drift, export), used by `labRoutes`. Pass one to close
   * it on shutdown (startServer does); default: a new one for this app.
   */
  jobs?: JobRunner;
  /**
   * Set when this app runs in one worker of several (server/serve/workers): prediction responses say
   * which worker answered (`X-Model-Lab-Worker`), `/metrics` answers the whole cluster's sums, and share
   * links are refused — a token minted in one process would be unknown to the others.
   */
  cluster?: { workerId: number; metricsText: () => Promise<string> };
}

export const DEFAULT_BODY_LIMIT_BYTES = 32 * 1024 * 1024;

/** The route pattern that handled the request (`/v2/models/:model/infer`), never the raw path. */
function routeLabel(c: Context): string {
  const routes = matchedRoutes(c);
  // The last handler that is not a catch-all middleware (a loop: this runs on every request).
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i];
    if (r.method !== 'ALL' && r.path !== '/*' && r.path !== '*') return r.path;
  }
  return 'unmatched';
}

/**
 * The answer to an error that reached the app: client faults keep their message (capped: messages quote
 * user input), server faults say only "internal server error" with an id to find the logged details by.
 * One function for `app.onError` and the prediction fast path, so both answer alike.
 */
function errorAnswer(logError: (message: string) => void) {
  return (err: Error, method: string, path: string): { status: ContentfulStatusCode; body: { error: string } } => {
    // Every error a user can act on (HttpError, InputError, the engines' errors) is a ModelLabError:
    // its message was written for the user, so it is answered even with a 5xx status (501, 503).
    if (err instanceof ModelLabError) return { status: err.status, body: { error: capMessage(err.message) } };
    if (err instanceof HTTPException && err.status < 500)
      return { status: err.status, body: { error: capMessage(err.message || 'bad request') } };
    const id = randomBytes(6).toString('hex');
    logError(`${method} ${capMessage(path)} failed (error id ${id}): ${err.stack ?? String(err)}`);
    return { status: 500, body: { error: `internal server error (error id ${id}; the server's log has the details)` } };
  };
}

/** The prediction fast path of each app made by createApp (startServer puts it in front of Hono). */
const FAST_PATHS = new WeakMap<Hono, FastPath>();

/** The fast path of an app made by {@link createApp}, to put in front of its Hono listener ({@link withFastPath}). */
export function fastPathOf(app: Hono): FastPath | undefined {
  return FAST_PATHS.get(app);
}

function shareNeedsOneProcess(): never {
  throw new HttpError(
    501,
    'share links need a single server process: this server runs several workers, and a link minted in one would be ' +
      'unknown to the others; start it without --workers (or WORKERS=1) to share links',
  );
}

/**
 * @example
 * import { serve } from '@hono/node-server';
 * const registry = new Registry();
 * const app = createApp(host, { registry, uiAssetsDir: 'dist/webview' });
 * serve({ fetch: app.fetch, port: 8080, hostname: '127.0.0.1' });
 */
export function createApp(host: ModelHost, options: AppOptions = {}): Hono {
  const metrics = createMetrics(options.registry ?? new Registry());
  const version = options.version ?? VERSION;
  const logError = options.logError ?? ((message: string) => process.stderr.write(`model-lab: ${message}\n`));
  // Every prediction route infers through ctx.host: the wrapper logs the rows served, for live drift.
  const servedRows = options.servedRows ?? new ServedRows();
  const ctx: RouteContext = {
    host: recordingHost(host, servedRows),
    metrics,
    bodyLimitBytes: options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    maxElements: options.maxElements ?? DEFAULT_MAX_ELEMENTS,
    csvChunkRows: options.csvChunkRows ?? 256,
    sseHeartbeatMs: options.sseHeartbeatMs ?? 15_000,
    ...(options.cluster ? { responseHeaders: { 'x-model-lab-worker': String(options.cluster.workerId) } } : {}),
  };

  // When each generation started serving, and the load metrics; reloads arrive as events.
  const firstGeneration = host.generation();
  const loadedAt = new Map<number, string>([[firstGeneration, new Date().toISOString()]]);
  for (const e of host.recentEvents()) if (e.type === 'model-loaded') loadedAt.set(e.generation, e.at);
  recordModelLoaded(metrics, host.current(), firstGeneration);
  host.onEvent((event) => {
    if (event.type !== 'model-loaded' || event.generation <= firstGeneration) return;
    loadedAt.set(event.generation, event.at);
    recordModelLoaded(metrics, host.current(), event.generation);
  });

  const app = new Hono();

  app.use('*', async (c, next) => {
    const started = performance.now();
    // Set before the handler so it rides on the response the handler builds with c.json() & co. The
    // prediction routes (POST) build theirs with responseOf(), which has it already: for them the
    // WHATWG Headers this would create is skipped, and the check after the handler is a WeakSet lookup.
    const predictionRoute = c.req.method === 'POST';
    if (!predictionRoute) c.header('X-Content-Type-Options', 'nosniff');
    await next();
    if (!HAS_APP_HEADERS.has(c.res) && !c.res.headers.has('X-Content-Type-Options')) c.res.headers.set('X-Content-Type-Options', 'nosniff');
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- hono types a route's input as `any`; only the path is read
    const labels = { route: routeLabel(c), method: c.req.method, status: String(c.res.status) };
    metrics.httpRequests.child(labels).value++;
    metrics.httpSeconds.child(labels).observe((performance.now() - started) / 1000);
  });
  if (options.cluster) {
    // Before the share routes are mounted, so these answer first.
    app.all('/api/share', shareNeedsOneProcess);
    app.all('/api/share/*', shareNeedsOneProcess);
  }
  // Before every route: CORS, the token check (in share mode), then Host / Origin / owner-only guards
  // (refusals are counted by the metrics above).
  const auth: ShareAuthOptions = { ...options.auth, adminToken: options.auth?.adminToken ?? newToken() };
  const shareAuth = mountShareAuth(app, auth, (guarded) =>
    mountRequestGuards(guarded, { allowedHosts: options.allowedHosts, corsOrigins: auth.corsOrigins }),
  );

  // The last word on every error: client faults keep their message (capped: messages quote user input),
  // server faults say only "internal server error" with an id to find the logged details by.
  const answerError = errorAnswer(logError);
  app.onError((err, c) => {
    const { status, body } = answerError(err, c.req.method, c.req.path);
    return c.json(body, status);
  });
  app.notFound((c) => c.json({ error: capMessage(`no route for ${c.req.method} ${c.req.path}; see /docs for the routes`) }, 404));

  // The three prediction routes also answer from fast-path.ts, before Hono, when a request needs none of the above.
  FAST_PATHS.set(
    app,
    createFastPath({
      ctx,
      shareMode: () => shareAuth.enabled(),
      hostAccepted: hostAccepted(options.allowedHosts),
      answerError,
      routes: { oip: oipInferHandler(ctx), v1: v1PostHandler(ctx), mlflow: (c) => handleInvocation(ctx, c, '/invocations') },
    }),
  );

  app.route('/', oipRoutes(ctx, version));
  app.route('/', v1Routes(ctx));
  // The lab (perf, drift, export jobs) only when the caller mounts it: the exported server does not.
  options.labRoutes?.(app, { ctx, host, servedRows, logError, jobs: options.jobs, driftRoots: options.driftRoots });
  app.route(
    '/',
    uiRoutes(ctx, {
      uiAssetsDir: options.uiAssetsDir,
      labTabs: options.labRoutes !== undefined,
      loadedAt: (g) => loadedAt.get(g) ?? loadedAt.get(firstGeneration)!,
    }),
  );

  app.post('/v2/models/:model/predict-csv', (c) =>
    handleCsvBatch(ctx, c, '/v2/models/:model/predict-csv', requireModel(host, c.req.param('model'))),
  );
  app.post(
    '/invocations',
    answering((c) => handleInvocation(ctx, c, '/invocations')),
  );
  // MLflow's scoring server answers these health checks (load balancers and MLflow's own client poll /ping).
  const mlflowHealth = (c: Context) => {
    host.current();
    return c.body(null, 200);
  };
  app.get('/ping', mlflowHealth);
  app.get('/health', mlflowHealth);
  app.post('/predict', async (c) => {
    const type = mediaType(c);
    if (type === 'text/csv' || type === 'application/csv') return handleCsvBatch(ctx, c, '/predict', host.current());
    return responseOf(await handleInvocation(ctx, c, '/predict'));
  });

  app.get('/metrics', async (c) => {
    // Process and runtime details (Node version, memory, file descriptors) are the operator's, not a share link's.
    if (c.get('caller') === 'share') throw new HttpError(403, '/metrics is for the server owner, not for shared links');
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await (options.cluster?.metricsText() ?? metrics.registry.metrics()));
  });
  // The lab's routes are documented only where they are mounted.
  const lab = options.labRoutes !== undefined;
  app.get('/openapi.json', (c) => c.json(buildOpenApiDocument({ version, modelName: host.current().info.name, lab })));
  app.get('/docs', (c) => {
    const nonce = randomBytes(18).toString('base64');
    c.header('Content-Security-Policy', `default-src 'none'; style-src 'nonce-${nonce}'; img-src 'self' data:`);
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(renderDocsPage(host.current(), new URL(c.req.url).origin, nonce, { lab }));
  });
  return app;
}
