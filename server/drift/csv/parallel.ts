/**
 * Reads the reference and the current file at the same time: one in a worker thread, the other on
 * this thread (the machines this runs on have ≥ 2 cores; parsing is the largest cost of a check).
 * Each side is also sorted where it was read, so the sorting is split across the two cores too.
 *
 * The worker script is `read-worker.ts` next to this file when running from source (tsx), or
 * `drift-read-worker.js` next to the bundle (a separate esbuild entry). When neither is there, or the
 * worker cannot start, both files are read here one after the other — same results, just slower.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { abortError, readCsvColumns, sortColumns, type CsvColumns, type ReadCsvOptions } from './read';
import { CsvFormatError } from './tokenizer';

/** What the worker gets: ReadCsvOptions without the functions, the signal and the Set. */
export interface WorkerReadRequest {
  file: string;
  options: Omit<ReadCsvOptions, 'signal' | 'onProgress' | 'categorical'> & { categorical: string[] };
}

export type WorkerMessage =
  | { type: 'progress'; rows: number; bytes: number; total: number }
  | { type: 'done'; result: CsvColumns }
  | { type: 'error'; name: string; message: string; where: { file: string; line: number; column: number; detail: string } | null; code: string | null };

export interface SideRequest {
  file: string;
  options: ReadCsvOptions;
}

/** Reads both sides concurrently when a worker is available; results are sorted (`sort: true`). */
export async function readBoth(reference: SideRequest, current: SideRequest, useWorker = true): Promise<[CsvColumns, CsvColumns]> {
  const script = useWorker ? workerScript() : null;
  if (script === null) {
    const ref = await readCsvColumns(reference.file, { ...reference.options, sort: true });
    const cur = await readCsvColumns(current.file, { ...current.options, sort: true });
    return [ref, cur];
  }
  // Reference in the worker, current here. If either fails, the other is stopped.
  const controller = new AbortController();
  const outer = current.options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  try {
    const refPromise = readInWorker(script, reference, controller.signal);
    const curPromise = readCsvColumns(current.file, { ...current.options, signal: controller.signal, sort: true });
    curPromise.catch(() => controller.abort());
    refPromise.catch(() => controller.abort());
    const [ref, cur] = await Promise.all([refPromise, curPromise]);
    return [ref, cur];
  } finally {
    outer?.removeEventListener('abort', onOuterAbort);
  }
}

let cachedScript: string | null | undefined;

function workerScript(): string | null {
  if (cachedScript !== undefined) return cachedScript;
  const candidates = [join(__dirname, 'read-worker.ts'), join(__dirname, 'drift-read-worker.js')];
  cachedScript = candidates.find((p) => existsSync(p)) ?? null;
  return cachedScript;
}

function readInWorker(script: string, side: SideRequest, signal: AbortSignal): Promise<CsvColumns> {
  const { signal: _s, onProgress, categorical, ...plain } = side.options;
  const request: WorkerReadRequest = { file: side.file, options: { ...plain, sort: true, categorical: [...(categorical ?? [])] } };
  return new Promise<CsvColumns>((resolve, reject) => {
    let settled = false;
    let started = false;
    const worker = new Worker(script, { workerData: request });
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(abortError(signal)));
    signal.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      started = true;
      if (message.type === 'progress') onProgress?.(message.rows, message.bytes, message.total);
      else if (message.type === 'done') finish(() => resolve(message.result));
      else finish(() => reject(rebuildError(message)));
    });
    worker.on('error', (err) => {
      // A worker that could not even start (e.g. no TypeScript loader in it): read here instead.
      if (!started) {
        finish(() => {
          readCsvColumns(side.file, { ...side.options, signal, sort: true }).then(resolve, reject);
        });
        return;
      }
      finish(() => reject(err));
    });
    worker.on('exit', (code) => finish(() => reject(new Error(`the CSV reader thread for ${side.file} stopped unexpectedly (exit code ${code})`))));
  });
}

function rebuildError(message: Extract<WorkerMessage, { type: 'error' }>): Error {
  if (message.where) return new CsvFormatError(message.where.file, message.where.line, message.where.column, message.where.detail);
  const err = new Error(message.message) as NodeJS.ErrnoException;
  err.name = message.name;
  if (message.code) err.code = message.code;
  return err;
}

export { sortColumns };
