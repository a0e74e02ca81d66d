/**
 * Serving benchmark (foundation issue): what the HTTP server adds to a bare `session.run`, and rows/s
 * under 64 concurrent clients with dynamic batching on and off. Not a test: numbers vary by machine.
 *
 *   npm run bench            (builds first; prints a table and writes .cache/bench/serving.json)
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadModel } from '../server/model';
import { encodeRecords } from '../server/protocol/codec';
import { OIP_DATATYPE } from '../server/protocol/api';
import { parseServerTiming, post, startFloorServer, startServerProcess, summarize, type Summary } from './lib';

const MODELS = [
  { name: 'breast_cancer', path: 'samples/breast-cancer/breast_cancer.onnx', reference: 'samples/breast-cancer/reference.csv' },
  { name: 'flights', path: 'samples/flights/flights.onnx', reference: 'samples/flights/reference.csv' },
];
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 3000);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

async function bareLatency(path: string, reference: string): Promise<{ summary: Summary; body: string; rows: number }> {
  const model = await loadModel(path, { referenceCsv: reference });
  const record = model.reference!.rows[0];
  const inputs = encodeRecords(model.signature, [record]);
  for (let i = 0; i < 200; i++) await model.run(inputs);
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    await model.run(inputs);
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  const body = JSON.stringify({
    inputs: inputs.map((t) => ({
      name: t.name,
      shape: t.dims,
      datatype: OIP_DATATYPE[t.dtype],
      data: Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
    })),
  });
  await model.dispose();
  return { summary: summarize(samples), body, rows: 1 };
}

/** Round-trip latency, plus (when the server sends Server-Timing) its own handler time minus inference. */
async function httpLatency(url: string, body: string): Promise<{ roundTrip: Summary; handlerMinusInfer?: Summary }> {
  for (let i = 0; i < 200; i++) await post(url, body);
  const samples: number[] = [];
  const own: number[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const t = process.hrtime.bigint();
    const { status, serverTiming } = await post(url, body);
    samples.push(Number(process.hrtime.bigint() - t) / 1000);
    if (status !== 200) throw new Error(`server answered ${status}`);
    const timing = parseServerTiming(serverTiming);
    if (timing['handler'] !== undefined && timing['infer'] !== undefined) own.push((timing['handler'] - timing['infer']) * 1000);
  }
  return { roundTrip: summarize(samples), ...(own.length ? { handlerMinusInfer: summarize(own) } : {}) };
}

async function throughput(url: string, body: string): Promise<{ rowsPerSecond: number; errors: number; p50Ms: number; p99Ms: number }> {
  const result = await autocannon({
    url,
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
    connections: 64,
    duration: LOAD_SECONDS,
  });
  return {
    rowsPerSecond: result.requests.average,
    errors: result.errors + result.non2xx,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

async function main(): Promise<void> {
  const report: Record<string, unknown> = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    iterations: ITERATIONS,
    loadSeconds: LOAD_SECONDS,
    models: {},
  };
  const floor = await startFloorServer();
  try {
    const body = JSON.stringify({
      inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: Array.from({ length: 30 }, (_, i) => i / 7) }],
    });
    report.floorRawNodeHttpUs = (await httpLatency(floor.url, body)).roundTrip;
  } finally {
    await floor.stop();
  }
  console.log(
    `floor: bare node:http server, fixed JSON answer, 1 keep-alive client: p50 ${(report.floorRawNodeHttpUs as Summary).p50.toFixed(0)} µs`,
  );
  for (const m of MODELS) {
    const bare = await bareLatency(m.path, m.reference);
    const entry: Partial<ModelFigures> = { bareSessionRunUs: bare.summary };
    for (const batching of [true, false]) {
      const server = await startServerProcess([m.path, '--reference', m.reference, ...(batching ? [] : ['--no-batching'])]);
      try {
        const url = `${server.url}/v2/models/${m.name}/infer`;
        const http = await httpLatency(url, bare.body);
        const load = await throughput(url, bare.body);
        entry[batching ? 'batchingOn' : 'batchingOff'] = {
          httpSingleRowUs: http.roundTrip,
          serverAddsP50Us: http.roundTrip.p50 - bare.summary.p50,
          handlerMinusInferUs: http.handlerMinusInfer,
          concurrent64: load,
        };
      } finally {
        await server.stop();
      }
    }
    (report.models as Record<string, unknown>)[m.name] = entry;
    printModel(m.name, entry as ModelFigures);
  }
  mkdirSync('.cache/bench', { recursive: true });
  writeFileSync('.cache/bench/serving.json', JSON.stringify(report, null, 2));
  console.log('\nwritten .cache/bench/serving.json');
}

interface Percentiles {
  p50: number;
  p99: number;
}
interface BatchingFigures {
  httpSingleRowUs: Percentiles;
  serverAddsP50Us: number;
  handlerMinusInferUs?: Percentiles;
  concurrent64: { rowsPerSecond: number; p50Ms: number; p99Ms: number; errors: number };
}
interface ModelFigures {
  bareSessionRunUs: Percentiles;
  batchingOn: BatchingFigures;
  batchingOff: BatchingFigures;
}

function printModel(name: string, e: ModelFigures): void {
  const f = (x: number) => x.toFixed(0).padStart(7);
  console.log(`\n## ${name}`);
  console.log('| what | p50 µs | p99 µs |');
  console.log('|---|---|---|');
  console.log(`| bare session.run, 1 row | ${f(e.bareSessionRunUs.p50)} | ${f(e.bareSessionRunUs.p99)} |`);
  for (const k of ['batchingOn', 'batchingOff'] as const) {
    console.log(
      `| OIP 1 row over keep-alive HTTP (${k}) | ${f(e[k].httpSingleRowUs.p50)} | ` +
        `${f(e[k].httpSingleRowUs.p99)} |  (round trip − bare run: ` +
        `${e[k].serverAddsP50Us.toFixed(0)} µs at p50)`,
    );
    const handler = e[k].handlerMinusInferUs;
    if (handler) console.log(`| server's own handler time outside inference (${k}) | ${f(handler.p50)} | ${f(handler.p99)} |`);
  }
  for (const k of ['batchingOn', 'batchingOff'] as const) {
    console.log(
      `64 concurrent clients, ${k}: ${e[k].concurrent64.rowsPerSecond.toFixed(0)} rows/s (p50 ` +
        `${e[k].concurrent64.p50Ms} ms, p99 ${e[k].concurrent64.p99Ms} ms, errors ${e[k].concurrent64.errors})`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
