/** Small helpers shared by the benchmarks: percentiles, a server child process, a keep-alive client. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

/** Percentiles of samples in microseconds (nearest-rank). */
export function summarize(samplesUs: number[]): Summary {
  const s = [...samplesUs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), mean: s.reduce((a, b) => a + b, 0) / s.length };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the built CLI's `serve` in its own process and waits for the ready line. */
export async function startServerProcess(args: string[]): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['bin/model-lab.js', 'serve', ...args, '--port', '0', '--no-watch'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    try {
      const ready = JSON.parse(line) as { event?: string; url?: string };
      if (ready.event === 'ready' && ready.url) {
        return {
          url: ready.url,
          child,
          stop: () =>
            new Promise((resolve) => {
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        };
      }
    } catch {
      /* not the ready line */
    }
  }
  throw new Error('the server exited before printing its ready line');
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One POST over a keep-alive connection; resolves after the whole body arrived. */
export function post(url: string, body: string): Promise<{ status: number; serverTiming?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serverTiming: res.headers['server-timing'] as string | undefined }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `infer;dur=0.041, handler;dur=0.090` → { infer: 0.041, handler: 0.090 } (milliseconds). */
export function parseServerTiming(header: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (header ?? '').split(',')) {
    const m = /^\s*([\w-]+);dur=([\d.]+)/.exec(part);
    if (m) out[m[1]] = Number(m[2]);
  }
  return out;
}

/**
 * The floor: a bare node:http server in its own process answering every POST with a fixed OIP-shaped
 * JSON body. No framework, no model — what HTTP over loopback costs on this machine.
 */
export async function startFloorServer(): Promise<ServerProcess> {
  const script = `
    const http = require('node:http');
    const output = { name: 'p', shape: [1, 2], datatype: 'FP32', data: [0.25, 0.75] };
    const body = JSON.stringify({ model_name: 'm', model_version: '1', id: 'x', outputs: [output] });
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString());
        res.setHeader('content-type', 'application/json');
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1', () => {
      console.log(JSON.stringify({ event: 'ready', url: 'http://127.0.0.1:' + server.address().port }));
    });
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  for await (const line of createInterface({ input: child.stdout })) {
    const ready = JSON.parse(line) as { url: string };
    return {
      url: ready.url,
      child,
      stop: () =>
        new Promise((resolve) => {
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    };
  }
  throw new Error('the floor server did not start');
}
