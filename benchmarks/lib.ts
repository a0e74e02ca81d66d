/** Small helpers shared by the benchmarks: percentiles, a server child process, a keep-alive client. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
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

/**
 * Starts the built CLI's `serve` in its own process (with `nodeArgs` such as --cpu-prof) and waits for the
 * ready line. `root` is the folder holding `bin/` and `dist/` (a copy of an older build, for --compare).
 */
export async function startServerProcess(args: string[], nodeArgs: string[] = [], root = '.'): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'bin/model-lab.js'), 'serve', ...args, '--port', '0', '--no-watch'], {
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

/** What one load run measured; latencies in microseconds. `tool` labels which generator produced them. */
export interface LoadFigures {
  tool: 'wrk' | 'autocannon';
  connections: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  p50Us: number;
  p99Us: number;
  errors: number;
}

/**
 * wrk's Lua hooks: the POST body is read from a file (no escaping of JSON into Lua), and `done()` prints
 * the percentiles as one JSON line, since wrk's own text output gives p99 only in a fixed table.
 */
const WRK_SCRIPT = `
local f = assert(io.open(os.getenv("WRK_BODY_FILE"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = os.getenv("WRK_CONTENT_TYPE") or "application/json"
local extra = os.getenv("WRK_EXTRA_HEADER")
if extra then
  local k, v = extra:match("^([^:]+):%s*(.*)$")
  wrk.headers[k] = v
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK_JSON {"requests":%d,"durationUs":%d,"errors":%d,"p50Us":%d,"p99Us":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
`;

/** The load generator this machine has: wrk (C, costs little CPU) or autocannon (Node) as the fallback. */
export function loadTool(): 'wrk' | 'autocannon' {
  return spawnSync('wrk', ['--version'], { encoding: 'utf8' }).error ? 'autocannon' : 'wrk';
}

function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} exited with ${code}: ${err || out}`))));
  });
}

/**
 * POSTs `body` to `url` from `connections` keep-alive clients for `seconds`, from a separate process:
 * wrk when installed, else autocannon's CLI (so the generator never shares the benchmark's event loop).
 */
export interface LoadRequest {
  /** Default application/json. */
  contentType?: string;
  /** One more request header, e.g. the binary tensor extension's Inference-Header-Content-Length. */
  header?: [string, string];
}

export async function loadRun(
  url: string,
  body: string | Uint8Array,
  connections: number,
  seconds: number,
  tool = loadTool(),
  request: LoadRequest = {},
): Promise<LoadFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'ml-bench-'));
  try {
    const bodyFile = join(dir, 'body.json');
    writeFileSync(bodyFile, body);
    if (tool === 'wrk') {
      const script = join(dir, 'post.lua');
      writeFileSync(script, WRK_SCRIPT);
      // One wrk thread per core (BENCH_WRK_THREADS overrides, e.g. 1 to leave a core of two to the server), the
      // same for every server of a table so their ratios compare like with like.
      const threads = Math.min(connections, Number(process.env.BENCH_WRK_THREADS) || Math.max(1, cpus().length));
      const out = await runTool('wrk', ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '-s', script, url], {
        WRK_BODY_FILE: bodyFile,
        ...(request.contentType ? { WRK_CONTENT_TYPE: request.contentType } : {}),
        ...(request.header ? { WRK_EXTRA_HEADER: `${request.header[0]}: ${request.header[1]}` } : {}),
      });
      const line = out.split('\n').find((l) => l.startsWith('WRK_JSON '));
      if (!line) throw new Error(`wrk printed no figures:\n${out}`);
      const r = JSON.parse(line.slice('WRK_JSON '.length)) as {
        requests: number;
        durationUs: number;
        errors: number;
        p50Us: number;
        p99Us: number;
      };
      return {
        tool,
        connections,
        seconds,
        requests: r.requests,
        requestsPerSecond: r.requests / (r.durationUs / 1e6),
        p50Us: r.p50Us,
        p99Us: r.p99Us,
        errors: r.errors,
      };
    }
    const cli = join(process.cwd(), 'node_modules', 'autocannon', 'autocannon.js');
    const out = await runTool(
      process.execPath,
      [
        cli,
        '-j',
        '-c',
        String(connections),
        '-d',
        String(seconds),
        '-m',
        'POST',
        '-H',
        `content-type=${request.contentType ?? 'application/json'}`,
        ...(request.header ? ['-H', `${request.header[0]}=${request.header[1]}`] : []),
        '-i',
        bodyFile,
        url,
      ],
      {},
    );
    const r = JSON.parse(out) as {
      requests: { total: number; average: number };
      latency: { p50: number; p99: number };
      errors: number;
      non2xx: number;
    };
    // autocannon reports latency in milliseconds (fractional with its HDR histogram).
    return {
      tool,
      connections,
      seconds,
      requests: r.requests.total,
      requestsPerSecond: r.requests.average,
      p50Us: r.latency.p50 * 1000,
      p99Us: r.latency.p99 * 1000,
      errors: r.errors + r.non2xx,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Self time of one category of a CPU profile, per request. */
export interface ProfileSlice {
  category: string;
  usPerRequest: number;
  share: number;
  /** The heaviest functions of the category, "name @ module" with µs per request. */
  top: { frame: string; usPerRequest: number }[];
}

/** Where a bundle line comes from: esbuild writes `// path/of/module.ts` before each module's code. */
function bundleModules(bundlePath: string): string[] {
  const modules: string[] = [];
  let current = '?';
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const m = /^\/\/ (?:\S*?\/)?((?:server|node_modules|webview)\/\S+)/.exec(line); // also ../../node_modules/… (a build elsewhere)
      if (m) current = m[1];
      modules[i] = current;
    });
  return modules;
}

/** The concern a frame belongs to, in the words of the issue (routing, validation, codec, metrics, JSON…). */
function categoryOf(module: string, fn: string, url: string): string {
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(program)') return 'V8/native, unattributed';
  if (/^(writev|writeUtf8String|writeBuffer|readv|read)$/.test(fn) && !url) return 'socket syscalls (write/read)';
  if (url === '' && /^(parse|stringify)$/.test(fn)) return 'JSON parse/stringify (V8)';
  if (url.includes('onnxruntime')) return 'onnxruntime (session.run)';
  if (url.startsWith('node:internal/deps/undici')) return 'HTTP adapter (@hono/node-server, Request/Headers)';
  if (url.startsWith('node:')) return 'node http/net/streams';
  if (module.includes('@hono/node-server')) return 'HTTP adapter (@hono/node-server, Request/Headers)';
  if (module.includes('node_modules/hono/')) return 'routing & middleware (hono)';
  if (/server\/serve\/(app|auth|request-guards|http-limits)\.ts|server\/serve\/middleware\//.test(module))
    return 'routing & middleware (hono)';
  if (module.includes('node_modules/zod/')) return 'validation (zod)';
  if (module.includes('prom-client') || /server\/serve\/(fast-)?metrics\.ts$/.test(module)) return 'metrics (prom-client, fast-metrics)';
  if (module.endsWith('server/serve/served-rows.ts')) return 'served-rows log (live drift)';
  if (/server\/protocol\/codec\.ts|server\/serve\/routes\//.test(module)) return 'codec & route handlers';
  if (/server\/serve\/(batcher|host-impl|host)\.ts|server\/model\//.test(module)) return 'batcher, host, session wrapper';
  return url ? `other: ${module === '?' ? url : module}` : `other: ${fn}`;
}

/**
 * Self time by category, per request, of a `node --cpu-prof` profile of the built server (dist/server/cli.js).
 * `window` (monotonic µs, `process.hrtime` of any process on this machine: V8 stamps samples on the same
 * clock) keeps only the samples taken while the load ran, so start-up (module loading, model parsing) and
 * shutdown are not charged to the requests.
 */
export function profileBreakdown(
  profilePath: string,
  bundlePath: string,
  requests: number,
  window?: { startUs: number; endUs: number },
): ProfileSlice[] {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
    startTime: number;
  };
  let at = profile.startTime;
  const inWindow = profile.timeDeltas.map((d) => {
    at += d;
    return !window || (at >= window.startUs && at <= window.endUs);
  });
  // The CLI is split into one bundle per command (dist/server/cli-serve.js…): every dist/server bundle a
  // frame comes from is mapped back to its modules, `bundlePath` first.
  const bundles = new Map<string, string[]>([[bundlePath.replace(/^.*?dist\//, 'dist/'), bundleModules(bundlePath)]]);
  const modulesOf = (url: string): string[] | undefined => {
    const m = /(dist\/server\/[\w.-]+\.js)$/.exec(url);
    if (!m) return undefined;
    if (!bundles.has(m[1])) bundles.set(m[1], bundleModules(m[1]));
    return bundles.get(m[1]);
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const slices = new Map<string, { us: number; frames: Map<string, number> }>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)!;
    if (frame.functionName === '(idle)' || !inWindow[i]) return;
    const modules = modulesOf(frame.url);
    const module = modules ? (modules[frame.lineNumber] ?? '?') : frame.url;
    const category = categoryOf(module, frame.functionName, frame.url);
    const slice = slices.get(category) ?? { us: 0, frames: new Map<string, number>() };
    const key = `${frame.functionName || '(anonymous)'} @ ${module.replace(/^.*node_modules\//, '') || '(native)'}`;
    slice.us += profile.timeDeltas[i] ?? 0;
    slice.frames.set(key, (slice.frames.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
    slices.set(category, slice);
  });
  const busy = [...slices.values()].reduce((a, s) => a + s.us, 0);
  return [...slices.entries()]
    .map(([category, s]) => ({
      category,
      usPerRequest: s.us / requests,
      share: s.us / busy,
      top: [...s.frames.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, Number(process.env.BENCH_PROFILE_TOP ?? 3))
        .map(([frame, us]) => ({ frame, usPerRequest: us / requests })),
    }))
    .sort((a, b) => b.usPerRequest - a.usPerRequest);
}
