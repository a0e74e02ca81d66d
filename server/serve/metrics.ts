/**
 * Prometheus metrics of the server (`GET /metrics`), in one place so the routes and the ModelHost
 * record into the same registry.
 *
 * `createMetrics(registry)` is idempotent per registry: the app and the host may both call it with the
 * registry they were given and receive the same object (prom-client refuses to register a name twice).
 *
 * Who records what:
 * - the app (middleware): `httpRequests`, `httpSeconds` — labelled by the ROUTE pattern, never the raw
 *   path, so a scan of random URLs cannot blow up the label set;
 * - the routes: `inferenceSeconds` around each `host.infer` call;
 * - the ModelHost: `batchRows.observe(rows)` once per `session.run` (only it knows how requests were
 *   coalesced); the app also fills `modelLoadSeconds` / `modelInfo` from `model-loaded` events, so a host
 *   only has to emit those events.
 *
 * @example
 * const registry = new Registry();
 * const metrics = createMetrics(registry);            // in start.ts, before host and app
 * metrics.batchRows.observe(rows);                     // in the batcher, per session.run
 * const app = createApp(host, { registry });           // same registry → same metrics
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics';
import type { LoadedModel } from '../model/types';

export interface ServerMetrics {
  registry: Registry;
  /** `http_requests_total{route,method,status}` */
  httpRequests: FastCounter<'route' | 'method' | 'status'>;
  /** `http_request_duration_seconds{route,method,status}`: until the response headers are ready. */
  httpSeconds: FastHistogram<'route' | 'method' | 'status'>;
  /** `inference_duration_seconds{route}`: one `host.infer` call, queueing included. */
  inferenceSeconds: FastHistogram<'route'>;
  /** `inference_batch_size`: rows per `session.run` (recorded by the host). */
  batchRows: FastHistogram<never>;
  /** `model_load_seconds`: read + parse + session creation + warm-up, per (re)load. */
  modelLoadSeconds: Histogram<string>;
  /** `model_info{name,opset,producer,generation} 1` for the model serving now. */
  modelInfo: Gauge<'name' | 'opset' | 'producer' | 'generation'>;
}

const byRegistry = new WeakMap<Registry, ServerMetrics>();

/** Creates (or returns the already created) metrics of `registry`, plus Node's default process metrics. */
export function createMetrics(registry: Registry = new Registry()): ServerMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: ServerMetrics = {
    registry,
    // The per-request ones are FastCounter/FastHistogram (fast-metrics.ts): same exposition, no per-call label hashing.
    httpRequests: new FastCounter({
      name: 'http_requests_total',
      help: 'HTTP requests by route pattern, method and status.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
    }),
    httpSeconds: new FastHistogram({
      name: 'http_request_duration_seconds',
      help: 'Time to the response headers, by route pattern.',
      labelNames: ['route', 'method', 'status'] as const,
      registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    inferenceSeconds: new FastHistogram({
      name: 'inference_duration_seconds',
      help: 'One inference call through the model host (queueing included).',
      labelNames: ['route'] as const,
      registers,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
    batchRows: new FastHistogram<never>({
      name: 'inference_batch_size',
      help: 'Rows per onnxruntime session.run.',
      registers,
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
    }),
    modelLoadSeconds: new Histogram({
      name: 'model_load_seconds',
      help: 'Model (re)load time: read, parse, create the session, warm up.',
      registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    modelInfo: new Gauge({
      name: 'model_info',
      help: 'The model serving now (value is always 1).',
      labelNames: ['name', 'opset', 'producer', 'generation'] as const,
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}

/** Records a model that has just started serving: its load time and its `model_info` labels. */
export function recordModelLoaded(metrics: ServerMetrics, model: LoadedModel, generation: number): void {
  metrics.modelLoadSeconds.observe(model.loadMs / 1000);
  const { info } = model;
  const opset = info.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version;
  metrics.modelInfo.reset();
  metrics.modelInfo.set(
    {
      name: info.name,
      opset: opset === undefined ? '' : String(opset),
      producer: `${info.producer.name} ${info.producer.version}`.trim(),
      generation: String(generation),
    },
    1,
  );
}
