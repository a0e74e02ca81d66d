/**
 * The drift engine's worker thread (see worker.ts for the jobs): where its script is, and running
 * one job in it. The script is `worker.ts` next to this file when running from source (loaded
 * through tsx's require hook), or `drift-worker.js` next to the bundle (a separate esbuild entry in
 * scripts/build.mjs). When neither is there, callers do the work on this thread instead — same
 * results, just not in parallel.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ColumnData } from './csv/column';
import { CsvFormatError } from './csv/tokenizer';
import type { CsvColumns, ReadCsvOptions } from './csv/read';
import type { MmdResult } from './mmd';
import type { WalkResult } from './pair';

/** ReadCsvOptions without what cannot cross threads (functions, the signal, the Set, the pool object). */
export type PlainReadOptions = Omit<ReadCsvOptions, 'signal' | 'onProgress' | 'categorical' | 'pool'> & { categorical: string[] };

export type WorkerJob =
  /**
   * `mainIdle` (one Int32): the main thread sets it to 1 once it has nothing left but to wait for this
   * read. The worker, its file read, then leaves the sort to the main thread when it is set and goes on
   * to its next job (the MMD test) at once; else it sorts, as the main thread is busy.
   */
  | { type: 'read'; file: string; options: PlainReadOptions; pool: ArrayBuffer[]; mainIdle?: SharedArrayBuffer }
  /** Load (and sort) spilled columns of an earlier pass (csv/spill.ts). */
  | { type: 'load'; columns: ColumnData[]; pool: ArrayBuffer[] }
  | { type: 'mmd'; columns: string[]; ref: Float64Array; cur: Float64Array; alpha: number }
  /** Walk sorted samples (walk.ts); the arrays' buffers are transferred there and back. */
  | { type: 'walk'; pairs: { ref: Float64Array; cur: Float64Array }[] };

export type WorkerMessage =
  | { type: 'progress'; rows: number; bytes: number; total: number }
  /** `spare`: buffers of the job's pool it did not keep (sent back for the next pass to reuse). */
  | { type: 'done'; result: CsvColumns | ColumnData[] | MmdResult | WalkResult | null; spare?: ArrayBuffer[] }
  | {
      type: 'error';
      name: string;
      message: string;
      where: { file: string; line: number; column: number; detail: string } | null;
      code: string | null;
    };

/** An error as the worker posts it (plain data: it crosses threads, and bundles, by name). */
export function errorMessage(err: unknown): Extract<WorkerMessage, { type: 'error' }> {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    type: 'error',
    name: e.name,
    message: e.message,
    where: e instanceof CsvFormatError ? { file: e.file, line: e.line, column: e.column, detail: e.detail } : null,
    code: (e as NodeJS.ErrnoException).code ?? null,
  };
}

let cachedScript: string | null | undefined;

export function workerScript(): string | null {
  if (cachedScript === undefined) {
    const candidates = [join(__dirname, 'worker.ts'), join(__dirname, 'drift-worker.js')];
    cachedScript = candidates.find((p) => existsSync(p)) ?? null;
  }
  return cachedScript;
}

/** A worker thread waiting for its job message, or null when there is no worker script. */
function createWorker(): Worker | null {
  const script = workerScript();
  if (script === null) return null;
  if (script.endsWith('.ts')) {
    // From source: the worker needs the TypeScript loader too (tsx is a dev dependency).
    return new Worker(`require('tsx/cjs'); require(${JSON.stringify(script)});`, { eval: true });
  }
  return new Worker(script);
}

let spare: Worker | null = null;

/** Files smaller than this are read on one thread (a worker thread takes ~30–50 ms to start). */
export const PARALLEL_MIN_BYTES = 2 * 2 ** 20;

/**
 * Where `startEarlyWorker` leaves its worker for the engine. A global, not this module's `spare`: the CLI
 * entry (dist/server/cli.js) and the drift command (cli-drift.js) are separate bundles, each with its
 * own copy of this module.
 */
const EARLY_WORKER = Symbol.for('model-lab.drift.early-worker');
type EarlyHolder = { [EARLY_WORKER]?: Worker };

/**
 * Starts the engine's worker thread before the engine is even loaded — the CLI entry calls this for
 * `model-lab drift` on big files (cli/main.ts). The thread then boots (100–200 ms of wall time on a busy
 * 2-core machine) while this thread loads and compiles the drift bundle, instead of after it: the worker
 * reads the current file, and its read ending late was what the whole check waited for.
 */
export function startEarlyWorker(): void {
  const holder = globalThis as EarlyHolder;
  if (holder[EARLY_WORKER]) return;
  try {
    const worker = createWorker();
    if (worker === null) return;
    worker.unref(); // the check may never take it (bad arguments, small files): it must not keep the process alive
    worker.on('error', () => undefined); // nor crash it before anyone listens (startWorker drops this listener)
    holder[EARLY_WORKER] = worker;
  } catch {
    // No worker: the engine starts one itself, or reads on one thread.
  }
}

/** The worker `startEarlyWorker` left, once (null when there is none). */
function takeEarlyWorker(): Worker | null {
  const holder = globalThis as EarlyHolder;
  const worker = holder[EARLY_WORKER] ?? null;
  delete holder[EARLY_WORKER];
  return worker;
}

/**
 * Starts a worker now, to be used by the next job: a thread takes 30–50 ms to boot, which then
 * overlaps with the main thread's own preparations (header, plan) instead of delaying the read.
 */
export function prestartWorker(): void {
  if (spare) return;
  try {
    spare = takeEarlyWorker() ?? createWorker();
    spare?.unref(); // an unused spare must not keep the process alive
  } catch {
    spare = null;
  }
}

/** Keeps a worker that has finished its job as the spare (worker.ts takes one job after another). */
function park(worker: Worker): void {
  worker.removeAllListeners();
  // An idle worker should not fail; if it does, it is simply not reused.
  worker.on('error', () => {
    if (spare === worker) spare = null;
  });
  worker.on('exit', () => {
    if (spare === worker) spare = null;
  });
  worker.unref();
  spare = worker;
}

/** Stops a spare worker nobody took (e.g. the check failed before reading, or read on one thread). */
export function releaseSpareWorker(): void {
  void spare?.terminate();
  spare = null;
  void takeEarlyWorker()?.terminate();
}

/** Starts a worker on `job` (the spare one if there is one), or returns null when there is no worker script. */
export function startWorker(job: WorkerJob, transferList: ArrayBuffer[] = []): Worker | null {
  const worker = spare ?? takeEarlyWorker() ?? createWorker();
  spare = null;
  if (worker === null) return null;
  worker.removeAllListeners(); // a parked worker's idle handlers (see park)
  worker.ref();
  worker.postMessage(job, transferList);
  return worker;
}

export interface WorkerRun<T> {
  result: Promise<T>;
}

/**
 * Runs `job` in a worker and resolves with its result; `fallback` runs on this thread if the worker
 * cannot start. Aborting `signal` terminates the worker. Errors come back rebuilt by `rebuild`.
 */
export function runInWorker<T>(
  job: WorkerJob,
  transferList: ArrayBuffer[],
  fallback: () => Promise<T>,
  options: {
    signal?: AbortSignal;
    onProgress?: (rows: number, bytes: number, total: number) => void;
    rebuild: (m: Extract<WorkerMessage, { type: 'error' }>) => Error;
    abortError: () => Error;
    /** Receives the buffers the worker did not keep (see WorkerMessage). */
    onSpare?: (buffers: ArrayBuffer[]) => void;
  },
): Promise<T> {
  let worker: Worker | null;
  try {
    worker = startWorker(job, transferList);
  } catch {
    worker = null;
  }
  if (worker === null) return fallback();
  const w = worker;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let started = false;
    const finish = (fn: () => void, reusable = false) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      // A worker that finished its job well is kept for the next one (the MMD test after the read, the
      // next pass): a new thread costs ~50 ms of CPU to boot and load its script.
      if (reusable && spare === null) park(w);
      else void w.terminate();
      fn();
    };
    const onAbort = () => finish(() => reject(options.abortError()));
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    w.on('message', (message: WorkerMessage) => {
      started = true;
      if (message.type === 'progress') options.onProgress?.(message.rows, message.bytes, message.total);
      else if (message.type === 'done') {
        if (message.spare) options.onSpare?.(message.spare);
        finish(() => resolve(message.result as T), true);
      } else finish(() => reject(options.rebuild(message)));
    });
    w.on('error', (err) => {
      // A worker that could not even start (no loader, no script): do the job here instead.
      if (!started)
        finish(() => {
          fallback().then(resolve, reject);
        });
      else finish(() => reject(err));
    });
    w.on('exit', (code) => finish(() => reject(new Error(`the drift worker thread stopped unexpectedly (exit code ${code})`))));
  });
}
