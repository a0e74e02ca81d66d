/**
 * Starts the bundled server from the bundle folder with plain `node server/index.js` (a child process,
 * exactly as the receiving engineer will) and compares its answers on the sample requests with the dev
 * model's (onnxruntime in this process): OIP v2 tensors, v1 instances, model metadata, health.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { LoadedModel } from '../../model';
import type { OipInferResponse } from '../../protocol/api';
import { CancelledError } from '../../protocol/errors';
import type { SampleRequests } from '../sample-requests';
import { projectNodeModules } from '../server-bundle';
import { compareValues, type Comparison } from './compare';

const run = promisify(execFile);

export interface ServerParity {
  ok: boolean;
  detail: string;
  measured: Record<string, number | string | boolean>;
}

export interface ServerParityOptions {
  bundleDir: string;
  modelFile: string;
  modelName: string;
  dev: LoadedModel;
  samples: SampleRequests;
  install: 'node-path' | 'npm-ci';
  tolerance: number;
  signal?: AbortSignal;
}

export async function verifyBundledServer(options: ServerParityOptions): Promise<ServerParity> {
  const started = performance.now();
  let serverDir = join(options.bundleDir, 'server');
  let scratch: string | undefined;
  const measured: Record<string, number | string | boolean> = { install: options.install };
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: '0',
      MODEL_PATH: join(options.bundleDir, options.modelFile),
      BATCHING: 'on',
    };
    if (options.install === 'npm-ci') {
      // What the Dockerfile does, in a scratch copy so the bundle never carries a node_modules.
      scratch = await mkdtemp(join(tmpdir(), 'model-lab-bundle-server-'));
      await cp(serverDir, scratch, { recursive: true });
      serverDir = scratch;
      const t = performance.now();
      const npmCi = ['ci', '--omit=dev', '--no-audit', '--no-fund'];
      try {
        // From npm's cache: the project's own `npm ci` fetched every package the lock pins (bundle-lock.ts).
        await run('npm', [...npmCi, '--offline'], { cwd: serverDir, timeout: 300_000, signal: options.signal });
        measured.npmCache = 'offline';
      } catch (err) {
        if (options.signal?.aborted) throw err;
        // A cache that lacks them (cleaned since, or another one): what the cache lacks comes from the registry.
        await run('npm', [...npmCi, '--prefer-offline'], { cwd: serverDir, timeout: 300_000, signal: options.signal });
        measured.npmCache = 'registry for what the cache lacked';
      }
      measured.npmCiMs = Math.round(performance.now() - t);
    } else {
      env.NODE_PATH = projectNodeModules();
    }
    const child = spawn(process.execPath, [join(serverDir, 'index.js')], { cwd: serverDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    // A failed spawn (EAGAIN, ENOMEM) or a broken pipe is this check failing, not an unhandled 'error' event
    // ending the exporting process; waitForReady reports the spawn failure itself.
    child.on('error', () => undefined);
    child.stdout.on('error', () => undefined);
    child.stderr.on('error', () => undefined);
    try {
      const url = await waitForReady(child, 60_000, options.signal);
      measured.startMs = Math.round(performance.now() - started);
      return await compareAnswers(url, options, measured);
    } finally {
      await stop(child);
    }
  } catch (err) {
    return { ok: false, detail: `the bundled server could not be checked: ${(err as Error).message.split('\n')[0]}`, measured };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

async function compareAnswers(url: string, o: ServerParityOptions, measured: ServerParity['measured']): Promise<ServerParity> {
  const problems: string[] = [];
  const ready = await fetch(`${url}/v2/health/ready`);
  if (ready.status !== 200) problems.push(`GET /v2/health/ready answered ${ready.status}`);
  const meta = (await (await fetch(`${url}/v2/models/${o.modelName}`)).json()) as { inputs?: { name: string }[] };
  const devInputs = o.dev.info.inputs.map((i) => i.name).join(',');
  if (meta.inputs?.map((i) => i.name).join(',') !== devInputs)
    problems.push(`model metadata lists inputs ${JSON.stringify(meta.inputs?.map((i) => i.name))}, expected ${devInputs}`);

  // OIP v2: the same tensors to both; every output compared element by element.
  const devOutputs = await o.dev.run(o.samples.tensors);
  const res = await fetch(`${url}/v2/models/${o.modelName}/infer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(o.samples.oip),
  });
  const body = (await res.json()) as OipInferResponse & { error?: string };
  let worst: Comparison = { maxAbsDiff: 0, mismatches: [] };
  if (res.status !== 200) {
    problems.push(`POST /v2/models/${o.modelName}/infer answered ${res.status}: ${body.error ?? ''}`);
  } else {
    for (const dev of devOutputs) {
      const got = body.outputs.find((t) => t.name === dev.name);
      if (!got) {
        problems.push(`OIP response has no output '${dev.name}'`);
        continue;
      }
      if (got.shape.join('x') !== dev.dims.join('x'))
        problems.push(`output '${dev.name}' has shape [${got.shape.join(', ')}], dev server [${dev.dims.join(', ')}]`);
      const c = compareValues(
        Array.from(dev.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
        got.data,
        `output '${dev.name}'`,
        o.tolerance,
      );
      worst = { maxAbsDiff: Math.max(worst.maxAbsDiff, c.maxAbsDiff), mismatches: [...worst.mismatches, ...c.mismatches] };
    }
  }
  // v1 instances: decoded predictions (labels, probabilities, values) compared as JSON.
  if (o.samples.v1) {
    const devPredictions = (await o.dev.predictRecords(o.samples.records)).predictions;
    const v1 = await fetch(`${url}/v1/models/${o.modelName}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(o.samples.v1),
    });
    const v1Body = (await v1.json()) as { predictions?: unknown; error?: string };
    if (v1.status !== 200) problems.push(`POST /v1/models/${o.modelName}:predict answered ${v1.status}: ${v1Body.error ?? ''}`);
    else {
      const c = compareValues(JSON.parse(JSON.stringify(devPredictions)), v1Body.predictions, 'v1 predictions', o.tolerance);
      worst = { maxAbsDiff: Math.max(worst.maxAbsDiff, c.maxAbsDiff), mismatches: [...worst.mismatches, ...c.mismatches] };
    }
  }
  problems.push(...worst.mismatches.slice(0, 3));
  measured.rows = o.samples.rows;
  measured.maxAbsDiff = worst.maxAbsDiff;
  measured.tolerance = o.tolerance;
  const requests = o.samples.v1 ? 'OIP v2 and v1 instances' : 'OIP v2';
  return problems.length
    ? { ok: false, detail: `the bundled server disagrees with the dev model: ${problems.join('; ')}`, measured }
    : {
        ok: true,
        detail:
          `node server/index.js answered ${requests} on ${o.samples.rows} sample row(s) like the ` +
          `dev model (max abs diff ${worst.maxAbsDiff.toExponential(2)}, tolerance ${o.tolerance})`,
        measured,
      };
}

/** Resolves with the URL from the server's ready line; rejects with its stderr if it exits first. */
function waitForReady(child: ChildProcess, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const timer = setTimeout(
      () =>
        done(() => reject(new Error(`no ready line within ${timeoutMs / 1000} s; stderr: ${err.trim().split('\n').slice(-2).join(' ')}`))),
      timeoutMs,
    );
    const onAbort = (): void => done(() => reject(new CancelledError()));
    signal?.addEventListener('abort', onAbort);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.includes('"event":"ready"'));
      if (line) done(() => resolve((JSON.parse(line) as { url: string }).url));
    });
    child.once('exit', (code) =>
      done(() =>
        reject(new Error(`node server/index.js exited with code ${code}: ${err.trim().split('\n').slice(-2).join(' ') || 'no output'}`)),
      ),
    );
    child.once('error', (spawnError) => done(() => reject(new Error(`node server/index.js could not be started: ${spawnError.message}`))));
  });
}

async function stop(child: ChildProcess): Promise<void> {
  // No pid: it never started (the 'error' handler saw why), so there is no exit to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
