/**
 * Runs one `model-lab` CLI command (info, predict, drift…) in a child process with the server build the
 * extension ships, so native onnxruntime code never loads into the extension host. Plain Node.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { CancelledError } from '../server/protocol/errors';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  nodePath: string;
  cliPath: string;
  /** Cancels the run: the child gets SIGTERM and the promise rejects with "cancelled". */
  signal?: AbortSignal;
  /** Each stderr line as it arrives (progress, warnings). */
  onStderrLine?: (line: string) => void;
  cwd?: string;
}

/** Resolves with the exit code and output whatever the code; rejects only when it cannot run or is cancelled. */
export function runCli(args: string[], options: CliRunOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new CancelledError());
      return;
    }
    const child = spawn(options.nodePath, [options.cliPath, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.cwd,
      windowsHide: true,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    const out: Buffer[] = [];
    const err: string[] = [];
    let cancelled = false;
    const onAbort = () => {
      cancelled = true;
      child.kill('SIGTERM');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    createInterface({ input: child.stderr }).on('line', (line) => {
      err.push(line);
      options.onStderrLine?.(line);
    });
    child.once('error', (e) => reject(new Error(`cannot run the Model Lab CLI: ${e.message}`)));
    child.once('close', (code, sig) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (cancelled) {
        reject(new CancelledError());
        return;
      }
      resolve({ code: code ?? (sig ? 1 : 0), stdout: Buffer.concat(out).toString('utf8'), stderr: err.join('\n') });
    });
  });
}

/** The CLI's own error message from stderr: its last `model-lab: …` line, without the prefix. */
export function cliErrorMessage(result: CliResult): string {
  const lines = result.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = [...lines].reverse().find((l) => l.startsWith('model-lab:')) ?? lines.at(-1) ?? `exit code ${result.code}`;
  return last.replace(/^model-lab:\s*/, '');
}
