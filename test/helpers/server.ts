/**
 * A real Model Lab server for route tests: the real ModelHost (onnxruntime session) behind the real Hono
 * app, listening on an ephemeral 127.0.0.1 port.
 *
 * @example
 * const server = await startTestServer('samples/iris/iris.onnx');
 * const res = await fetch(`${server.url}/v2/models/iris`);
 * await server.close();
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { createApp, type AppOptions } from '../../server/serve/app';
import { newToken } from '../../server/serve/auth';
import { createModelHost, type ModelHostImpl, type ModelHostOptions } from '../../server/serve/host-impl';
import { createMetrics } from '../../server/serve/metrics';
import { mountLabRoutes } from '../../server/serve/lab-routes';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Absolute path of a file under the repository root. */
export function repoPath(...parts: string[]): string {
  return join(REPO_ROOT, ...parts);
}

export interface TestServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  host: ModelHostImpl;
  registry: Registry;
  /** The owner credential (`app.auth.adminToken` when a test gave one, else made here): the `/api/*` job routes need it. */
  ownerToken: string;
  /** `{ authorization: 'Bearer <ownerToken>' }`, to spread into request headers. */
  ownerHeaders: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestServer(modelPath: string, options: { host?: ModelHostOptions; app?: AppOptions } = {}): Promise<TestServer> {
  const registry = options.app?.registry ?? new Registry();
  const metrics = createMetrics(registry);
  const host = await createModelHost(modelPath, { log: () => undefined, metrics, ...options.host });
  const ownerToken = options.app?.auth?.adminToken ?? newToken();
  // The dev server's app (lab routes mounted), as `model-lab serve` builds it.
  const app = createApp(host, {
    logError: () => undefined,
    labRoutes: mountLabRoutes,
    ...options.app,
    auth: { ...options.app?.auth, adminToken: ownerToken },
    registry,
  });
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host,
    registry,
    ownerToken,
    ownerHeaders: { authorization: `Bearer ${ownerToken}` },
    async close() {
      // Open SSE or streaming responses would keep close() waiting; end them first.
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await host.close();
    },
  };
}

/** POSTs a JSON body and returns status + parsed JSON (or the text when it is not JSON). */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}
