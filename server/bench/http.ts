/**
 * End-to-end latency over HTTP against a running Model Lab server: OIP v2 JSON requests, one row and a
 * batch, on a keep-alive connection — the same rows as the in-process runs, so the difference is the
 * server's own overhead (HTTP, JSON, validation, batching queue).
 */
import { OIP_DATATYPE, type OipInferRequest } from '../protocol/api';
import type { PlainTensor } from '../protocol/codec';
import type { HttpLatency } from '../protocol/perf-report';
import { summarize } from './stats';
import type { LatencyOptions } from './latency';

export function oipRequest(tensors: PlainTensor[]): OipInferRequest {
  return {
    inputs: tensors.map((t) => ({
      name: t.name,
      shape: t.dims,
      datatype: OIP_DATATYPE[t.dtype],
      data: Array.from(t.data as Iterable<number | string | bigint>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
    })),
  };
}

/** Times `POST {url}/v2/models/{model}/infer` with `tensors` (`batch` rows). Throws on a non-200 answer. */
export async function measureHttp(
  url: string,
  modelName: string,
  tensors: PlainTensor[],
  batch: number,
  mode: HttpLatency['mode'],
  options: LatencyOptions = {},
): Promise<HttpLatency> {
  const target = `${url.replace(/\/$/, '')}/v2/models/${encodeURIComponent(modelName)}/infer`;
  const body = JSON.stringify(oipRequest(tensors));
  const send = async () => {
    const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: options.signal });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${target} answered ${res.status}: ${text.slice(0, 200)}`);
  };
  const iterations = Math.max(1, options.iterations ?? 200);
  const budgetNs = BigInt(Math.round((options.budgetMs ?? 1000) * 1e6));
  const minIterations = Math.min(iterations, options.minIterations ?? 5);
  for (let i = 0; i < (options.warmup ?? 5); i++) await send();
  const samples: number[] = [];
  const started = process.hrtime.bigint();
  while (samples.length < iterations && (samples.length < minIterations || process.hrtime.bigint() - started < budgetNs)) {
    options.signal?.throwIfAborted();
    const t0 = process.hrtime.bigint();
    await send();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const s = summarize(samples);
  return {
    route: 'POST /v2/models/{model}/infer',
    mode,
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
    peakRssBytes: process.memoryUsage.rss(),
  };
}
