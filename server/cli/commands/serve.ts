/** `model-lab serve <model>`: the prediction server, until Ctrl+C / SIGTERM. */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { intOption, numberOption, parseCommandLine, requireFile } from '../args';
import { ModelLabError } from '../../protocol/errors';
import type { Command } from '../command';
import { VERSION } from '../../protocol/version';
import { resolveWorkers, threadsPerWorker } from '../../serve/workers/cpus';

const usage = `Usage: model-lab serve <model.onnx> [options]

Serves the model over HTTP (Open Inference Protocol v2, v1 instances, MLflow /invocations, CSV batch,
/metrics) with a web form at "/". Prints one JSON ready line on stdout:
  {"event":"ready","url":"http://127.0.0.1:PORT","model":"name","pid":1234}
and logs to stderr, including the URL to open with the owner token (like Jupyter):
  model-lab: open http://127.0.0.1:PORT/?token=… in a browser
Prediction and metadata routes need no token on this machine; the lab's routes (/api/jobs,
/api/perf, /api/drift, /api/export, /api/share) always need the owner token. Stops cleanly on Ctrl+C or SIGTERM.

Options:
  --reference <csv>      reference data: names features, gives categories and sample rows
  --port <n>             port to listen on (default 0 = any free port)
  --host <addr>          interface to bind (default 127.0.0.1; 0.0.0.0 exposes it to the network)
  --allow-host <name>    also answer requests whose Host header is this name (repeatable); loopback
                         names and the address the server listens on are always accepted
  --batch-max <n>        most rows per batched run (default 64)
  --batch-delay-ms <ms>  longest wait for a batch to fill once the model is free (default 0: what
                         queued while the previous batch ran goes next, at once)
  --no-batching          run every request on its own
  --no-watch             do not reload when the model file changes
  --threads <n>          onnxruntime intra-op threads (default: onnxruntime's choice)
  --max-elements <n>     most tensor elements one prediction request may ask for, all inputs
                         together (default 16777216); more is a 400 before anything is allocated
  --request-timeout-ms <ms>  time a client has to send a whole request, headers and body (default
                         120000); slower clients get 408 and are disconnected
  --require-token        every request (except /v2/health/*) needs a share token
  --admin-token-file <f> file holding the owner (admin) credential: runs the lab's jobs and
                         mints/revokes share tokens (POST /api/share, DELETE /api/share/{id}); or set
                         MODEL_LAB_ADMIN_TOKEN, which is read once and removed from the environment.
                         Without either, a random owner token is made and printed in the URL on stderr
  --share-expiry-minutes <n>  default lifetime of a share token (default 60)
  --cors-origin <origin> also allow this browser origin (repeatable); vscode-webview:// and
                         loopback origins are always allowed
  --served-log <file>    append every served feature row to this JSONL file (live drift keeps the
                         last 10,000 rows in memory either way: a drift job with source "live")
  --predict-only         serve predictions, metadata, /metrics and the form only: no lab (jobs,
                         drift, export, performance tabs)
  --workers <n|auto>     run n server processes on the one port, each with its own onnxruntime
                         session and batcher (auto: one per CPU but one, at most 8; default 1). More than one
                         implies --predict-only: jobs, share links, SSE events, hot reload and the
                         served-rows log are per process, so the lab needs a single one. /metrics sums
                         all workers; each prediction answer names its worker (X-Model-Lab-Worker). A
                         worker that dies is replaced; Ctrl+C / SIGTERM stops them all gracefully.
                         Without --threads each worker gets the CPUs divided by n onnxruntime threads

Example: model-lab serve samples/iris/iris.onnx --reference samples/iris/reference.csv --port 8080`;

const serve: Command = {
  name: 'serve',
  summary: 'serve a model over HTTP with a web form, hot reload and batching',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'serve',
      args,
      {
        reference: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        'batch-max': { type: 'string' },
        'batch-delay-ms': { type: 'string' },
        'no-batching': { type: 'boolean' },
        'no-watch': { type: 'boolean' },
        threads: { type: 'string' },
        'max-elements': { type: 'string' },
        'request-timeout-ms': { type: 'string' },
        'require-token': { type: 'boolean' },
        'admin-token-file': { type: 'string' },
        'share-expiry-minutes': { type: 'string' },
        'cors-origin': { type: 'string', multiple: true },
        'allow-host': { type: 'string', multiple: true },
        'served-log': { type: 'string' },
        'predict-only': { type: 'boolean' },
        workers: { type: 'string' },
        // Accepted for `npm start`, which asks the server to mention the URL to open.
        'open-hint': { type: 'boolean' },
      },
      ['model'],
    );
    const port = intOption(values.port, '--port', 0, 65535) ?? 0;
    const maxBatchSize = intOption(values['batch-max'], '--batch-max', 1, 1_000_000);
    const maxDelayMs = numberOption(values['batch-delay-ms'], '--batch-delay-ms', 10_000);
    const workers = values.workers === 'auto' ? resolveWorkers('auto') : (intOption(values.workers, '--workers', 1, 64) ?? 1);
    const predictOnly = values['predict-only'] === true || workers > 1;
    const threads = intOption(values.threads, '--threads', 0, 1024) ?? (workers > 1 ? threadsPerWorker(workers) : undefined);
    const maxElements = intOption(values['max-elements'], '--max-elements', 1, 2 ** 32);
    const requestTimeoutMs = intOption(values['request-timeout-ms'], '--request-timeout-ms', 100, 24 * 3600 * 1000);
    const modelPath = requireFile(positionals[0], 'model file');
    const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;
    const adminToken = readAdminToken(values['admin-token-file']);
    const defaultExpiryMinutes = intOption(values['share-expiry-minutes'], '--share-expiry-minutes', 1, 30 * 24 * 60);
    const corsOrigins = (values['cors-origin'] as unknown as string[] | undefined) ?? [];
    const allowedHosts = (values['allow-host'] as unknown as string[] | undefined) ?? [];

    if (workers > 1 && cluster.isPrimary) return runWorkers(workers, adminToken, values['open-hint'] === true);

    // Loaded on demand so `info`/`predict` do not pay for the HTTP stack.
    const { startServer } = await import('../../serve/start');
    const lab = predictOnly ? undefined : (await import('../../serve/lab-routes')).createLab;
    const server = await startServer({
      lab,
      modelPath,
      referenceCsv,
      host: typeof values.host === 'string' ? values.host : undefined,
      port,
      batching: { enabled: !values['no-batching'], maxBatchSize, maxDelayMs },
      watch: !values['no-watch'],
      loadOptions: threads === undefined ? undefined : { intraOpThreads: threads },
      version: VERSION,
      auth: { adminToken, requireToken: values['require-token'] === true, defaultExpiryMinutes, corsOrigins },
      allowedHosts,
      servedLog: typeof values['served-log'] === 'string' ? values['served-log'] : undefined,
      maxElements,
      http: requestTimeoutMs === undefined ? undefined : { requestTimeoutMs },
    });
    // The owner's URL, as Jupyter prints it: on stderr (the terminal), never in the ready line on stdout,
    // which supervisors parse and log. A token the caller supplied is theirs already: not repeated.
    // A cluster worker's primary prints it, once.
    if (cluster.isPrimary)
      printOpenHint(server.url, server.ownerToken, adminToken !== undefined, values['open-hint'] === true, !predictOnly);

    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    });
    process.stderr.write(`model-lab: ${signal}, finishing in-flight requests and shutting down\n`);
    await server.close();
    // A cluster worker's IPC channel to the primary would keep this process alive: let go of it.
    if (cluster.isWorker) process.disconnect?.();
    return 0;
  },
};

export default serve;

/** The owner's URL on stderr: with the token when this process made it (the caller's own is not repeated). */
function printOpenHint(url: string, ownerToken: string, tokenGiven: boolean, openHint: boolean, lab: boolean): void {
  if (tokenGiven && !openHint) return;
  const openUrl = tokenGiven ? `${browsableUrl(url)}/` : `${browsableUrl(url)}/?token=${ownerToken}`;
  const can = lab ? "run the lab's jobs" : 'read /metrics and the owner-only routes';
  const tokenHint = tokenGiven ? '' : ` (the token lets this browser ${can}: keep it to yourself)`;
  process.stderr.write(`model-lab: open ${openUrl} in a browser to try the model${tokenHint}\n`);
}

/**
 * The primary of `--workers n`: forks n workers re-running this command line (each starts its own server
 * on the shared port), prints the one ready line once all listen, and stops them on Ctrl+C / SIGTERM.
 */
async function runWorkers(workers: number, adminToken: string | undefined, openHint: boolean): Promise<number> {
  const { runPrimary } = await import('../../serve/workers/cluster');
  const { newToken } = await import('../../serve/auth');
  // One owner token for every worker; handed over in the environment, which each worker reads and removes.
  const ownerToken = adminToken ?? newToken();
  const log = (line: string) => process.stderr.write(`model-lab: ${line}\n`);
  return runPrimary({
    workers,
    env: { MODEL_LAB_ADMIN_TOKEN: ownerToken },
    log,
    onReady: ({ url, model, pids }) => {
      process.stdout.write(`${JSON.stringify({ event: 'ready', url, model, pid: process.pid, workers: pids.length })}\n`);
      log(`${pids.length} workers serving ${model} at ${url} (pids ${pids.join(', ')}); predictions only`);
      printOpenHint(url, ownerToken, adminToken !== undefined, openHint, false);
    },
  });
}

/** A URL a browser can open: a wildcard bind address (0.0.0.0, [::]) becomes 127.0.0.1. */
function browsableUrl(url: string): string {
  return url.replace(/^http:\/\/(0\.0\.0\.0|\[::\])(?=:)/, 'http://127.0.0.1');
}

/**
 * The admin credential, from a file (trimmed) or from MODEL_LAB_ADMIN_TOKEN. The variable is deleted
 * once read so that nothing this process starts later inherits it.
 */
function readAdminToken(file: string | boolean | undefined): string | undefined {
  const fromEnv = process.env.MODEL_LAB_ADMIN_TOKEN;
  delete process.env.MODEL_LAB_ADMIN_TOKEN;
  let token = fromEnv;
  if (typeof file === 'string') {
    try {
      token = readFileSync(requireFile(file, 'admin token file'), 'utf8').trim();
    } catch (err) {
      throw new ModelLabError(`cannot read the admin token file ${file}: ${(err as Error).message}`);
    }
  }
  if (token !== undefined && token.length < 32) {
    throw new ModelLabError(
      `the admin token must be at least 32 characters (e.g. node -e ` +
        `"console.log(require('crypto').randomBytes(32).toString('base64url'))"); got ${token.length}`,
    );
  }
  return token || undefined;
}
