/**
 * In-process latency of a loaded model: warm-up runs, then timed runs until `iterations` or the time
 * budget per batch size is used up (at least `minIterations`). Times `LoadedModel.run` — session.run plus
 * the input check and tensor wrapping around it (a few µs). Yields to the event loop between runs, so a
 * server measuring itself keeps answering.
 */
import type { LoadedModel } from '../model/index';
import type { PlainTensor } from '../protocol/codec';
import type { Signature } from '../protocol/signature';
import type { LatencyStats } from '../protocol/perf-report';
import { summarize } from './stats';

export interface LatencyOptions {
  /** Runs before timing starts (default 20: the first runs of a fresh session are slow). */
  warmup?: number;
  /** Most timed runs per batch size (default 200). */
  iterations?: number;
  /** Most milliseconds of timed runs per batch size (default 1000). */
  budgetMs?: number;
  /** Fewest timed runs even when the budget is used up (default 5, capped by `iterations`). */
  minIterations?: number;
  signal?: AbortSignal;
}

export const STANDARD_BATCHES = [1, 8, 64, 256];

/** Batch sizes a model accepts among 1, 8, 64, 256: a fixed batch dimension allows only its own size. */
export function batchSizesFor(signature: Signature, wanted: number[] = STANDARD_BATCHES): number[] {
  if (!signature.batch.dynamic) return [signature.batch.size ?? 1];
  return wanted;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Times `model.run(inputs)`; `inputs` carry `batch` rows. */
export async function measureBatch(
  model: LoadedModel,
  inputs: PlainTensor[],
  batch: number,
  options: LatencyOptions = {},
): Promise<LatencyStats> {
  const iterations = Math.max(1, options.iterations ?? 200);
  const budgetNs = BigInt(Math.round((options.budgetMs ?? 1000) * 1e6));
  const minIterations = Math.min(iterations, options.minIterations ?? 5);
  for (let i = 0; i < (options.warmup ?? 20); i++) {
    options.signal?.throwIfAborted();
    await model.run(inputs);
  }
  const samples: number[] = [];
  let peakRss = process.memoryUsage.rss();
  const started = process.hrtime.bigint();
  while (samples.length < iterations && (samples.length < minIterations || process.hrtime.bigint() - started < budgetNs)) {
    options.signal?.throwIfAborted();
    const t0 = process.hrtime.bigint();
    await model.run(inputs);
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
    if (samples.length % 8 === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await yieldToEventLoop();
    }
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const s = summarize(samples);
  return {
    batch,
    iterations: s.n,
    p50Us: s.p50,
    p95Us: s.p95,
    p99Us: s.p99,
    meanUs: s.mean,
    stddevUs: s.stddev,
    minUs: s.min,
    maxUs: s.max,
    rowsPerSecond: s.mean > 0 ? (batch * 1e6) / s.mean : 0,
    peakRssBytes: peakRss,
  };
}

/**
 * Times several models on the same inputs in interleaved rounds (a few runs of each in turn), so a
 * load spike on a shared machine hits every model alike instead of whichever happened to run then.
 * `iterations` and `budgetMs` are per model, as for {@link measureBatch}.
 */
export async function measureInterleaved(
  models: LoadedModel[],
  inputs: PlainTensor[],
  batch: number,
  options: LatencyOptions = {},
): Promise<LatencyStats[]> {
  const iterations = Math.max(1, options.iterations ?? 200);
  const budgetNs = BigInt(Math.round((options.budgetMs ?? 1000) * 1e6 * models.length));
  const minIterations = Math.min(iterations, options.minIterations ?? 5);
  const slice = 4;
  for (const model of models) {
    for (let i = 0; i < (options.warmup ?? 20); i++) {
      options.signal?.throwIfAborted();
      await model.run(inputs);
    }
  }
  const samples = models.map(() => [] as number[]);
  let peakRss = process.memoryUsage.rss();
  const started = process.hrtime.bigint();
  const more = () =>
    samples.some((s) => s.length < iterations) &&
    (samples.some((s) => s.length < minIterations) || process.hrtime.bigint() - started < budgetNs);
  while (more()) {
    for (const [m, model] of models.entries()) {
      for (let i = 0; i < slice && samples[m].length < iterations; i++) {
        options.signal?.throwIfAborted();
        const t0 = process.hrtime.bigint();
        await model.run(inputs);
        samples[m].push(Number(process.hrtime.bigint() - t0) / 1000);
      }
    }
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    await yieldToEventLoop();
  }
  return samples.map((runs) => {
    const s = summarize(runs);
    return {
      batch,
      iterations: s.n,
      p50Us: s.p50,
      p95Us: s.p95,
      p99Us: s.p99,
      meanUs: s.mean,
      stddevUs: s.stddev,
      minUs: s.min,
      maxUs: s.max,
      rowsPerSecond: s.mean > 0 ? (batch * 1e6) / s.mean : 0,
      peakRssBytes: peakRss,
    };
  });
}
