/**
 * Drives generated requests at a running server and keeps score: status counts, 5xx answers (with the
 * request that caused them), hangs (no answer within the timeout), transport errors, readiness checked
 * every `healthEvery` requests, and the server's memory when it runs in a child process.
 */
import { readFileSync } from 'node:fs';
import { generateRequest, Rng, type FuzzRequest, type FuzzTarget } from './generate';
import { processMemory } from './child-server';

export interface FuzzOptions {
  url: string;
  target: FuzzTarget;
  count: number;
  seed: number;
  ownerToken?: string;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /** Check `/v2/health/ready` after every this many requests. Default 50. */
  healthEvery?: number;
  /** A request without an answer after this long counts as a hang. Default 30 s. */
  timeoutMs?: number;
  /** Server process to sample memory from (child-process mode). */
  pid?: number;
  /** Stop early when the server process is gone. */
  isAlive?: () => boolean;
}

export interface FuzzReport {
  requests: number;
  statusCounts: Record<string, number>;
  /** 5xx answers, hangs and transport errors: each is a finding. */
  failures: { kind: string; path: string; outcome: string; sample: string }[];
  healthChecks: number;
  healthFailures: number;
  peakRssBytes?: number;
  startRssBytes?: number;
  endRssBytes?: number;
}

/** Metadata + CSV header and rows → what the generator needs to know about a model. */
export async function loadTarget(url: string, modelName: string, csvPath?: string): Promise<FuzzTarget> {
  const metadata = (await fetch(`${url}/v2/models/${modelName}`).then((r) => r.json())) as { name: string; inputs: FuzzTarget['inputs'] };
  let features = metadata.inputs.map((i) => i.name);
  let rows: string[][] = [];
  if (csvPath) {
    const lines = readFileSync(csvPath, 'utf8').split(/\r?\n/).filter(Boolean);
    features = lines[0].split(',');
    rows = lines.slice(1, 40).map((l) => l.split(','));
  }
  return { name: metadata.name, inputs: metadata.inputs, features, rows };
}

async function send(url: string, req: FuzzRequest, timeoutMs: number): Promise<string> {
  try {
    const res = await fetch(url + req.path, {
      method: req.method,
      headers: req.headers,
      body: req.body && Buffer.from(req.body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return String(res.status);
  } catch (err) {
    const name = (err as Error).name;
    return name === 'TimeoutError' ? 'hang' : `transport:${(err as Error & { cause?: { code?: string } }).cause?.code ?? name}`;
  }
}

function describeRequest(req: FuzzRequest): string {
  const body = req.body ? new TextDecoder().decode(req.body.subarray(0, 300)) : '';
  return `${req.method} ${req.path.slice(0, 200)} ${JSON.stringify(req.headers)} ${body}`;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const rng = new Rng(options.seed);
  const concurrency = options.concurrency ?? 4;
  const healthEvery = options.healthEvery ?? 50;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const report: FuzzReport = { requests: 0, statusCounts: {}, failures: [], healthChecks: 0, healthFailures: 0 };
  const memory = () => (options.pid === undefined ? undefined : processMemory(options.pid));
  report.startRssBytes = memory()?.rss;
  let next = 0;
  const worker = async () => {
    while (next < options.count && (options.isAlive?.() ?? true)) {
      const index = next++;
      // Requests are drawn in order from one generator, so a seed replays the same sequence.
      const req = generateRequest(rng, options.target, options.ownerToken);
      const outcome = await send(options.url, req, timeoutMs);
      report.requests++;
      report.statusCounts[outcome] = (report.statusCounts[outcome] ?? 0) + 1;
      if (!/^[1-4]\d\d$/.test(outcome))
        report.failures.push({ kind: req.kind, path: req.path.slice(0, 200), outcome, sample: describeRequest(req) });
      if ((index + 1) % healthEvery === 0) {
        report.healthChecks++;
        const health = await send(options.url, { kind: 'health', method: 'GET', path: '/v2/health/ready', headers: {} }, timeoutMs);
        if (health !== '200') report.healthFailures++;
        const m = memory();
        if (m) report.peakRssBytes = Math.max(report.peakRssBytes ?? 0, m.peakRss);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const end = memory();
  report.endRssBytes = end?.rss;
  if (end) report.peakRssBytes = Math.max(report.peakRssBytes ?? 0, end.peakRss);
  return report;
}

/** Adds `b` into `a` (for runs over several models). */
export function mergeReports(a: FuzzReport, b: FuzzReport): FuzzReport {
  const statusCounts = { ...a.statusCounts };
  for (const [k, v] of Object.entries(b.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    requests: a.requests + b.requests,
    statusCounts,
    failures: [...a.failures, ...b.failures],
    healthChecks: a.healthChecks + b.healthChecks,
    healthFailures: a.healthFailures + b.healthFailures,
    peakRssBytes: Math.max(a.peakRssBytes ?? 0, b.peakRssBytes ?? 0) || undefined,
  };
}
