/**
 * The VS Code workbench of a code-server in real Chromium (Debian's, driven by playwright-core), offline:
 * every request that is not to this machine is aborted (the workbench would otherwise try the extension
 * gallery and telemetry hosts). Throwaway profile and HOME, removed by close().
 *
 * Route A: pass `extensionTests` → the workbench (started with the smoke-test driver) loads the extension
 * from `extensionDevelopmentPath`, runs the suite at `extensionTestsPath` in the extension host, and
 * reports Mocha's output through `window.codeAutomationLog` and the exit code through
 * `window.codeAutomationExit`.
 * Route B: no payload; drive the UI with `page`.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { isolatedEnv, type CodeServer } from './code-server';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface WorkbenchOptions {
  /** Absolute path of the folder to open. */
  folder: string;
  /** Route A: run this extension's test suite in the extension host. Absolute paths on this machine. */
  extensionTests?: { extensionDevelopmentPath: string; extensionTestsPath: string };
}

export interface Workbench {
  context: BrowserContext;
  page: Page;
  /** Lines the workbench logged through `codeAutomationLog` (route A: the suite's Mocha output). */
  log: string[];
  /** Resolves with the extension host's exit code (route A: 0 = every test passed). */
  exitCode: Promise<number>;
  close(): Promise<void>;
}

export async function openWorkbench(server: CodeServer, options: WorkbenchOptions): Promise<Workbench> {
  const dir = await mkdtemp(join(tmpdir(), 'model-lab-chromium-'));
  const home = join(dir, 'home');
  await mkdir(home);
  const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1400, height: 900 },
    env: isolatedEnv(home),
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
  const close = async () => {
    await context.close().catch(() => undefined);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
  };
  try {
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      return hostname === '127.0.0.1' || hostname === 'localhost' ? route.continue() : route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const log: string[] = [];
    let exit!: (code: number) => void;
    const exitCode = new Promise<number>((resolve) => {
      exit = resolve;
    });
    // The workbench forwards console calls as (level, [format, ...args]), e.g. Mocha's ["  %d passing (%s)", 2, "179ms"].
    await page.exposeFunction('codeAutomationLog', (level: string, message: unknown) => {
      const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
      log.push(`${level === 'info' ? '' : `[${level}] `}${text}`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => exit(code));
    await page.goto(workbenchUrl(server, options), { waitUntil: 'domcontentloaded' });
    return { context, page, log, exitCode, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** `/?folder=…[&payload=…]`; payload URIs must use the same host as the page (`vscode-remote://127.0.0.1:PORT/abs/path`). */
export function workbenchUrl(server: CodeServer, options: WorkbenchOptions): string {
  const params = new URLSearchParams({ folder: options.folder });
  if (options.extensionTests) {
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${path}`;
    params.set(
      'payload',
      JSON.stringify([
        ['extensionDevelopmentPath', remote(options.extensionTests.extensionDevelopmentPath)],
        ['extensionTestsPath', remote(options.extensionTests.extensionTestsPath)],
        ['skipWelcome', 'true'],
      ]),
    );
  }
  return `${server.url}/?${params.toString()}`;
}
