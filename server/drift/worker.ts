/**
 * Worker-thread entry of the drift engine. Jobs: `read` — read (and sort, see WorkerJob) one CSV or Parquet file, so the
 * reference and the current file are parsed on two cores at once, posting progress per chunk and
 * then the columns (value buffers transferred, not copied); `mmd` — the multivariate permutation
 * test, run while the main thread tests the columns; `load` — load and sort the spilled columns of a
 * later pass (csv/spill.ts); `walk` — walks over sorted columns of a pass (walk.ts). Errors go back as plain data.
 */
import { parentPort } from 'node:worker_threads';
import { BufferPool } from './csv/column';
import { readCsvColumns, sortColumns } from './csv/read';
import { loadSpilledColumns } from './csv/spill';
import { isParquet } from './table';
import { mmdTest } from './mmd';
import { walkPairs } from './walk';
import { errorMessage, type WorkerJob, type WorkerMessage } from './threads';

const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

function postError(err: unknown): void {
  post(errorMessage(err));
}

/**
 * The Parquet reader (hyparquet and its decompressors, ~340 KB) is loaded only when a Parquet file
 * comes: loaded up front it made every worker start (also for CSVs and MMD) ~100 ms slower.
 * require(), not import() as in table.ts: a worker run from source has only tsx's require hook;
 * esbuild bundles it all the same and runs the module's code only on this first call.
 */
function parquetReader(): typeof import('./parquet').readParquetColumns {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see above
  return (require('./parquet') as typeof import('./parquet')).readParquetColumns;
}

// Jobs come one after another (the thread may be started before the first is known, and is kept for
// the next one when it finished well: threads.ts).
parentPort!.on('message', (job: WorkerJob) => {
  if (job.type === 'read') runRead(job);
  else if (job.type === 'load') runLoad(job);
  else if (job.type === 'walk') runWalk(job);
  else runMmd(job);
});

function runRead(job: Extract<WorkerJob, { type: 'read' }>): void {
  const read = isParquet(job.file) ? parquetReader() : readCsvColumns;
  const pool = new BufferPool(job.pool);
  const mainIdle = job.mainIdle ? new Int32Array(job.mainIdle) : null;
  read(job.file, {
    ...job.options,
    sort: job.options.sort && mainIdle === null,
    categorical: new Set(job.options.categorical),
    pool,
    onProgress: (rows, bytes, total) => post({ type: 'progress', rows, bytes, total }),
  }).then((result) => {
    // Sorted here only while the main thread is still busy (see WorkerJob): when it already waits, it sorts.
    if (job.options.sort && mainIdle !== null && Atomics.load(mainIdle, 0) === 0) sortColumns(result.columns.values(), pool);
    const buffers = [...result.columns.values()].map((d) => d.values.buffer as ArrayBuffer);
    if (result.sample) buffers.push(result.sample.values.buffer as ArrayBuffer);
    const spare = pool.drain();
    post({ type: 'done', result, spare }, [...new Set([...buffers, ...spare])]);
  }, postError);
}

function runLoad(job: Extract<WorkerJob, { type: 'load' }>): void {
  const pool = new BufferPool(job.pool);
  loadSpilledColumns(job.columns, { pool, sort: true }).then((columns) => {
    const spare = pool.drain();
    post({ type: 'done', result: columns, spare }, [...new Set([...columns.map((d) => d.values.buffer as ArrayBuffer), ...spare])]);
  }, postError);
}

function runWalk(job: Extract<WorkerJob, { type: 'walk' }>): void {
  try {
    const result = walkPairs(job.pairs);
    post({ type: 'done', result }, [...new Set(job.pairs.flatMap((p) => [p.ref.buffer as ArrayBuffer, p.cur.buffer as ArrayBuffer]))]);
  } catch (err) {
    postError(err);
  }
}

function runMmd(job: Extract<WorkerJob, { type: 'mmd' }>): void {
  try {
    post({ type: 'done', result: mmdTest(job.columns, job.ref, job.cur, { alpha: job.alpha }) });
  } catch (err) {
    postError(err);
  }
}
