/**
 * The load generator runs in its own Node process, never in the server's: a generator on the server's
 * event loop would time itself. It is plain JavaScript passed with `node -e`, so it runs the same from
 * the bundled CLI, the server bundle and tsx, with no file to locate. One step at a time over IPC:
 * parent → `{ type: 'step', … }`, child → `{ type: 'result', … }` (a RawStep).
 *
 * Closed loop (concurrency N): N keep-alive clients, each sending its next request when the previous
 * answer arrived. Open loop (rate R): request i is due at start + i/R whatever came back, and its
 * latency counts from when it was due, so a stalled server is not hidden (no coordinated omission).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CancelledError } from '../protocol/errors';
import type { RawStep } from './stats';

export interface StepOrder {
  url: string;
  bodies: string[];
  headers: Record<string, string>;
  seconds: number;
  concurrency: number | null;
  rate: number | null;
  /** A request that takes longer than this counts as an error (status "timeout"). */
  timeoutMs: number;
}

const GENERATOR_SOURCE = String.raw`
const http = require('node:http');
const https = require('node:https');
function runStep(o) {
  const target = new URL(o.url);
  const lib = target.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: o.concurrency || 256 });
  const buffers = o.bodies.map((b) => Buffer.from(b));
  const latencies = [];
  const statuses = {};
  let firstError = null;
  let next = 0;
  const count = (key, err) => { statuses[key] = (statuses[key] || 0) + 1; if (err && !firstError) firstError = err; };
  const send = (startedNs) => new Promise((resolve) => {
    const body = buffers[next++ % buffers.length];
    const req = lib.request(target, { method: 'POST', agent, timeout: o.timeoutMs,
      headers: Object.assign({ 'content-type': 'application/json', 'content-length': body.length }, o.headers) }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const status = String(res.statusCode);
        if (res.statusCode >= 200 && res.statusCode < 300) latencies.push(Number(process.hrtime.bigint() - startedNs) / 1000);
        count(status, res.statusCode >= 300 ? 'HTTP ' + status + ': ' + Buffer.concat(chunks).toString().slice(0, 300) : null);
        resolve();
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within ' + o.timeoutMs + ' ms')));
    req.on('error', (e) => { count(/no answer within/.test(e.message) ? 'timeout' : 'error', e.message); resolve(); });
    req.end(body);
  });
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(o.seconds * 1e9));
  const finish = () => ({ type: 'result', concurrency: o.concurrency, offeredRate: o.rate,
    seconds: Number(process.hrtime.bigint() - started) / 1e9, latenciesUs: latencies, statuses, firstError });
  if (o.concurrency) {
    const client = async () => { while (process.hrtime.bigint() < deadline) await send(process.hrtime.bigint()); };
    return Promise.all(Array.from({ length: o.concurrency }, client)).then(() => { agent.destroy(); return finish(); });
  }
  return new Promise((resolve) => {
    const intervalNs = 1e9 / o.rate;
    const inFlight = new Set();
    let sent = 0;
    const tick = () => {
      const now = process.hrtime.bigint();
      while (sent < o.rate * o.seconds && started + BigInt(Math.round(sent * intervalNs)) <= now) {
        const due = started + BigInt(Math.round(sent * intervalNs));
        sent++;
        if (inFlight.size >= 10000) { count('dropped', 'more than 10000 requests waiting for an answer'); continue; }
        const p = send(due).then(() => inFlight.delete(p));
        inFlight.add(p);
      }
      if (now < deadline && sent < o.rate * o.seconds) setTimeout(tick, 1);
      else Promise.all(inFlight).then(() => { agent.destroy(); resolve(finish()); });
    };
    tick();
  });
}
process.on('message', (m) => {
  if (!m || m.type !== 'step') return;
  const failed = (e) => process.send({ type: 'failed', message: String((e && e.stack) || e) });
  runStep(m.order).then((r) => process.send(r), failed);
});
process.on('disconnect', () => process.exit(0));
`;

/** A generator process; `kill()` ends it (and any step in progress) at once. */
export interface Generator {
  runStep(order: StepOrder): Promise<RawStep>;
  kill(): void;
  pid: number | undefined;
}

export function startGenerator(signal?: AbortSignal): Generator {
  const child: ChildProcess = spawn(process.execPath, ['-e', GENERATOR_SOURCE], {
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    // In Electron (the VS Code host) execPath is the editor binary; this makes it run as plain Node.
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  signal?.addEventListener('abort', kill, { once: true });
  return {
    pid: child.pid,
    kill,
    runStep(order) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(new CancelledError());
        const onMessage = (m: { type: string; message?: string } & RawStep) => {
          cleanup();
          if (m.type === 'result') resolve(m);
          else reject(new Error(`the load generator failed: ${m.message}`));
        };
        const onExit = () => {
          cleanup();
          reject(signal?.aborted ? new CancelledError() : new Error(`the load generator process ended${stderr ? `: ${stderr}` : ''}`));
        };
        const cleanup = () => {
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        child.send({ type: 'step', order });
      });
    },
  };
}
