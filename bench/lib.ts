/** Small helpers shared by the benchmarks: percentiles, a server child process, a keep-alive client. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

export interface Summary { n: number; p50: number; p95: number; p99: number; mean: number }

/** Percentiles of samples in microseconds (nearest-rank). */
export function summarize(samplesUs: number[]): Summary {
  const s = [...samplesUs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export interface ServerProcess { url: string; child: ChildProcess; stop(): Promise<void> }

/** Starts the built CLI's `serve` in its own process and waits for the ready line. */
export async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['bin/model-lab.js', 'serve', ...args, '--port', '0', '--no-watch'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    try {
      const ready = JSON.parse(line) as { event?: string; url?: string };
      if (ready.event === 'ready' && ready.url) {
        return {
          url: ready.url, child,
          stop: () => new Promise((resolve) => { child.once('exit', () => resolve()); child.kill('SIGTERM'); }),
        };
      }
    } catch { /* not the ready line */ }
  }
  throw new Error('the server exited before printing its ready line');
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One POST over a keep-alive connection; resolves with the status after the whole body arrived. */
export function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}
