/**
 * Server start-up: model host + HTTP app + listening socket, and a clean shutdown.
 *
 * stdout carries exactly one line, the machine-readable ready line, so a supervisor (the VS Code
 * extension, a test, a script) can wait for it and read the URL:
 *   {"event":"ready","url":"http://127.0.0.1:PORT","model":"name","pid":1234}
 * Everything else goes to stderr.
 */
import { serve, type ServerType } from '@hono/node-server';
import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { Registry } from 'prom-client';
import type { LoadOptions } from '../model/types';
import { createApp, fastPathOf } from './app';
import { withFastPath } from './fast-path';
import { newToken, type ShareAuthOptions } from './auth';
import { createModelHost, type BatchingOptions, type ModelHostImpl } from './host-impl';
import { applyHttpLimits, httpServerOptions, resolveHttpLimits, type HttpLimits } from './http-limits';
import type { Lab } from './lab-routes';
import { createMetrics } from './metrics';
import { ServedRows } from './served-rows';
import { clusterMetrics, exitWithPrimary, reportReady, workerId } from './workers/cluster';

export interface StartOptions {
  modelPath: string;
  referenceCsv?: string;
  /** Interface to bind. Default 127.0.0.1: a model server is not something to expose by accident. */
  host?: string;
  /** Port; 0 (default) picks a free one — read it from the ready line or the returned handle. */
  port?: number;
  batching?: Partial<BatchingOptions>;
  /** Hot reload on file changes. Default true. */
  watch?: boolean;
  loadOptions?: LoadOptions;
  /** Print the ready line on stdout. Default true. */
  printReadyLine?: boolean;
  /** Exit the process cleanly on SIGINT/SIGTERM (the CLI); in-process users (tests) leave it off. */
  handleSignals?: boolean;
  /** Folder of the built UI bundle. Default: dist/webview of this package, wherever this code runs from. */
  uiAssetsDir?: string;
  /** Version reported by `GET /v2`. */
  version?: string;
  /** Diagnostic lines; default stderr (stdout is reserved for the ready line). */
  log?: (line: string) => void;
  /** How long shutdown waits for open connections (e.g. SSE streams) before cutting them, in ms. */
  shutdownGraceMs?: number;
  /**
   * Share-link tokens, the owner (admin) credential, CORS origins (server/serve/auth.ts). Without
   * `adminToken` a random 256-bit owner token is made: read it from the handle (`ownerToken`).
   */
  auth?: ShareAuthOptions;
  /**
   * Host names accepted in the `Host` header besides loopback (`--allow-host`), or 'any'. The address
   * the server listens on is added by itself (on 0.0.0.0 / ::, every address of this machine's interfaces).
   */
  allowedHosts?: readonly string[] | 'any';
  /** Also append every served feature row to this JSONL file (live drift keeps the last 10,000 in memory). */
  servedLog?: string;
  /** Most tensor elements per prediction request (default 16 Mi, see server/protocol/limits.ts). */
  maxElements?: number;
  /** Node HTTP server timeouts and bounds (defaults in server/serve/http-limits.ts). */
  http?: Partial<HttpLimits>;
  /**
   * The lab (perf, drift, export jobs): `model-lab serve` passes `createLab` (server/serve/lab-routes.ts).
   * Left out, the server predicts only — the exported bundle's entry does that, and so never bundles the lab.
   */
  lab?: (options: { log: (line: string) => void }) => Lab;
}

export interface ServerHandle {
  url: string;
  port: number;
  /**
   * The owner credential: `auth.adminToken`, or the one made at start. The `/api/*` job routes need it;
   * the UI gets it from `${url}/?token=…` (`model-lab serve` prints that URL on stderr).
   */
  ownerToken: string;
  host: ModelHostImpl;
  /** Stops accepting, lets in-flight requests finish, closes watchers and sessions. Safe to call twice. */
  close(): Promise<void>;
}

const stderrLog = (line: string): void => {
  process.stderr.write(`model-lab: ${line}\n`);
};

/**
 * @example
 * const server = await startServer({ modelPath: 'samples/iris/iris.onnx', port: 0, printReadyLine: false });
 * await fetch(`${server.url}/v2/health/ready`);
 * await server.close();
 */
export async function startServer(options: StartOptions): Promise<ServerHandle> {
  // In a cluster worker (server/serve/workers): lines say which worker, the primary prints the ready line.
  const worker = workerId();
  const baseLog = options.log ?? stderrLog;
  const log = worker === null ? baseLog : (line: string) => baseLog(`worker ${worker}: ${line}`);
  const registry = new Registry();
  const metrics = createMetrics(registry);
  const modelHost = await createModelHost(options.modelPath, {
    referenceCsv: options.referenceCsv,
    batching: options.batching,
    watch: options.watch ?? true,
    loadOptions: servingLoadOptions(options.loadOptions),
    metrics,
    log,
  });
  const servedRows = new ServedRows({ jsonlFile: options.servedLog, log });
  const hostname = options.host ?? '127.0.0.1';
  const ownerToken = options.auth?.adminToken ?? newToken();
  // The lab owns the job runner; it is kept here so shutdown can cancel and wait for running jobs.
  const lab = options.lab?.({ log });
  const app = createApp(modelHost, {
    labRoutes: lab?.mount,
    registry,
    uiAssetsDir: options.uiAssetsDir ?? findUiAssets(),
    version: options.version,
    logError: log,
    auth: { ...options.auth, adminToken: ownerToken },
    servedRows,
    allowedHosts: hostsFor(hostname, options.allowedHosts),
    ...(options.maxElements === undefined ? {} : { maxElements: options.maxElements }),
    ...(worker === null ? {} : { cluster: { workerId: worker, metricsText: clusterMetrics(registry) } }),
  });
  const httpLimits = resolveHttpLimits(options.http);

  let server: ServerType;
  let address: AddressInfo;
  try {
    [server, address] = await new Promise<[ServerType, AddressInfo]>((resolve, reject) => {
      const fast = fastPathOf(app);
      const s = serve(
        {
          fetch: app.fetch,
          hostname,
          port: options.port ?? 0,
          serverOptions: httpServerOptions(httpLimits),
          // The prediction routes answer before Hono when no middleware has anything to do (fast-path.ts).
          createServer: ((serverOptions: ServerOptions, listener: RequestListener) =>
            createServer(serverOptions, withFastPath(fast, listener))) as typeof createServer,
        },
        (info) => resolve([s, info]),
      );
      applyHttpLimits(s as Server, httpLimits);
      s.once('error', reject);
    });
  } catch (err) {
    await modelHost.close();
    throw new Error(listenError(err, hostname, options.port ?? 0));
  }
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;
  const name = modelHost.current().info.name;
  if (worker !== null) reportReady(url, name);
  else if (options.printReadyLine ?? true) {
    process.stdout.write(`${JSON.stringify({ event: 'ready', url, model: name, pid: process.pid })}\n`);
  }
  log(
    `serving ${name} at ${url} (batching ${modelHost.batching().enabled ? 'on' : 'off'}, hot ` +
      `reload ${(options.watch ?? true) ? 'on' : 'off'})`,
  );

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await closeHttp(server as Server, options.shutdownGraceMs ?? 3000);
      // Running jobs are cancelled and waited for: an export removes its staging folder, a live drift its temp CSV.
      await lab?.close();
      await modelHost.close();
      await servedRows.close();
    })();
    return closing;
  };

  if (worker !== null) exitWithPrimary(close);
  if (options.handleSignals) {
    const onSignal = (signal: NodeJS.Signals): void => {
      log(`${signal}: shutting down`);
      close().then(
        () => process.exit(0),
        (err) => {
          log(`shutdown failed: ${(err as Error).message}`);
          process.exit(1);
        },
      );
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }

  return { url, port: address.port, ownerToken, host: modelHost, close };
}

/**
 * onnxruntime's thread pools spin-wait for the next run after each one (by default): in a server that
 * CPU is what the event loop needs to parse the next requests. Measured with 64 wrk clients on the
 * breast-cancer MLP: ~570 µs of process CPU per request with spinning, ~200 without. A caller's own
 * session config wins.
 */
export const SERVING_SESSION_CONFIG: Readonly<Record<string, string>> = {
  'session.intra_op.allow_spinning': '0',
  'session.inter_op.allow_spinning': '0',
};

export function servingLoadOptions(given: LoadOptions | undefined): LoadOptions {
  return { ...given, sessionConfig: { ...SERVING_SESSION_CONFIG, ...given?.sessionConfig } };
}

/**
 * The names the Host check accepts besides loopback: the configured ones, plus the address the server
 * was bound to — on a wildcard (the user opted into the network) every address of this machine.
 */
export function hostsFor(bound: string, configured: readonly string[] | 'any' = []): readonly string[] | 'any' {
  if (configured === 'any') return 'any';
  const wildcard = bound === '0.0.0.0' || bound === '::' || bound === '[::]';
  const own = wildcard
    ? Object.values(networkInterfaces())
        .flat()
        .filter((a) => a !== undefined)
        .map((a) => a.address)
    : [bound];
  return [...new Set([...configured, ...own])];
}

/**
 * Stops accepting connections and waits for in-flight requests. Long-lived responses (SSE) never end
 * on their own, so after the grace period the remaining connections are cut.
 */
function closeHttp(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const cut = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function listenError(err: unknown, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') return `port ${port} on ${host} is already in use; pick another with --port, or --port 0 for a free one`;
  if (code === 'EACCES') return `not allowed to listen on ${host}:${port}; ports below 1024 need privileges, pick a higher --port`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on ${host}: this machine has no such address; use 127.0.0.1 or 0.0.0.0`;
  return `cannot listen on ${host}:${port}: ${(err as Error).message}`;
}

/** dist/webview: beside dist/server in the bundle, two levels up from server/serve/ under tsx. */
function findUiAssets(): string {
  const candidates = [join(__dirname, '../webview'), join(__dirname, '../../dist/webview')];
  return candidates.find((dir) => existsSync(join(dir, 'main.js'))) ?? candidates[1];
}
