/**
 * The drift benchmark's CSVs, written in chunks of CHUNK_ROWS rows on worker threads (the --big pair is
 * ~8 GB of 17-digit floats: one thread formatting 400 million of them took ~10 minutes). Each chunk has
 * its own seed, so the files are the same byte for byte whatever the thread count; chunk 0 is seeded with
 * the file's seed, so files of up to CHUNK_ROWS rows (the default 200,000) are those the single-threaded
 * generator wrote, and benchmarks/drift-parquet.ts (same generator, same seeds) still matches them.
 *
 * Floats are formatted by benchmarks/pandas-float-csv.cpp (std::to_chars, ~10x quicker) when g++ can
 * build it and a file has only float columns, else by pandasFloat (or toFixed(4) for --short-floats,
 * which the native formatter also writes byte for byte); both write the same bytes.
 *
 * This module is also the workers' entry: a worker formats the chunks it is sent and posts back bytes.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { mulberry32 } from '../server/drift/math/random';
import { pandasFloat } from './pandas-float';

export interface CsvSpec {
  rows: number;
  numeric: number;
  /** Adds the city, plan and churned columns (the default benchmark's 2 categorical + 1 binary). */
  categorical: boolean;
  /** Mean shift of x0 (and skew of the categorical columns): 0 for the reference. */
  shift: number;
  seed: number;
  /** `--short-floats`: 4 decimals (7 characters) instead of pandas' shortest repr (~19). */
  short: boolean;
  /**
   * `--missing p`: each number is missing (an empty field, as to_csv writes NaN) with probability p, and
   * the city column holds names to_csv quotes (a comma, a quote). 0 or absent: the files as before.
   */
  missing?: number;
}

/** Rows per chunk: the default 200,000-row file is one chunk (and so the same as before chunking). */
export const CHUNK_ROWS = 250_000;

const CITIES = ['paris', 'lyon', 'nice', 'lille', 'nantes', 'brest'];
/** The cities as to_csv writes names holding a comma or a quote (`--missing`). */
const QUOTED_CITIES = ['paris', '"lyon, rhône"', 'nice', '"lille ""nord"""', 'nantes', '"brest, finistère"'];

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** Chunk k's seed: the file's own for chunk 0, else a hash of both (mulberry32 streams of nearby seeds overlap). */
function chunkSeed(seed: number, k: number): number {
  if (k === 0) return seed;
  let h = (Math.imul(seed, 0x85ebca6b) ^ Math.imul(k, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export function csvHeader(spec: CsvSpec): string {
  const header = Array.from({ length: spec.numeric }, (_, i) => `x${i}`);
  if (spec.categorical) header.push('city', 'plan', 'churned');
  return `${header.join(',')}\n`;
}

/** The text of chunk k: rows k·CHUNK_ROWS … (k+1)·CHUNK_ROWS − 1 (fewer in the last chunk). */
export function csvChunk(spec: CsvSpec, k: number): string {
  const random = mulberry32(chunkSeed(spec.seed, k));
  const format = spec.short ? (x: number) => x.toFixed(4) : pandasFloat;
  const rows = Math.min(CHUNK_ROWS, spec.rows - k * CHUNK_ROWS);
  const { numeric, shift } = spec;
  const lines: string[] = [];
  const missing = spec.missing ?? 0;
  const cities = missing > 0 ? QUOTED_CITIES : CITIES;
  for (let r = 0; r < rows; r++) {
    let line = '';
    for (let c = 0; c < numeric; c++) {
      const value = gaussian(random) * (c + 1) + (c === 0 ? shift : 0);
      // The extra draw only with --missing: without it the files stay byte for byte what they were.
      const cell = missing > 0 && random() < missing ? '' : format(value);
      line = c === 0 ? cell : `${line},${cell}`;
    }
    if (spec.categorical) {
      const city = cities[Math.floor(random() ** (1 + shift) * CITIES.length)];
      const plan = random() < 0.3 ? 'pro' : 'free';
      const churned = random() < 0.2 + shift / 10 ? '1' : '0';
      line = numeric ? `${line},${city},${plan},${churned}` : `${city},${plan},${churned}`;
    }
    lines.push(line);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

/** Chunk k's numbers, row-major — the same draws as csvChunk for a spec without categorical columns. */
export function chunkNumbers(spec: CsvSpec, k: number): Float64Array {
  const random = mulberry32(chunkSeed(spec.seed, k));
  const rows = Math.min(CHUNK_ROWS, spec.rows - k * CHUNK_ROWS);
  const { numeric, shift } = spec;
  const values = new Float64Array(Math.max(0, rows) * numeric);
  for (let i = 0; i < values.length; i++) {
    const c = i % numeric;
    values[i] = gaussian(random) * (c + 1) + (c === 0 ? shift : 0);
  }
  return values;
}

/** Whether the native formatter can write this spec's chunks (float columns only, pandas' or --short-floats). */
const nativeFits = (spec: CsvSpec) => !spec.categorical && spec.numeric > 0 && !spec.missing;

/**
 * Compiles benchmarks/pandas-float-csv.cpp into `dir` with g++ (C++17 std::to_chars); null when there
 * is no g++ or it fails (the JavaScript formatter is used then).
 */
export function compileFormatter(dir: string): string | null {
  const source = join(import.meta.dirname, 'pandas-float-csv.cpp');
  const binary = join(dir, 'pandas-float-csv');
  const built = spawnSync('g++', ['-O2', '-std=c++17', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
  return built.status === 0 ? binary : null;
}

/** Chunk k's text through the native formatter (same bytes as csvChunk: test/drift/bench-data.test.ts). */
export function nativeChunk(spec: CsvSpec, k: number, formatter: string): Uint8Array {
  const values = chunkNumbers(spec, k);
  const out = spawnSync(formatter, [String(spec.numeric), ...(spec.short ? ['--fixed4'] : [])], {
    input: new Uint8Array(values.buffer),
    maxBuffer: values.length * 32 + 1024,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  if (out.status !== 0) throw new Error(`${formatter} failed (status ${out.status}${out.error ? `: ${out.error.message}` : ''})`);
  return out.stdout;
}

interface Job {
  spec: CsvSpec;
  k: number;
  /** The compiled formatter, when there is one and the spec fits it. */
  formatter: string | null;
}

/**
 * Writes each spec to its path, chunks formatted on `threads` workers (default: one per core, at most
 * 4), written in order; at most threads + 2 chunks (~100 MB each for 20 long floats) are in flight.
 */
export async function writeCsvs(files: { path: string; spec: CsvSpec }[], threads = Math.min(4, availableParallelism())): Promise<void> {
  const fds = files.map((f) => openSync(f.path, 'w'));
  const workers: Worker[] = [];
  const native = files.some((f) => nativeFits(f.spec)) ? mkdtempSync(join(tmpdir(), 'drift-bench-format-')) : null;
  try {
    const formatter = native ? compileFormatter(native) : null;
    files.forEach((f, i) => writeSync(fds[i], csvHeader(f.spec)));
    // Chunks of all files interleaved, so the files grow together.
    const jobs: { file: number; job: Job }[] = [];
    const chunks = files.map((f) => Math.ceil(f.spec.rows / CHUNK_ROWS));
    for (let k = 0; k < Math.max(0, ...chunks); k++)
      files.forEach((f, file) => {
        if (k < chunks[file]) jobs.push({ file, job: { spec: f.spec, k, formatter: nativeFits(f.spec) ? formatter : null } });
      });
    const idle: Worker[] = [];
    const waiting: ((w: Worker) => void)[] = [];
    for (let i = 0; i < Math.max(1, threads); i++) {
      const w = startWorker();
      w.unref();
      workers.push(w);
      idle.push(w);
    }
    const run = (job: Job) =>
      new Promise<Uint8Array>((resolve, reject) => {
        const start = (w: Worker) => {
          const done = (bytes: Uint8Array) => {
            w.off('error', fail);
            const next = waiting.shift();
            if (next) next(w);
            else idle.push(w);
            resolve(bytes);
          };
          const fail = (err: Error) => reject(err);
          w.once('message', done);
          w.once('error', fail);
          w.postMessage(job);
        };
        const w = idle.pop();
        if (w) start(w);
        else waiting.push(start);
      });
    const window = Math.max(1, threads) + 2;
    const pending: Promise<Uint8Array>[] = [];
    let next = 0;
    const startNext = () => {
      if (next >= jobs.length) return;
      const p = run(jobs[next++].job);
      p.catch(() => undefined); // awaited in order below
      pending.push(p);
    };
    while (next < Math.min(window, jobs.length)) startNext();
    for (const { file } of jobs) {
      const bytes = await pending.shift()!;
      startNext();
      for (let off = 0; off < bytes.length;) off += writeSync(fds[file], bytes, off, bytes.length - off);
    }
  } finally {
    for (const fd of fds) closeSync(fd);
    await Promise.all(workers.map((w) => w.terminate()));
    if (native) rmSync(native, { recursive: true, force: true });
  }
}

/**
 * A worker running this file. Node does not apply the parent's `--import tsx` hooks to workers, so a
 * TypeScript copy of this file is loaded after registering tsx's require hook in the worker.
 */
function startWorker(): Worker {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.ts')) return new Worker(self);
  const tsx = createRequire(self).resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(self)});`, { eval: true });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  port.on('message', (job: Job) => {
    if (job.formatter) {
      const bytes = nativeChunk(job.spec, job.k, job.formatter);
      const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      port.postMessage(bytes, whole ? [bytes.buffer] : []);
      return;
    }
    // UTF-8, as to_csv writes (the --missing cities are not ASCII); its own ArrayBuffer, so it can be transferred.
    const bytes = new TextEncoder().encode(csvChunk(job.spec, job.k));
    port.postMessage(bytes, [bytes.buffer]);
  });
}
