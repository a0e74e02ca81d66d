/**
 * One supervised prediction server: a child process running the same server build the CLI uses
 * (`dist/server/cli.js serve`), never onnxruntime inside the extension host — native code that crashes
 * or blocks must not take the editor with it.
 *
 * Plain Node (no `vscode` import), so it is tested with node:test against real child processes.
 *
 * - Ready when the child prints its JSON ready line (`{"event":"ready","url":…}`); the start can be
 *   cancelled (AbortSignal) and fails with the child's own last stderr lines when it exits first.
 * - Every server requires tokens (`--require-token`): other processes and web pages on this machine
 *   cannot use it. The admin credential is random per start, handed over in the environment
 *   (`MODEL_LAB_ADMIN_TOKEN`, which the child deletes after reading), and used here to mint the lab
 *   panel's token and share links.
 * - An unexpected exit restarts it with back-off (1 s, 2 s, 4 s, … capped at 30 s) on the same port
 *   when that is still free, at most `maxRestarts` times in a row; a run of a minute resets the count.
 * - Tokens live in the child and die with it, so the tokens minted here are remembered (in memory only,
 *   never on disk) and handed back to every new child (`POST /api/share/restore`) before it counts as
 *   running: a shared link survives a crash or a restart. "Stop Server" and revoking forget them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { CancelledError } from '../../server/protocol/errors';
import { parseReadyLine, requestCountFromMetrics, restartDelayMs, serveArguments, type ServerSettings } from './cli-contract';

export type ServerState = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface ServerSnapshot {
  modelPath: string;
  state: ServerState;
  /** `http://127.0.0.1:PORT` while running, else the last one. */
  url: string | undefined;
  port: number | undefined;
  pid: number | undefined;
  /** Interface it listens on: 127.0.0.1, or 0.0.0.0 after the LAN opt-in. */
  host: string;
  /** Unexpected exits restarted so far (in a row). */
  restarts: number;
  startedAt: string | undefined;
}

export interface ModelServerOptions {
  cliPath: string;
  /** Node to run it with: `process.execPath` (with ELECTRON_RUN_AS_NODE=1 inside VS Code). */
  nodePath: string;
  log: (line: string) => void;
  maxRestarts: number;
  /** Uptime after which an exit counts as a first failure again. Default 60 s. */
  stableAfterMs?: number;
}

/** A token minted through this object, kept to re-install it into the next child process. */
export interface MintedToken {
  id: string;
  token: string;
  role: 'share' | 'owner';
  label: string;
  expiresAt: string | null;
}

/** Lines of stderr kept to explain a failed start. */
const STDERR_TAIL = 12;

export class ModelServer extends EventEmitter {
  readonly modelPath: string;
  settings: ServerSettings;
  state: ServerState = 'stopped';
  url: string | undefined;
  port: number | undefined;
  restarts = 0;
  /** Bumped on every successful start; a lab panel re-renders when it changes (tokens live in the child). */
  generation = 0;
  private child: ChildProcess | undefined;
  private adminToken = '';
  private startedAt: number | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private starting: Promise<void> | undefined;
  /** Live tokens by id (memory only): a restarted child gets them back. */
  private readonly minted = new Map<string, MintedToken>();

  constructor(
    modelPath: string,
    settings: ServerSettings,
    private readonly options: ModelServerOptions,
  ) {
    super();
    this.modelPath = modelPath;
    this.settings = settings;
  }

  snapshot(): ServerSnapshot {
    return {
      modelPath: this.modelPath,
      state: this.state,
      url: this.url,
      port: this.port,
      pid: this.child?.pid,
      host: this.settings.host,
      restarts: this.restarts,
      startedAt: this.startedAt === undefined ? undefined : new Date(this.startedAt).toISOString(),
    };
  }

  /** Starts the child unless it runs already; resolves when it is ready. */
  start(signal?: AbortSignal): Promise<void> {
    if (this.state === 'running') return Promise.resolve();
    // A restart already spawned its child: wait for that one rather than starting a second.
    if (this.state === 'restarting' && this.child) return this.waitForState('running', 60_000).then(() => undefined);
    // A start by the user replaces a pending automatic restart.
    clearTimeout(this.restartTimer);
    if (this.state === 'failed') this.restarts = 0;
    this.starting ??= this.spawnChild(this.settings.port, signal).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Resolves with the snapshot once the server is in `state`; rejects after `timeoutMs`. */
  waitForState(state: ServerState, timeoutMs: number): Promise<ServerSnapshot> {
    if (this.state === state) return Promise.resolve(this.snapshot());
    return new Promise((resolve, reject) => {
      const onChange = (snapshot: ServerSnapshot) => {
        if (snapshot.state !== state) return;
        clearTimeout(timer);
        this.off('change', onChange);
        resolve(snapshot);
      };
      const timer = setTimeout(() => {
        this.off('change', onChange);
        reject(new Error(`the server for ${this.modelPath} did not become ${state} within ${timeoutMs} ms (it is ${this.state})`));
      }, timeoutMs);
      this.on('change', onChange);
    });
  }

  /**
   * Stops it (SIGTERM; SIGKILL after 5 s) and does not restart it. Its tokens are forgotten unless
   * `keepTokens` (a restart: shared links stay valid on the next process).
   */
  async stop(options: { keepTokens?: boolean } = {}): Promise<void> {
    if (!options.keepTokens) this.minted.clear();
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(force);
    }
    this.setState('stopped');
    this.stopping = false;
  }

  /** Stops and starts again, with changed settings (reference CSV, host) when given. */
  async restart(changes: Partial<ServerSettings> = {}, signal?: AbortSignal): Promise<void> {
    await this.stop({ keepTokens: true });
    this.settings = { ...this.settings, ...changes };
    this.restarts = 0;
    await this.start(signal);
  }

  /** An HTTP request to the server with the admin credential (mint/revoke tokens, metrics). */
  async adminFetch(path: string, init: RequestInit = {}): Promise<Response> {
    if (this.state !== 'running' || !this.url) throw new Error(`the server for ${this.modelPath} is not running`);
    const headers = { ...(init.headers as Record<string, string> | undefined), Authorization: `Bearer ${this.adminToken}` };
    return fetch(this.url + path, { ...init, headers });
  }

  /** Mints a token on the server: `null` minutes = never expires (the lab panel's own). */
  /** `role: 'owner'` for the editor's own panel (may run lab jobs); share links keep the default 'share'. */
  async mintToken(
    expiresInMinutes: number | null,
    label: string,
    role: 'share' | 'owner' = 'share',
  ): Promise<{ id: string; token: string; expiresAt: string | null }> {
    const res = await this.adminFetch('/api/share', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ expiresInMinutes, label, role }),
    });
    const body = (await res.json()) as { id: string; token: string; expiresAt: string | null; error?: string };
    if (!res.ok) throw new Error(`the server refused to mint a token: ${body.error ?? res.status}`);
    this.minted.set(body.id, { id: body.id, token: body.token, role, label, expiresAt: body.expiresAt });
    return body;
  }

  async revokeToken(id: string): Promise<boolean> {
    this.minted.delete(id);
    return (await this.adminFetch(`/api/share/${encodeURIComponent(id)}`, { method: 'DELETE' })).ok;
  }

  /** Ids of the live tokens a restarted child will get back. */
  rememberedTokenIds(): string[] {
    return [...this.minted.keys()];
  }

  /** Hands the live tokens to a freshly started child (its predecessor took them along when it exited). */
  private async restoreTokens(url: string): Promise<void> {
    const now = Date.now();
    for (const [id, t] of this.minted) if (t.expiresAt !== null && Date.parse(t.expiresAt) <= now) this.minted.delete(id);
    if (!this.minted.size) return;
    const name = this.modelPath.split(/[\\/]/).pop();
    try {
      const res = await fetch(`${url}/api/share/restore`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${this.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ shares: [...this.minted.values()] }),
      });
      const body = (await res.json()) as { restored?: number; error?: string };
      this.options.log(
        res.ok
          ? `[${name}] re-installed ${body.restored} live token(s) from the previous process`
          : `[${name}] could not re-install the previous process's tokens: ${body.error ?? res.status}`,
      );
    } catch (err) {
      this.options.log(`[${name}] could not re-install the previous process's tokens: ${(err as Error).message}`);
    }
  }

  async listTokens(): Promise<{ id: string; label?: string; expiresAt: string | null }[]> {
    const res = await this.adminFetch('/api/share');
    return res.ok ? ((await res.json()) as { shares: { id: string; label?: string; expiresAt: string | null }[] }).shares : [];
  }

  /** Requests served so far (from `/metrics`, not counting the metrics scrapes themselves). */
  async requestCount(): Promise<number> {
    const res = await this.adminFetch('/metrics');
    return res.ok ? requestCountFromMetrics(await res.text()) : 0;
  }

  private setState(state: ServerState): void {
    if (this.state === state) return;
    this.state = state;
    this.emit('change', this.snapshot());
  }

  private spawnChild(port: number, signal?: AbortSignal): Promise<void> {
    const log = this.options.log;
    const name = this.modelPath.split(/[\\/]/).pop();
    this.adminToken = randomBytes(32).toString('base64url');
    const args = [this.options.cliPath, ...serveArguments(this.modelPath, { ...this.settings, port })];
    log(`[${name}] starting: node ${args.map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
    const child = spawn(this.options.nodePath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', MODEL_LAB_ADMIN_TOKEN: this.adminToken },
      windowsHide: true,
    });
    this.child = child;
    if (this.state !== 'restarting') this.setState('starting');
    const stderrTail: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      log(`[${name}] ${line}`);
      stderrTail.push(line);
      if (stderrTail.length > STDERR_TAIL) stderrTail.shift();
    });

    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const onAbort = () => {
        if (!ready) {
          child.kill('SIGTERM');
          reject(new CancelledError());
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = parseReadyLine(line);
        if (!event) {
          log(`[${name}] ${line}`);
          return;
        }
        ready = true;
        signal?.removeEventListener('abort', onAbort);
        log(`[${name}] ready at ${event.url} (pid ${child.pid})`);
        // Running only once the tokens of the previous process are back: a link must never see a gap.
        void this.restoreTokens(event.url).then(() => {
          if (this.child !== child) {
            reject(new Error(`the Model Lab server for ${name} exited right after it started`));
            return;
          }
          this.url = event.url;
          this.port = event.port;
          this.startedAt = Date.now();
          this.generation += 1;
          this.setState('running');
          this.emit('ready', this.snapshot());
          resolve();
        });
      });
      child.once('error', (err) => {
        if (!ready) reject(new Error(`cannot start the server: ${err.message}`));
      });
      child.once('exit', (code, sig) => {
        signal?.removeEventListener('abort', onAbort);
        log(`[${name}] exited (${sig ?? `code ${code}`})`);
        if (this.child === child) this.child = undefined;
        if (!ready) {
          const why =
            stderrTail
              .filter((l) => l.trim())
              .slice(-3)
              .join(' | ') || `exit code ${code}`;
          // Restarting on the old port: someone else may have taken it meanwhile; take any free one.
          if (port !== 0 && /already in use/.test(why) && this.state === 'restarting') {
            this.spawnChild(0, signal).then(resolve, reject);
            return;
          }
          if (this.state !== 'restarting') this.setState('stopped');
          reject(new Error(`the Model Lab server for ${name} did not start: ${why}`));
          return;
        }
        if (!this.stopping) this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    const stableAfter = this.options.stableAfterMs ?? 60_000;
    if (this.startedAt !== undefined && Date.now() - this.startedAt >= stableAfter) this.restarts = 0;
    if (this.restarts >= this.options.maxRestarts) {
      this.options.log(
        `[${this.modelPath}] exited ${this.restarts + 1} times in a row; not restarting it again (use "Model Lab: Restart Server")`,
      );
      this.setState('failed');
      return;
    }
    this.restarts += 1;
    const delay = restartDelayMs(this.restarts);
    this.options.log(`[${this.modelPath}] exited unexpectedly; restart ${this.restarts}/${this.options.maxRestarts} in ${delay} ms`);
    this.setState('restarting');
    this.restartTimer = setTimeout(() => {
      const attempt = this.spawnChild(this.port ?? this.settings.port);
      attempt.catch((err: Error) => {
        this.options.log(err.message);
        if (this.state === 'restarting') this.scheduleRestart();
      });
    }, delay);
  }
}
