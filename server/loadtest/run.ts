/**
 * A load test against a running server: warm-up, then one step per concurrency (or request rate), each
 * from the generator process, with progress after every step; then the knee and the sustainable rate.
 */
import { cpus } from 'node:os';
import { CancelledError, ModelLabError } from '../protocol/errors';
import { DEFAULT_CONCURRENCY, DEFAULT_P99_TARGET_MS, DEFAULT_STEP_SECONDS, type LoadStep, type LoadTestReport } from '../protocol/loadtest';
import type { FeatureRecord, Signature } from '../protocol/signature';
import { inferBodies } from './bodies';
import { startGenerator, type StepOrder } from './generator';
import { findKnee, maxSustainable, summarizeStep } from './stats';

export interface LoadTestOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:8080 */
  url: string;
  /** The served model's name (the OIP route's `{model}`). */
  model: string;
  signature: Signature;
  /** Sample rows (the reference CSV's). */
  rows: FeatureRecord[];
  concurrency?: number[];
  /** Fixed request rates (requests/s), one step each, instead of a concurrency sweep. */
  rates?: number[];
  stepSeconds?: number;
  p99TargetMs?: number;
  rowsPerRequest?: number;
  /** Extra request headers (an Authorization token for a shared server). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** After the warm-up and after each step. `step` is the finished step, when there is one. */
  onProgress?(progress: { done: number; total: number; step: string; last?: LoadStep }): void;
}

/** Stop a concurrency sweep when a step's p99 is this many times the target: more clients only queue. */
const GIVE_UP_FACTOR = 4;

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  const rowsPerRequest = options.rowsPerRequest ?? 1;
  const stepSeconds = options.stepSeconds ?? DEFAULT_STEP_SECONDS;
  const p99TargetMs = options.p99TargetMs ?? DEFAULT_P99_TARGET_MS;
  const mode = options.rates?.length ? 'rate' : 'concurrency';
  const plan = mode === 'rate' ? options.rates! : (options.concurrency ?? DEFAULT_CONCURRENCY);
  const route = `/v2/models/${encodeURIComponent(options.model)}/infer`;
  const url = new URL(route, options.url).toString();
  const bodies = inferBodies(options.signature, options.rows, rowsPerRequest);
  await checkAnswers(url, bodies[0], options.headers ?? {});

  const notes: string[] = [];
  const steps: LoadStep[] = [];
  const generator = startGenerator(options.signal);
  const order = (concurrency: number | null, rate: number | null, seconds: number): StepOrder => ({
    url,
    bodies,
    headers: options.headers ?? {},
    seconds,
    concurrency,
    rate,
    timeoutMs: Math.max(10_000, p99TargetMs * 20),
  });
  try {
    options.onProgress?.({ done: 0, total: plan.length, step: 'warming up' });
    await generator.runStep(order(1, null, Math.min(1, stepSeconds)));
    for (const [i, x] of plan.entries()) {
      if (options.signal?.aborted) throw new CancelledError();
      const what = mode === 'rate' ? `${x} requests/s` : `${x} client${x === 1 ? '' : 's'}`;
      options.onProgress?.({ done: i, total: plan.length, step: `${what} for ${stepSeconds} s` });
      const step = summarizeStep(
        await generator.runStep(order(mode === 'rate' ? null : x, mode === 'rate' ? x : null, stepSeconds)),
        rowsPerRequest,
      );
      steps.push(step);
      options.onProgress?.({ done: i + 1, total: plan.length, step: `${what}: ${Math.round(step.throughput)} requests/s`, last: step });
      if (i + 1 < plan.length && step.errorRate > 0.5) {
        notes.push(`stopped after ${what}: more than half the requests failed (${step.firstError ?? 'no answer'})`);
        break;
      }
      if (mode === 'concurrency' && i >= 1 && i + 1 < plan.length && step.p99Ms > GIVE_UP_FACTOR * p99TargetMs) {
        notes.push(
          `stopped after ${what}: p99 ${step.p99Ms} ms is over ${GIVE_UP_FACTOR}× the ` +
            `${p99TargetMs} ms target; more clients would only wait longer`,
        );
        break;
      }
    }
  } finally {
    generator.kill();
  }
  const sustainable = maxSustainable(steps, p99TargetMs);
  if (!sustainable) notes.push(`no step kept p99 within ${p99TargetMs} ms with at most 0.1% errors`);
  const cpu = cpus();
  return {
    kind: 'model-lab-loadtest',
    schemaVersion: 1,
    date: new Date().toISOString(),
    target: { url: options.url, model: options.model, route, rowsPerRequest, distinctBodies: bodies.length },
    machine: { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, node: process.version },
    mode,
    stepSeconds,
    p99TargetMs,
    steps,
    knee: findKnee(steps),
    sustainable,
    notes,
  };
}

/** One request before loading: a server that refuses the body would otherwise be measured at error speed. */
async function checkAnswers(url: string, body: string, headers: Record<string, string>): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  } catch (err) {
    throw new ModelLabError(`no server answers at ${url}: ${(err as Error).message}`, { field: 'url' });
  }
  if (!res.ok) {
    const text = (await res.text()).slice(0, 500);
    throw new ModelLabError(`the server refused a sample request (${res.status}): ${text}`, { field: 'url' });
  }
}
