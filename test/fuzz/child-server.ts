/**
 * `model-lab serve` in a child process, so a crash, a hang or a memory blow-up of the server is
 * observable from outside (exit code, unanswered health checks, RSS from /proc).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ChildServer {
  url: string;
  /** The served model's name, from the ready line. */
  model: string;
  pid: number;
  ownerToken: string;
  /** Exit code or signal once the child has exited; null while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | null;
  /** The last lines the server wrote on stderr (for crash reports). */
  stderrTail(): string[];
  close(): Promise<void>;
}

/** Starts `node <cli> serve <model> --port 0 --no-watch` with a known owner token; resolves on the ready line. */
export async function startChildServer(cliPath: string, modelPath: string, extraArgs: string[] = []): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-fuzz-'));
  const ownerToken = randomBytes(32).toString('base64url');
  const tokenFile = join(dir, 'owner-token');
  writeFileSync(tokenFile, ownerToken, { mode: 0o600 });
  const child: ChildProcess = spawn(
    process.execPath,
    [cliPath, 'serve', modelPath, '--port', '0', '--no-watch', '--admin-token-file', tokenFile, ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, MODEL_LAB_ADMIN_TOKEN: '' },
    },
  );
  const tail: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (line) => {
    tail.push(line.slice(0, 500));
    if (tail.length > 40) tail.shift();
  });
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  const exitPromise = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const { url, model } = await new Promise<{ url: string; model: string }>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as { url: string; model: string });
      } catch {
        reject(new Error(`unexpected first stdout line: ${line}`));
      }
    });
    void exitPromise.then(() => reject(new Error(`server exited before it was ready: ${tail.join('\n')}`)));
  });
  return {
    url,
    model,
    pid: child.pid!,
    ownerToken,
    exit: () => exited,
    stderrTail: () => [...tail],
    async close() {
      if (!exited) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitPromise;
        clearTimeout(killer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resident and peak resident memory of a process in bytes (Linux /proc); undefined elsewhere. */
export function processMemory(pid: number): { rss: number; peakRss: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { rss: kb('VmRSS'), peakRss: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
