/**
 * Serving benchmark (issue 13): Model Lab against the floor, the bare runtime and Python peers serving the
 * same network, in ONE run, so the ratios hold even when the machine is noisy. Not a test: figures vary
 * by machine and load.
 *
 *   npm run bench:serving    (builds first; prints a Markdown table, writes .cache/bench/serving.json)
 *
 * Load comes from wrk (C; `apt-get install wrk`) in its own process; without wrk, autocannon's CLI in its
 * own process, and the table says so — autocannon costs more CPU than the servers it measures on two cores,
 * so its floor reads ~5× slower. Every server runs in its own process; only `session.run` is in-process.
 * The floor, the bare runtime, the three Model Lab routes and the peers are measured in interleaved rounds (medians
 * shown): own time is a difference and "× FastAPI" a ratio, which single runs minutes apart on a shared machine do not give.
 * Env: BENCH_SECONDS (per load run, default 5), BENCH_CLIENTS (default "1,64"), BENCH_ITERATIONS (bare runs),
 * BENCH_ROUNDS / BENCH_ROUND_SECONDS (1-client rounds, default 9 of 2 s: slow spells of this shared VM last
 * several seconds), BENCH_HIGH_ROUNDS (rounds at the highest client count, default 5), BENCH_WRK_THREADS (wrk
 * threads, default one per core: `-t2 -c64` on two cores, for every server alike).
 *
 *   npm run bench:serving -- --profile    (instead: the server under `node --cpu-prof`, 1 wrk client on the
 *                                          OIP route; self time per request by concern — routing, validation,
 *                                          codec, metrics, JSON, served-rows log…; .cache/bench/serving-profile.json)
 *   npm run bench:serving -- --compare .cache/old .   (instead: two builds, folders with bin/ and dist/ —
 *                                          `mkdir -p .cache/old && cp -r bin dist .cache/old` before a change; inside
 *                                          the repository so node_modules resolve — served side by side, 1-client
 *                                          runs interleaved, BENCH_ROUNDS rounds (default 5); p50 and server CPU
 *                                          µs per request; the --node-args / --serve-args below apply here too,
 *                                          e.g. `. . --serve-args-b "--threads 1"`)
 *   npm run bench:serving -- --in-process   (instead: one app in this process, Hono's listener alone vs the fast path
 *                                          in front of it, over an in-memory socket; CPU µs per request)
 *   npm run bench:serving -- --compare A B --clients 64 [--node-args-a|-b "<node flags>"] [--serve-args-a|-b "<serve flags>"]
 *                                          (instead: the tail under load — interleaved N-client runs of two builds,
 *                                          or of one build under other flags, e.g. `. . --serve-args-b "--workers 2"`;
 *                                          medians of req/s, p50, p99, scavenges per 10k requests, rows per run,
 *                                          server CPU; BENCH_ROUTES picks routes, default oip,v1,mlflow)
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModel } from '../server/model';
import { encodeRecords } from '../server/protocol/codec';
import { OIP_DATATYPE } from '../server/protocol/api';
import {
  loadRun,
  loadTool,
  profileBreakdown,
  startFloorServer,
  startServerProcess,
  summarize,
  type LoadFigures,
  type LoadRequest,
  type ServerProcess,
  type Summary,
} from './lib';
import { PEERS, peerWeights, pythonFor, startPeer } from './peers/index';

const MODEL = { name: 'breast_cancer', path: 'samples/breast-cancer/breast_cancer.onnx', reference: 'samples/breast-cancer/reference.csv' };
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CLIENTS = (process.env.BENCH_CLIENTS ?? '1,64').split(',').map(Number);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
/** Rows per request of the large-input comparison (JSON vs binary tensor extension). */
const LARGE_ROWS = Number(process.env.BENCH_LARGE_ROWS ?? 256);
const DIGITS = { name: 'digits', path: 'samples/digits/digits.onnx' };
/** Interleaved rounds of the floor, the three routes and the peers (measureInRounds): at 1 client, and at the highest count. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 2);
const HIGH_ROUNDS = Number(process.env.BENCH_HIGH_ROUNDS ?? 5);
/** Quiet time before each run of the rounds: the previous server's closing connections are not the next one's load. */
const SETTLE_MS = 500;

/** One row of the table: a server (or the bare runtime) and its load runs by client count. */
export interface ServingRow {
  id: string;
  label: string;
  /** The route or what answers, e.g. "POST /v2/models/breast_cancer/infer". */
  what: string;
  rowsPerRequest: number;
  runs: Record<string, LoadFigures>;
  /** Every run behind `runs` when they are medians of interleaved rounds, by client count. */
  roundRuns?: Record<string, LoadFigures[]>;
  /** In-process percentiles (bare runtime only), microseconds. */
  inProcessUs?: Summary;
  skipped?: string;
  note?: string;
}

interface Bodies {
  oip: string;
  v1: string;
  mlflow: string;
}

async function bodiesAndBareRun(): Promise<{ bodies: Bodies; bare: Summary }> {
  const bench = await openBareBench();
  try {
    return { bodies: bench.bodies, bare: await bench.bare(ITERATIONS) };
  } finally {
    await bench.dispose();
  }
}

/** The sample model loaded in this process: the request bodies, and bare `session.run` timings on demand. */
async function openBareBench(): Promise<{ bodies: Bodies; bare: (iterations: number) => Promise<Summary>; dispose: () => Promise<void> }> {
  const model = await loadModel(MODEL.path, { referenceCsv: MODEL.reference });
  const record = model.reference!.rows[0];
  const inputs = encodeRecords(model.signature, [record]);
  const names = model.signature.features.map((f) => f.name);
  const values = names.map((n) => Number(record[n]));
  for (let i = 0; i < 500; i++) await model.run(inputs);
  const bare = async (iterations: number): Promise<Summary> => {
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = process.hrtime.bigint();
      await model.run(inputs);
      samples.push(Number(process.hrtime.bigint() - t) / 1000);
    }
    return summarize(samples);
  };
  const oip = JSON.stringify({
    inputs: inputs.map((t) => ({
      name: t.name,
      shape: t.dims,
      datatype: OIP_DATATYPE[t.dtype],
      data: Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
    })),
  });
  const v1 = JSON.stringify({ instances: [values] });
  const mlflow = JSON.stringify({ dataframe_split: { columns: names, data: [values] } });
  return { bodies: { oip, v1, mlflow }, bare, dispose: () => model.dispose() };
}

/** One POST checked before loading: a server that answers 4xx would otherwise be measured at error speed. */
async function checkAnswers(url: string, body: string | Uint8Array, request: LoadRequest = {}): Promise<void> {
  const headers: Record<string, string> = { 'content-type': request.contentType ?? 'application/json' };
  if (request.header) headers[request.header[0]] = request.header[1];
  const res = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

async function measure(row: ServingRow, url: string, body: string | Uint8Array, request: LoadRequest = {}): Promise<void> {
  await checkAnswers(url, body, request);
  await loadRun(url, body, 1, 1, undefined, request); // warm-up: JIT, session, Python imports
  for (const clients of CLIENTS) {
    row.runs[String(clients)] = await loadRun(url, body, clients, SECONDS, undefined, request);
    const r = row.runs[String(clients)];
    console.error(
      `  ${row.label}, ${clients} client(s): p50 ${r.p50Us} µs, p99 ${r.p99Us} µs, ` +
        `${r.requestsPerSecond.toFixed(0)} req/s, errors ${r.errors}`,
    );
  }
}

async function withServer(start: () => Promise<ServerProcess>, use: (s: ServerProcess) => Promise<void>): Promise<void> {
  const server = await start();
  try {
    await use(server);
  } finally {
    await server.stop();
  }
}

/** The server's own time, by concern: CPU profile of the server process under a 1-client wrk load. */
async function profile(): Promise<void> {
  const { bodies } = await bodiesAndBareRun();
  const dir = mkdtempSync(join(tmpdir(), 'ml-prof-'));
  const args = [MODEL.path, '--reference', MODEL.reference];
  let figures: LoadFigures | undefined;
  const window = { startUs: 0, endUs: 0 };
  await withServer(
    () => startServerProcess(args, ['--cpu-prof', '--cpu-prof-dir', dir]),
    async (s) => {
      const url = `${s.url}/v2/models/${MODEL.name}/infer`;
      await checkAnswers(url, bodies.oip);
      await loadRun(url, bodies.oip, 1, 1); // warm-up: JIT, first allocations (not in the window)
      window.startUs = Number(process.hrtime.bigint() / 1000n);
      figures = await loadRun(url, bodies.oip, 1, Math.max(SECONDS, 8));
      window.endUs = Number(process.hrtime.bigint() / 1000n);
    },
  );
  // The profile is written when the server exits; only samples inside the measured load run are counted.
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file || !figures) throw new Error(`no CPU profile was written in ${dir}`);
  const slices = profileBreakdown(join(dir, file), 'dist/server/cli-serve.js', figures.requests, window);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync('.cache/bench', { recursive: true });
  writeFileSync('.cache/bench/serving-profile.json', JSON.stringify({ date: new Date().toISOString(), figures, slices }, null, 2));
  const total = slices.reduce((a, s) => a + s.usPerRequest, 0);
  console.log(
    `\n### Server process CPU per request, OIP v2 infer, 1 ${figures.tool} client (${figures.requests} requests, p50 ${figures.p50Us} µs)`,
  );
  console.log(`\nBusy ${total.toFixed(1)} µs of CPU per request in the server process (idle excluded).\n`);
  console.log('| concern | µs/request | share | heaviest frames |');
  console.log('|---|---|---|---|');
  for (const s of slices.filter((x) => x.usPerRequest >= 0.3)) {
    const top = s.top.map((t) => `${t.frame} ${t.usPerRequest.toFixed(1)}`).join('; ');
    console.log(`| ${s.category} | ${s.usPerRequest.toFixed(1)} | ${(s.share * 100).toFixed(1)}% | ${top} |`);
  }
  console.log('\nwritten .cache/bench/serving-profile.json');
}

/** CPU time (user + system) of a process so far, µs, from /proc (Linux); NaN elsewhere. */
function processCpuUs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return NaN;
  }
}

/**
 * `--compare <rootA> <rootB>`: two builds (folders with bin/ and dist/, e.g. a copy of the last commit's
 * build) served side by side, 1-client runs of each route interleaved A, B, A, B… so a busy machine slows
 * both alike; prints each run's p50 and the server process's CPU per request, and their medians.
 */
async function compareBuilds(roots: string[]): Promise<void> {
  const { bodies, bare } = await bodiesAndBareRun();
  const routes: [string, string, string][] = [
    ['oip', `/v2/models/${MODEL.name}/infer`, bodies.oip],
    ['v1', `/v1/models/${MODEL.name}:predict`, bodies.v1],
    ['mlflow', '/invocations', bodies.mlflow],
  ];
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const servers: ServerProcess[] = [];
  try {
    const sides = compareSides(roots);
    for (const s of sides) {
      servers.push(await startServerProcess([MODEL.path, '--reference', MODEL.reference, ...s.serveArgs], s.nodeArgs, s.root));
    }
    // The floor (bare node:http, same body parsed) runs in the same rounds: own time = p50 − floor − bare session.run.
    const floor = await startFloorServer();
    servers.push(floor);
    const labels = [...sides.map((s) => s.key), 'floor'];
    for (const s of servers) for (const [, path, body] of routes) await loadRun(s.url + path, body, 1, 1); // warm-up
    const p50 = new Map<string, number[]>();
    const cpu = new Map<string, number[]>();
    const push = (m: Map<string, number[]>, k: string, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
    for (let r = 0; r < rounds; r++) {
      for (const [id, path, body] of routes) {
        for (const [i, s] of servers.entries()) {
          const before = processCpuUs(s.child.pid);
          const run = await loadRun(s.url + path, body, 1, SECONDS);
          push(p50, `${labels[i]} ${id}`, run.p50Us);
          push(cpu, `${labels[i]} ${id}`, (processCpuUs(s.child.pid) - before) / run.requests);
        }
      }
    }
    for (const s of sides) console.log(`${s.key}: ${s.label}`);
    console.log(`\n| build | route | p50 µs (runs) | median p50 | server CPU µs/request (median) |`);
    console.log('|---|---|---|---|---|');
    for (const [key, runs] of p50) {
      const [root, id] = key.split(' ');
      console.log(`| ${root} | ${id} | ${runs.join(', ')} | ${median(runs)} | ${median(cpu.get(key)!).toFixed(1)} |`);
    }
    console.log(`\nOwn time = median p50 − floor's median p50 (same route body) − bare session.run p50 (${bare.p50.toFixed(1)} µs):\n`);
    console.log('| build | route | own µs | server CPU − floor CPU, µs/request |');
    console.log('|---|---|---|---|');
    for (const { key: root } of sides) {
      for (const [id] of routes) {
        const own = median(p50.get(`${root} ${id}`)!) - median(p50.get(`floor ${id}`)!) - bare.p50;
        const cpuOver = median(cpu.get(`${root} ${id}`)!) - median(cpu.get(`floor ${id}`)!);
        console.log(`| ${root} | ${id} | ${own.toFixed(0)} | ${cpuOver.toFixed(1)} |`);
      }
    }
  } finally {
    for (const s of servers) await s.stop();
  }
}

/** The two sides of `--compare A B`: a build folder each, with its `--node-args-a|-b` and `--serve-args-a|-b` flags. */
function compareSides(roots: string[]): { key: string; label: string; root: string; nodeArgs: string[]; serveArgs: string[] }[] {
  const words = (s: string | undefined) => (s ?? '').split(' ').filter(Boolean);
  return ['a', 'b'].map((k, i) => {
    const nodeArgs = words(argValue(`--node-args-${k}`));
    const serveArgs = words(argValue(`--serve-args-${k}`));
    const key = k.toUpperCase();
    return { key, label: [`${key}: ${roots[i]}`, ...nodeArgs, ...serveArgs].join(' '), root: roots[i], nodeArgs, serveArgs };
  });
}

/** `--flag value` from the command line, or undefined. */
function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** CPU (user + system) of a process and its direct children (the workers of `--workers n`), µs, from /proc. */
function treeCpuUs(pid: number | undefined): number {
  let total = processCpuUs(pid);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(pid)) total += processCpuUs(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return total;
}

/** Another benchmark's wrk on this machine (a shared box): wait for a gap between its runs, up to 5 s. */
async function waitForOtherLoad(): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const busy = readdirSync('/proc').some((e) => {
      try {
        return /^\d+$/.test(e) && readFileSync(`/proc/${e}/comm`, 'utf8').trim() === 'wrk';
      } catch {
        return false;
      }
    });
    if (!busy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Scavenges (minor GCs), their seconds, and session.run rows from the server's own /metrics (summed over workers). */
async function serverCounters(
  url: string,
  token: string,
): Promise<{ minorGcs: number; minorGcSeconds: number; runs: number; rows: number }> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  return {
    minorGcs: value(/^nodejs_gc_duration_seconds_count\{kind="minor"\} ([\d.e+-]+)$/m),
    minorGcSeconds: value(/^nodejs_gc_duration_seconds_sum\{kind="minor"\} ([\d.e+-]+)$/m),
    runs: value(/^inference_batch_size_count ([\d.e+-]+)$/m),
    rows: value(/^inference_batch_size_sum ([\d.e+-]+)$/m),
  };
}

/**
 * `--compare <A> <B> --clients N` (N > 1): the tail under load. Each side is a build folder plus optional
 * node flags (`--node-args-a "--max-semi-space-size=64"`) and serve flags (`--serve-args-b "--workers 2"`),
 * so one build can be compared with itself under other settings. Rounds alternate the order A, B / B, A
 * and wait while another benchmark's wrk runs; per side and route: medians of req/s, p50 and p99, the p99
 * of every run, scavenges and their milliseconds per 10,000 requests (the server's /metrics), mean rows per
 * session.run, and server CPU per request (workers included).
 */
async function compareUnderLoad(roots: string[], clients: number): Promise<void> {
  const { bodies } = await bodiesAndBareRun();
  const all: [string, string, string][] = [
    ['oip', `/v2/models/${MODEL.name}/infer`, bodies.oip],
    ['v1', `/v1/models/${MODEL.name}:predict`, bodies.v1],
    ['mlflow', '/invocations', bodies.mlflow],
  ];
  const wanted = (process.env.BENCH_ROUTES ?? 'oip,v1,mlflow').split(',');
  const routes = all.filter(([id]) => wanted.includes(id));
  const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'ml-cmp-'));
  const token = randomBytes(32).toString('base64url');
  writeFileSync(join(dir, 'token'), token);
  const sides = compareSides(roots);
  const servers: ServerProcess[] = [];
  type Figures = { rps: number; p50: number; p99: number; gcs: number; gcMs: number; rows: number; cpu: number };
  const runs = new Map<string, Figures[]>();
  try {
    for (const s of sides) {
      const args = [MODEL.path, '--reference', MODEL.reference, '--admin-token-file', join(dir, 'token'), ...s.serveArgs];
      servers.push(await startServerProcess(args, s.nodeArgs, s.root));
    }
    // Warm-up: JIT, heap growth.
    for (const s of servers) for (const [, path, body] of routes) await loadRun(s.url + path, body, clients, 2);
    for (let r = 0; r < rounds; r++) {
      for (const [id, path, body] of routes) {
        for (const i of r % 2 ? [1, 0] : [0, 1]) {
          const s = servers[i];
          await waitForOtherLoad();
          const before = await serverCounters(s.url, token);
          const cpuBefore = treeCpuUs(s.child.pid);
          const run = await loadRun(s.url + path, body, clients, SECONDS);
          const cpu = (treeCpuUs(s.child.pid) - cpuBefore) / run.requests;
          const after = await serverCounters(s.url, token);
          const per10k = 1e4 / run.requests;
          const key = `${i} ${id}`;
          runs.set(key, [
            ...(runs.get(key) ?? []),
            {
              rps: run.requestsPerSecond,
              p50: run.p50Us / 1000,
              p99: run.p99Us / 1000,
              gcs: (after.minorGcs - before.minorGcs) * per10k,
              gcMs: (after.minorGcSeconds - before.minorGcSeconds) * 1000 * per10k,
              rows: (after.rows - before.rows) / (after.runs - before.runs),
              cpu,
            },
          ]);
          console.error(`  ${sides[i].label} ${id}: ${run.requestsPerSecond.toFixed(0)} req/s, p50 ${run.p50Us} µs, p99 ${run.p99Us} µs`);
        }
      }
    }
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n### ${clients} clients, ${SECONDS} s per run, ${rounds} rounds (medians; load by ${loadTool()})\n`);
  console.log(
    '| side | route | req/s | p50 ms | p99 ms | p99 of each run | scavenges /10k req | scavenge ms /10k req | rows per run | ' +
      'server CPU µs/req |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [key, list] of runs) {
    const [i, id] = key.split(' ');
    const m = (f: keyof Figures) => median(list.map((x) => x[f]));
    console.log(
      `| ${sides[Number(i)].label} | ${id} | ${int(m('rps'))} | ${m('p50').toFixed(2)} | ${m('p99').toFixed(2)} | ` +
        `${list.map((x) => x.p99.toFixed(1)).join(', ')} | ${m('gcs').toFixed(1)} | ${m('gcMs').toFixed(1)} | ` +
        `${m('rows').toFixed(1)} | ${m('cpu').toFixed(1)} |`,
    );
  }
}

/**
 * `--in-process`: what the prediction fast path (server/serve/fast-path.ts) saves. One app, served twice in
 * this process — Hono's listener alone, and the fast path in front of it as startServer does — over an
 * in-memory socket (no kernel, no client process), requests one after another, BENCH_ROUNDS rounds of 3,000
 * alternating; process CPU per request (session.run included), median and lowest.
 */
async function inProcess(): Promise<void> {
  const { bodies } = await bodiesAndBareRun();
  const { createServer } = await import('node:http');
  const { Duplex } = await import('node:stream');
  const { getRequestListener } = await import('@hono/node-server');
  const { createApp, fastPathOf } = await import('../server/serve/app');
  const { withFastPath } = await import('../server/serve/fast-path');
  const { createModelHost } = await import('../server/serve/host-impl');
  const { servingLoadOptions } = await import('../server/serve/start');
  const host = await createModelHost(MODEL.path, {
    referenceCsv: MODEL.reference,
    watch: false,
    log: () => undefined,
    loadOptions: servingLoadOptions(undefined),
  });
  const app = createApp(host, { logError: () => undefined });
  const hono = getRequestListener(app.fetch);
  const listeners = { hono, 'fast path': withFastPath(fastPathOf(app), hono) };
  let finished: (() => void) | null = null;
  const feeds = Object.entries(listeners).map(([name, listener]) => {
    const server = createServer((req, res) => {
      res.once('finish', () => finished?.());
      void listener(req, res);
    });
    const socket = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
    Object.assign(socket, { remoteAddress: '127.0.0.1', setNoDelay: () => socket, setKeepAlive: () => socket, setTimeout: () => socket });
    server.emit('connection', socket);
    return { name, server, socket };
  });
  const routes: [string, string, string][] = [
    ['oip', `/v2/models/${MODEL.name}/infer`, bodies.oip],
    ['v1', `/v1/models/${MODEL.name}:predict`, bodies.v1],
    ['mlflow', '/invocations', bodies.mlflow],
  ];
  const run = async (socket: InstanceType<typeof Duplex>, request: Buffer, n: number): Promise<number> => {
    const start = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      await new Promise<void>((resolve) => {
        finished = resolve;
        socket.push(request);
      });
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / n;
  };
  const rounds = Number(process.env.BENCH_ROUNDS ?? 8);
  console.log('\n| route | served by | CPU µs/request, median | lowest | rounds |');
  console.log('|---|---|---|---|---|');
  try {
    for (const [id, path, body] of routes) {
      const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Type: application/json\r\n`;
      const request = Buffer.from(`${head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      for (const f of feeds) await run(f.socket, request, 1000); // warm-up
      const cpu = new Map<string, number[]>(feeds.map((f) => [f.name, []]));
      for (let r = 0; r < rounds; r++) for (const f of feeds) cpu.get(f.name)!.push(await run(f.socket, request, 3000));
      for (const [name, v] of cpu) {
        console.log(
          `| ${id} | ${name} | ${median(v).toFixed(1)} | ${Math.min(...v).toFixed(1)} | ${v.map((x) => x.toFixed(0)).join(', ')} |`,
        );
      }
    }
  } finally {
    for (const f of feeds) f.socket.destroy();
    await host.close();
  }
}

async function main(): Promise<void> {
  if (process.argv.includes('--profile')) return profile();
  if (process.argv.includes('--in-process')) return inProcess();
  const compare = process.argv.indexOf('--compare');
  if (compare >= 0) {
    const roots = process.argv.slice(compare + 1, compare + 3);
    if (roots.length !== 2) throw new Error('--compare takes two folders holding bin/ and dist/ (e.g. a copy of an older build, and .)');
    const clients = Number(argValue('--clients') ?? 1);
    return clients > 1 ? compareUnderLoad(roots, clients) : compareBuilds(roots);
  }
  const tool = loadTool();
  if (tool !== 'wrk') {
    console.error('wrk is not installed (apt-get install wrk): using autocannon in a separate process; its figures are labelled');
  }
  console.error(`load generator: ${tool}; ${SECONDS} s per run; clients ${CLIENTS.join(', ')}; ${cpus().length} cores`);
  const bench = await openBareBench();
  const { bodies } = bench;
  const rows: ServingRow[] = [];
  const row = (id: string, label: string, what: string): ServingRow => {
    const r: ServingRow = { id, label, what, rowsPerRequest: 1, runs: {} };
    rows.push(r);
    return r;
  };

  // The floor, the bare runtime, the three routes and the Python peers are measured in the same interleaved
  // rounds (see measureInRounds): the server's own time is a difference of p50s and "× FastAPI" a ratio, so
  // both sides of each must see the same machine.
  const floorRow = row('floor', 'floor: bare node:http, fixed JSON', 'POST, fixed answer');
  const bareRow = row('bare', 'bare session.run (in-process)', 'onnxruntime-node, 1 row');
  const routes: [string, string, string, string][] = [
    ['oip', 'Model Lab OIP v2 infer', `/v2/models/${MODEL.name}/infer`, bodies.oip],
    ['v1', 'Model Lab v1 :predict', `/v1/models/${MODEL.name}:predict`, bodies.v1],
    ['mlflow', 'Model Lab MLflow /invocations', '/invocations', bodies.mlflow],
  ];
  const routeRows = routes.map(([id, label, path]) => row(id, label, `POST ${path}`));
  const workersRow = row('oip-workers', `Model Lab OIP v2 infer, --workers ${WORKERS}`, `POST /v2/models/${MODEL.name}/infer`);
  let own: OwnTime | undefined;
  const servers: ServerProcess[] = [];
  try {
    const floor = await startFloorServer();
    servers.push(floor);
    const lab = await startServerProcess([MODEL.path, '--reference', MODEL.reference]);
    servers.push(lab);
    const targets: RoundTarget[] = [
      { row: floorRow, url: floor.url, body: bodies.oip },
      ...routes.map(([, , path, body], i) => ({ row: routeRows[i], url: lab.url + path, body, ownTime: true })),
    ];
    const weights = peerWeights(MODEL.path, MODEL.name);
    for (const peer of PEERS) {
      const r = row(peer.id, peer.label, `POST /v2/models/${MODEL.name}/infer`);
      const found = pythonFor(peer);
      if ('missing' in found) {
        r.skipped = found.missing;
        console.error(`  ${peer.label}: skipped — ${found.missing}`);
        continue;
      }
      const started = await startPeer(peer, found.python, weights, MODEL.name);
      servers.push(started);
      r.note = started.model === 'sklearn' ? 'sklearn MLP (same weights)' : 'numpy MLP (same weights; python3-sklearn absent)';
      r.label = `${peer.label} + ${started.model === 'sklearn' ? 'sklearn' : 'numpy'} MLP`;
      targets.push({ row: r, url: `${started.url}/v2/models/${MODEL.name}/infer`, body: bodies.oip });
    }
    own = await measureInRounds(targets, bareRow, bench.bare);
  } finally {
    for (const s of servers) await s.stop();
    await bench.dispose();
  }
  // The same route served by WORKERS processes on one port (node:cluster), each with its own session.
  await withServer(
    () => startServerProcess([MODEL.path, '--reference', MODEL.reference, '--workers', String(WORKERS)]),
    (s) => measure(workersRow, `${s.url}/v2/models/${MODEL.name}/infer`, bodies.oip),
  );

  const large = await largeInputs();

  const report = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    node: process.version,
    tool,
    secondsPerRun: SECONDS,
    clients: CLIENTS,
    model: MODEL,
    rows,
    largeInputs: large,
    serverOwnP50Us: own,
    rounds: { oneClient: ROUNDS, oneClientSeconds: ROUND_SECONDS, highClients: HIGH_ROUNDS },
  };
  mkdirSync('.cache/bench', { recursive: true });
  writeFileSync('.cache/bench/serving.json', JSON.stringify(report, null, 2));
  console.log(formatTable(rows, tool, own));
  console.log(formatLargeTable(large, tool));
  console.log(`\nwritten .cache/bench/serving.json`);
}

/** An OIP request body for `tensor` as JSON (`data` inline) and as the binary tensor extension (raw bytes after the header). */
function oipBodies(tensor: { name: string; dims: number[]; data: Float32Array }): { json: string; binary: Buffer; headerLength: number } {
  const json = JSON.stringify({ inputs: [{ name: tensor.name, shape: tensor.dims, datatype: 'FP32', data: Array.from(tensor.data) }] });
  const header = Buffer.from(
    JSON.stringify({
      inputs: [{ name: tensor.name, shape: tensor.dims, datatype: 'FP32', parameters: { binary_data_size: tensor.data.byteLength } }],
    }),
  );
  const raw = Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return { json, binary: Buffer.concat([header, raw]), headerLength: header.length };
}

/**
 * Large inputs: LARGE_ROWS breast-cancer rows (reference rows, cycled) and LARGE_ROWS digits images (8×8,
 * synthetic pixel values k/16), each sent as JSON and as the binary tensor extension, on a server per model.
 */
async function largeInputs(): Promise<ServingRow[]> {
  const out: ServingRow[] = [];
  const cancer = await loadModel(MODEL.path, { referenceCsv: MODEL.reference });
  const records = Array.from({ length: LARGE_ROWS }, (_, i) => cancer.reference!.rows[i % cancer.reference!.rows.length]);
  const packed = encodeRecords(cancer.signature, records)[0];
  await cancer.dispose();
  const pixels = new Float32Array(LARGE_ROWS * 64).map((_, i) => ((i * 7) % 17) / 16);
  const cases = [
    {
      model: MODEL,
      what: `breast_cancer, ${LARGE_ROWS} rows × 30 features`,
      args: [MODEL.path, '--reference', MODEL.reference],
      tensor: { name: packed.name, dims: packed.dims, data: packed.data as Float32Array },
    },
    {
      model: DIGITS,
      what: `digits, ${LARGE_ROWS} images 1×8×8`,
      args: [DIGITS.path],
      tensor: { name: 'image', dims: [LARGE_ROWS, 1, 8, 8], data: pixels },
    },
  ];
  for (const c of cases) {
    const bodies = oipBodies(c.tensor);
    await withServer(
      () => startServerProcess(c.args),
      async (s) => {
        const url = `${s.url}/v2/models/${c.model.name}/infer`;
        const json: ServingRow = {
          id: `${c.model.name}-json`,
          label: `${c.what}, JSON`,
          what: `POST ${url.replace(s.url, '')}`,
          rowsPerRequest: LARGE_ROWS,
          runs: {},
          note: `${bodies.json.length} bytes`,
        };
        const binary: ServingRow = {
          id: `${c.model.name}-binary`,
          label: `${c.what}, binary tensor extension`,
          what: json.what,
          rowsPerRequest: LARGE_ROWS,
          runs: {},
          note: `${bodies.binary.length} bytes`,
        };
        out.push(json, binary);
        await measure(json, url, bodies.json);
        await measure(binary, url, bodies.binary, {
          contentType: 'application/octet-stream',
          header: ['Inference-Header-Content-Length', String(bodies.headerLength)],
        });
      },
    );
  }
  return out;
}

/** The large-input table: JSON vs binary per model, p50 at 1 client, req/s and rows/s at both client counts. */
export function formatLargeTable(rows: ServingRow[], tool: string): string {
  const low = String(Math.min(...CLIENTS));
  const high = String(Math.max(...CLIENTS));
  const lines = [
    `\n### Large inputs: JSON vs the binary tensor extension (OIP v2 infer) — load by ${tool}`,
    '',
    `| request | body | p50, ${low} client | req/s, ${low} client | rows/s, ${low} | req/s, ${high} clients | rows/s, ${high} | ` +
      `p99, ${high} | errors | req/s ÷ JSON (${high}) |`,
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const a = r.runs[low];
    const b = r.runs[high];
    const json = rows.find((x) => x.id === r.id.replace(/-binary$/, '-json'))?.runs[high];
    lines.push(
      `| ${r.label} | ${r.note ?? ''} | ${a ? us(a.p50Us) : '—'} | ${a ? int(a.requestsPerSecond) : '—'} | ` +
        `${a ? int(a.requestsPerSecond * r.rowsPerRequest) : '—'} | ` +
        `${b ? int(b.requestsPerSecond) : '—'} | ${b ? int(b.requestsPerSecond * r.rowsPerRequest) : '—'} | ${b ? us(b.p99Us) : '—'} | ` +
        `${(a?.errors ?? 0) + (b?.errors ?? 0)} | ${ratio(b?.requestsPerSecond, json?.requestsPerSecond)} |`,
    );
  }
  return lines.join('\n');
}

/** What each Model Lab route adds of its own at 1 client, µs: per round p50 − floor p50 − bare session.run p50, and their median. */
type OwnTime = Record<
  string,
  {
    medianUs: number;
    roundsUs: number[];
    /** Median route p50 − median floor p50 − the bare run measured alone before the rounds (in a quiet process, usually lower). */
    againstBareAloneUs: number;
    bareAloneP50Us: number;
    bareP50UsByRound: number[];
  }
>;

interface RoundTarget {
  row: ServingRow;
  url: string;
  body: string;
  /** A Model Lab route: its own time (p50 − floor − bare run) is reported. */
  ownTime?: boolean;
}

const median = (v: number[]) => [...v].sort((x, y) => x - y)[Math.floor(v.length / 2)];

/** One figure per field: the median of each over the rounds (errors summed). */
function medianFigures(runs: LoadFigures[]): LoadFigures {
  return {
    ...runs[0],
    requests: runs.reduce((a, r) => a + r.requests, 0),
    requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
    p50Us: median(runs.map((r) => r.p50Us)),
    p99Us: median(runs.map((r) => r.p99Us)),
    errors: runs.reduce((a, r) => a + r.errors, 0),
  };
}

/**
 * The floor, the Model Lab routes and the Python peers in interleaved rounds, every server running all along:
 * each round runs every target once, in an order rotated round by round (reversed every other round), and at
 * 1 client the bare session.run too. On a shared 2-core machine a single 5-second run per server swung the
 * server's own time ~2× between whole
 * benchmark runs (other work comes and goes); a difference of p50s taken within one round, and the median
 * over rounds, does not depend on when each server happened to be measured. The table shows medians.
 */
async function measureInRounds(
  targets: RoundTarget[],
  bareRow: ServingRow,
  bare: (iterations: number) => Promise<Summary>,
): Promise<OwnTime> {
  for (const t of targets) {
    await checkAnswers(t.url, t.body);
    await loadRun(t.url, t.body, 1, 1); // warm-up: JIT, session
  }
  const own: OwnTime = {};
  // The bare run alone, before any load, as earlier versions of this benchmark took it: the smaller figure.
  const bareAlone = await bare(ITERATIONS);
  for (const clients of CLIENTS) {
    const rounds = clients === 1 ? ROUNDS : HIGH_ROUNDS;
    const seconds = clients === 1 ? ROUND_SECONDS : SECONDS;
    const runs = new Map<RoundTarget, LoadFigures[]>(targets.map((t) => [t, []]));
    const bares: Summary[] = [];
    for (let r = 0; r < rounds; r++) {
      // Rotated each round and reversed every other round, so no server always runs right after the same
      // one (a Python peer winding down 64 connections would otherwise always land on the same next server).
      const order = targets.map((_, i) => targets[(i + r) % targets.length]);
      if (r % 2 === 1) order.reverse();
      for (const t of order) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const run = await loadRun(t.url, t.body, clients, seconds);
        runs.get(t)!.push(run);
        console.error(
          `  round ${r + 1}/${rounds}, ${t.row.label}, ${clients} client(s): p50 ${run.p50Us} µs, p99 ${run.p99Us} µs, ` +
            `${run.requestsPerSecond.toFixed(0)} req/s, errors ${run.errors}`,
        );
      }
      if (clients === 1) bares.push(await bare(2000));
    }
    for (const [t, list] of runs) {
      t.row.runs[String(clients)] = medianFigures(list);
      (t.row.roundRuns ??= {})[String(clients)] = list;
    }
    if (clients === 1) {
      bareRow.inProcessUs = bares.find((b) => b.p50 === median(bares.map((x) => x.p50)));
      const floor = runs.get(targets[0])!;
      for (const t of targets.filter((x) => x.ownTime)) {
        const perRound = runs.get(t)!.map((run, r) => run.p50Us - floor[r].p50Us - bares[r].p50);
        own[t.row.id] = {
          medianUs: median(perRound),
          roundsUs: perRound,
          againstBareAloneUs: median(runs.get(t)!.map((run) => run.p50Us)) - median(floor.map((run) => run.p50Us)) - bareAlone.p50,
          bareAloneP50Us: bareAlone.p50,
          bareP50UsByRound: bares.map((b) => b.p50),
        };
      }
    }
  }
  bareRow.inProcessUs ??= bareAlone;
  return own;
}

const us = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)} ms` : `${Math.round(x)} µs`);
const int = (x: number) => Math.round(x).toLocaleString('en-US');
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? `${(a / b).toFixed(2)}×` : '—');

/** The table: p50/p99 at 1 client, req/s, rows/s, p50/p99 at the highest client count, ratios. */
export function formatTable(rows: ServingRow[], tool: string, own: OwnTime = {}): string {
  const low = String(Math.min(...CLIENTS));
  const high = String(Math.max(...CLIENTS));
  const floor = rows.find((r) => r.id === 'floor')?.runs;
  const fastapi = rows.find((r) => r.id === 'fastapi')?.runs;
  const lines = [
    `\n### Serving, ${MODEL.name} (30 features, 1 row per request, keep-alive loopback) — load by ${tool}`,
    '',
    `| server | p50, ${low} client | p99, ${low} client | req/s, ${low} client | req/s, ${high} clients | rows/s, ${high} | ` +
      `p50, ${high} | p99, ${high} | errors | p50 ÷ floor (${low}) | req/s ÷ floor (${high}) | req/s ÷ FastAPI (${high}) |`,
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (r.skipped) {
      lines.push(`| ${r.label} | skipped: ${r.skipped} |||||||||||`);
      continue;
    }
    if (r.inProcessUs) {
      const p = r.inProcessUs;
      lines.push(`| ${r.label} | ${us(p.p50)} | ${us(p.p99)} | ${int(1e6 / p.mean)} (1 thread) | — | — | — | — | — | — | — | — |`);
      continue;
    }
    const a = r.runs[low];
    const b = r.runs[high];
    lines.push(
      `| ${r.label} | ${a ? us(a.p50Us) : '—'} | ${a ? us(a.p99Us) : '—'} | ${a ? int(a.requestsPerSecond) : '—'} | ` +
        `${b ? int(b.requestsPerSecond) : '—'} | ${b ? int(b.requestsPerSecond * r.rowsPerRequest) : '—'} | ` +
        `${b ? us(b.p50Us) : '—'} | ${b ? us(b.p99Us) : '—'} | ${(a?.errors ?? 0) + (b?.errors ?? 0)} | ` +
        `${ratio(a?.p50Us, floor?.[low]?.p50Us)} | ${ratio(b?.requestsPerSecond, floor?.[high]?.requestsPerSecond)} | ` +
        `${ratio(b?.requestsPerSecond, fastapi?.[high]?.requestsPerSecond)} |`,
    );
  }
  if (Object.keys(own).length) {
    lines.push(
      '',
      `All rows but --workers: medians of ${ROUNDS} interleaved rounds at ${low} client (${ROUND_SECONDS} s each) and ` +
        `${HIGH_ROUNDS} at ${high} (${SECONDS} s each), every server up all along; --workers: one ${SECONDS}-s run.`,
      '',
      `Server's own time at ${low} client (per round p50 − floor − bare session.run, median; goal ≤ 60 µs): ` +
        Object.entries(own)
          .map(([k, v]) => `${k} ${Math.round(v.medianUs)} µs (rounds: ${v.roundsUs.map((x) => Math.round(x)).join(', ')})`)
          .join('; '),
      '',
      `The same with the bare session.run measured alone before the rounds (p50 ${us(Object.values(own)[0].bareAloneP50Us)}; ` +
        `in the rounds: ${Object.values(own)[0]
          .bareP50UsByRound.map((x) => Math.round(x))
          .join(', ')} µs): ` +
        Object.entries(own)
          .map(([k, v]) => `${k} ${Math.round(v.againstBareAloneUs)} µs`)
          .join(', '),
    );
  }
  const paired = pairedFastApiRatios(rows, high);
  if (paired) lines.push('', paired);
  return lines.join('\n');
}

/**
 * "× FastAPI" paired within rounds: each server's req/s over FastAPI's in the same round, and the median of
 * those — as the own time is taken. The table's ratio of medians mixes rounds: when this shared machine has
 * a slow spell in some rounds (every server's req/s drops by a third, the floor's too), the two medians can
 * come from different spells.
 */
function pairedFastApiRatios(rows: ServingRow[], high: string): string | null {
  const fastapi = rows.find((r) => r.id === 'fastapi')?.roundRuns?.[high];
  if (!fastapi?.length) return null;
  const parts: string[] = [];
  for (const r of rows) {
    const runs = r.roundRuns?.[high];
    if (!runs || r.id === 'fastapi' || runs.length !== fastapi.length) continue;
    const perRound = runs.map((run, i) => run.requestsPerSecond / fastapi[i].requestsPerSecond);
    parts.push(`${r.label} ${median(perRound).toFixed(1)}× (rounds: ${perRound.map((x) => x.toFixed(1)).join(', ')})`);
  }
  return `req/s ÷ FastAPI at ${high} clients, paired within each round (median; goal ≥ 10×): ${parts.join('; ')}`;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
