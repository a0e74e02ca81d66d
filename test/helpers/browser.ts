/**
 * Real browser for UI tests: Debian chromium driven by playwright-core, offline (every request that is
 * not to this machine is aborted), with a throwaway profile. Also builds the UI bundle from source into
 * a temp folder and serves it with the real app, so a test never runs against a stale dist/.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'esbuild';
import { serve } from '@hono/node-server';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createApp } from '../../server/serve/app';
import { newToken } from '../../server/serve/auth';
import { mountLabRoutes } from '../../server/serve/lab-routes';
import { createModelHost, type ModelHostImpl } from '../../server/serve/host-impl';

const root = join(import.meta.dirname, '..', '..');
export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(options: { colorScheme?: 'light' | 'dark' } = {}): Promise<TestBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'model-lab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? 'light',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === '127.0.0.1' || hostname === 'localhost' ? route.continue() : route.abort();
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** Page errors, console errors and CSP violations seen by a page; a healthy UI has none. */
export function watchPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
  });
  return problems;
}

/** Builds webview/main.ts (+ its CSS) the way scripts/build.mjs does, into a fresh temp folder. */
export async function buildUiBundle(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'model-lab-ui-'));
  await build({
    entryPoints: { main: join(root, 'webview/main.ts') },
    outdir: dir,
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    loader: { '.css': 'css', '.svg': 'text' },
    logLevel: 'warning',
  });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  url: string;
  /** The owner credential; the lab tabs' job routes need it. */
  ownerToken: string;
  /** The page the owner opens (`${url}/?token=<owner>`, what `model-lab serve` prints): every tab works. */
  ownerPageUrl: string;
  host: ModelHostImpl;
  close(): Promise<void>;
}

/**
 * The real app (createModelHost + createApp) on an ephemeral 127.0.0.1 port, serving the given UI bundle.
 * Paths are relative to the project root (or absolute). No file watching: tests call `host.reload()`.
 */
export async function startUiServer(modelPath: string, options: { referenceCsv?: string; uiAssetsDir: string }): Promise<TestServer> {
  const host = await createModelHost(resolve(root, modelPath), {
    referenceCsv: options.referenceCsv ? resolve(root, options.referenceCsv) : undefined,
    watch: false,
    log: () => undefined,
  });
  const ownerToken = newToken();
  const app = createApp(host, {
    labRoutes: mountLabRoutes,
    uiAssetsDir: options.uiAssetsDir,
    logError: () => undefined,
    auth: { adminToken: ownerToken },
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    ownerToken,
    ownerPageUrl: `http://127.0.0.1:${port}/?token=${ownerToken}`,
    host,
    async close() {
      // SSE streams never end on their own: cut open connections, then free the session.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      });
      await host.close();
    },
  };
}
