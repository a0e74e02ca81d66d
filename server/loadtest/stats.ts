/**
 * The arithmetic of a load test, apart from any process or socket so it can be tested alone: one step's
 * figures from raw latencies, the knee of the curve, and the highest rate sustainable under a p99 target.
 */
import type { LoadKnee, LoadStep, SustainableRate } from '../protocol/loadtest';

/** What the generator measured in one step, before summarising. */
export interface RawStep {
  concurrency: number | null;
  offeredRate: number | null;
  /** Wall time of the step, seconds. */
  seconds: number;
  /** Latencies of the successful requests, microseconds. */
  latenciesUs: number[];
  /** HTTP status (or "error") → count, successes included. */
  statuses: Record<string, number>;
  firstError: string | null;
}

/** Nearest-rank percentile of sorted values (q in 0…1); 0 for no values. */
export function percentileOf(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

const isOk = (status: string) => /^2\d\d$/.test(status);

export function summarizeStep(raw: RawStep, rowsPerRequest: number): LoadStep {
  const sorted = Float64Array.from(raw.latenciesUs).sort();
  const requests = Object.values(raw.statuses).reduce((a, b) => a + b, 0);
  const ok = Object.entries(raw.statuses).reduce((a, [s, n]) => a + (isOk(s) ? n : 0), 0);
  const errors = requests - ok;
  const throughput = raw.seconds > 0 ? ok / raw.seconds : 0;
  const ms = (us: number) => Math.round(us) / 1000;
  return {
    concurrency: raw.concurrency,
    offeredRate: raw.offeredRate,
    seconds: raw.seconds,
    requests,
    ok,
    errors,
    errorRate: requests ? errors / requests : 0,
    throughput,
    rowsPerSecond: throughput * rowsPerRequest,
    p50Ms: ms(percentileOf(sorted, 0.5)),
    p90Ms: ms(percentileOf(sorted, 0.9)),
    p99Ms: ms(percentileOf(sorted, 0.99)),
    maxMs: ms(sorted.length ? sorted[sorted.length - 1] : 0),
    statuses: raw.statuses,
    firstError: raw.firstError,
  };
}

/** Steps with more errors than this are not "sustainable", whatever their latency. */
export const MAX_SUSTAINABLE_ERROR_RATE = 0.001;
/** A step that adds less than this fraction of throughput over the previous one is past the knee. */
export const KNEE_GAIN = 0.1;

/**
 * The knee. Concurrency sweep: the fewest clients that reached 90% of the highest throughput measured —
 * beyond it more clients add latency, not throughput; null when the last step still added ≥ 10% over
 * every earlier one (the sweep stopped before the knee). Rate sweep: the highest offered rate the server
 * kept up with (≥ 90% answered, no errors). Taking 90% of the best, not the first dip, keeps one noisy
 * step from placing the knee.
 */
export function findKnee(steps: LoadStep[]): LoadKnee | null {
  const at = (i: number, reason: string): LoadKnee => ({
    step: i,
    concurrency: steps[i].concurrency,
    offeredRate: steps[i].offeredRate,
    throughput: steps[i].throughput,
    p99Ms: steps[i].p99Ms,
    reason,
  });
  if (steps.length < 2) return null; // one step shows no curve
  if (steps.every((s) => s.offeredRate !== null)) {
    const kept = steps.map((s, i) => [s, i] as const).filter(([s]) => s.throughput >= 0.9 * (s.offeredRate ?? 0) && s.errorRate === 0);
    if (kept.length === 0 || kept.length === steps.length) return null;
    const [, i] = kept[kept.length - 1];
    return at(i, 'the highest offered rate the server kept up with (at least 90% of it answered, no errors)');
  }
  const best = Math.max(...steps.map((s) => s.throughput));
  const last = steps[steps.length - 1].throughput;
  const before = Math.max(0, ...steps.slice(0, -1).map((s) => s.throughput));
  if (steps.length > 1 && last === best && last >= before * (1 + KNEE_GAIN)) return null;
  const i = steps.findIndex((s) => s.throughput >= (1 - KNEE_GAIN) * best);
  return at(
    i,
    `the fewest clients reaching 90% of the highest throughput measured (${Math.round(best)} ` +
      `requests/s); more clients add latency, not throughput`,
  );
}

/** The step with the highest throughput whose p99 is within the target and errors ≤ 0.1%; null when none. */
export function maxSustainable(steps: LoadStep[], p99TargetMs: number): SustainableRate | null {
  let found: SustainableRate | null = null;
  steps.forEach((s, i) => {
    if (s.ok === 0 || s.p99Ms > p99TargetMs || s.errorRate > MAX_SUSTAINABLE_ERROR_RATE) return;
    if (found && s.throughput <= found.throughput) return;
    found = {
      step: i,
      throughput: s.throughput,
      rowsPerSecond: s.rowsPerSecond,
      p99Ms: s.p99Ms,
      concurrency: s.concurrency,
      offeredRate: s.offeredRate,
    };
  });
  return found;
}
