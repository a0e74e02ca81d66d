/**
 * The production entry of an exported bundle: `node server/index.js`. Same app as `model-lab serve`
 * (OIP v2, v1, MLflow, CSV batch, /metrics, OpenAPI, the form at `/`), configured only by environment
 * variables, with no hot reload and no lab routes: startServer is called without `labRoutes`, and this
 * file never imports server/serve/lab-routes.ts, so the perf/drift/export jobs and their engines are not
 * in this build at all (tree-shaking, no stubs).
 *
 *   MODEL_PATH      the .onnx file (default: the only .onnx in ../model beside this file)
 *   HOST            interface to bind (default 127.0.0.1; the Dockerfile sets 0.0.0.0)
 *   ALLOWED_HOSTS   names accepted in the `Host` header, comma-separated, or `*` for any. Default: `*` when
 *                   HOST is 0.0.0.0 or :: (behind a Service or an ingress the names are not known here),
 *                   else loopback only (DNS rebinding, see middleware/host-check)
 *   PORT            port (default 8080)
 *   WORKERS         server processes on the one port, each with its own session and batcher (node:cluster,
 *                   server/serve/workers): a number, or `auto` (default) = the container's CPUs (its cgroup
 *                   quota) divided by THREADS when THREADS is set, else one per CPU but one (at most 8;
 *                   so 1 on 2 CPUs, where a second worker measured slower — see workers/cpus.ts)
 *   THREADS         onnxruntime intra-op threads per worker (default: the CPUs divided by WORKERS, at least 1)
 *   BATCH_MAX, BATCH_DELAY_MS, BATCHING=off   dynamic batching (defaults 64 rows, 0 ms = what queued while
 *                   a batch ran goes next, on)
 *   MAX_ELEMENTS    most tensor elements per prediction request (default 16777216); more is a 400
 *   REQUEST_TIMEOUT_MS  time a client has to send a whole request (default 120000); slower → 408
 *   SESSION_CONFIG  JSON of onnxruntime session config entries; default: the model's own
 *                   `model_lab.session_config` metadata (compressed variants that need one carry it)
 *
 * Prints one JSON ready line on stdout (with several workers: once all listen, from the primary); logs on
 * stderr; SIGTERM/SIGINT finish in-flight requests (in every worker).
 */
import cluster from 'node:cluster';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inspectModel } from '../model';
import { startServer } from './start';
import { resolveWorkers, runPrimary, threadsPerWorker, usableCpus } from './workers/cluster';

function fail(message: string): never {
  process.stderr.write(`model-lab server: ${message}\n`);
  process.exit(1);
}

function intEnv(name: string, min: number, max: number): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) fail(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return n;
}

function defaultModelPath(): string {
  const dir = resolve(__dirname, '../model');
  const models = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.onnx')) : [];
  if (models.length !== 1) fail(`set MODEL_PATH to the .onnx file to serve (found ${models.length} .onnx files in ${dir})`);
  return join(dir, models[0]);
}

/** SESSION_CONFIG, else what the model's metadata asks for (e.g. int8 weight-only: disable_quant_qdq). */
async function sessionConfigFor(modelPath: string): Promise<Record<string, string> | undefined> {
  const raw = process.env.SESSION_CONFIG || (await inspectModel(modelPath)).info.metadata['model_lab.session_config'];
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]));
  } catch {
    /* reported below */
  }
  return fail(`SESSION_CONFIG / model_lab.session_config must be a JSON object of strings, got '${raw}'`);
}

/** WORKERS, or what `auto` comes to with THREADS (see the header). */
function workersFromEnv(threads: number | undefined): number {
  const raw = process.env.WORKERS?.trim();
  if (raw && raw !== 'auto') return intEnv('WORKERS', 1, 64)!;
  return threads ? Math.max(1, Math.min(resolveWorkers('auto'), Math.floor(usableCpus() / threads))) : resolveWorkers('auto');
}

async function main(): Promise<void> {
  const modelPath = process.env.MODEL_PATH || defaultModelPath();
  if (!existsSync(modelPath)) fail(`MODEL_PATH ${modelPath} does not exist`);
  const threadsGiven = intEnv('THREADS', 0, 1024);
  const workers = workersFromEnv(threadsGiven);
  if (workers > 1 && cluster.isPrimary) {
    const code = await runPrimary({
      workers,
      log: (line) => process.stderr.write(`model-lab server: ${line}\n`),
      onReady: ({ url, model, pids }) => {
        process.stdout.write(`${JSON.stringify({ event: 'ready', url, model, pid: process.pid, workers: pids.length })}\n`);
      },
    });
    process.exit(code);
  }
  const threads = threadsGiven ?? (workers > 1 ? threadsPerWorker(workers) : undefined);
  const delay = process.env.BATCH_DELAY_MS;
  const maxDelayMs = delay === undefined || delay === '' ? undefined : Number(delay);
  if (maxDelayMs !== undefined && !(Number.isFinite(maxDelayMs) && maxDelayMs >= 0))
    fail(`BATCH_DELAY_MS must be a number ≥ 0, got '${delay}'`);
  const sessionConfig = await sessionConfigFor(modelPath);
  const requestTimeoutMs = intEnv('REQUEST_TIMEOUT_MS', 100, 86_400_000);
  const uiDir = join(__dirname, 'ui');
  const host = process.env.HOST || '127.0.0.1';
  const hosts = process.env.ALLOWED_HOSTS?.trim();
  const allowedHosts = hosts
    ? hosts === '*'
      ? 'any'
      : hosts
          .split(',')
          .map((h) => h.trim())
          .filter(Boolean)
    : host === '0.0.0.0' || host === '::'
      ? 'any'
      : [];
  await startServer({
    modelPath,
    host,
    allowedHosts,
    port: intEnv('PORT', 0, 65535) ?? 8080,
    watch: false,
    handleSignals: true,
    batching: { enabled: process.env.BATCHING !== 'off', maxBatchSize: intEnv('BATCH_MAX', 1, 1_000_000), maxDelayMs },
    loadOptions: { ...(threads === undefined ? {} : { intraOpThreads: threads }), ...(sessionConfig ? { sessionConfig } : {}) },
    uiAssetsDir: existsSync(join(uiDir, 'main.js')) ? uiDir : undefined,
    maxElements: intEnv('MAX_ELEMENTS', 1, 2 ** 32),
    http: requestTimeoutMs === undefined ? {} : { requestTimeoutMs },
  });
}

main().catch((err: Error) => fail(err.message.split('\n')[0]));
