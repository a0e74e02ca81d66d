/**
 * The drift worker takes one job after another: a worker that finished well is kept for the next job
 * (read, then MMD, then another read), one that failed is not, and a job after a failure still runs.
 * A worker the CLI entry started early is the one the first job takes, or is stopped when none does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { rebuildError } from '../../server/drift/csv/parallel';
import { CsvFormatError } from '../../server/drift/csv/tokenizer';
import type { CsvColumns } from '../../server/drift/csv/read';
import type { MmdResult } from '../../server/drift/mmd';
import type { Worker } from 'node:worker_threads';
import { releaseSpareWorker, runInWorker, startEarlyWorker } from '../../server/drift/threads';

const dir = mkdtempSync(join(tmpdir(), 'drift-threads-'));
after(() => {
  releaseSpareWorker();
  rmSync(dir, { recursive: true, force: true });
});

const noFallback = () => Promise.reject(new Error('the job ran on this thread, not in the worker'));
const options = { rebuild: rebuildError, abortError: () => new Error('aborted') };

function read(file: string): Promise<CsvColumns> {
  return runInWorker<CsvColumns>({ type: 'read', file, options: { sort: true, categorical: [] }, pool: [] }, [], noFallback, options);
}

test('jobs in a row run in the worker: read, MMD, a failing read, then a read again', { timeout: 120_000 }, async () => {
  const good = join(dir, 'good.csv');
  writeFileSync(good, `a,b\n${Array.from({ length: 50 }, (_, i) => `${(i * 7) % 13},${i / 4}`).join('\n')}\n`);
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'a,b\n1,2\n3,4,5\n');

  const first = await read(good);
  assert.equal(first.rows, 50);
  assert.deepEqual(Array.from(first.columns.get('b')!.values.subarray(0, 3)), [0, 0.25, 0.5]);

  const ref = Float64Array.from({ length: 80 }, (_, i) => Math.sin(i));
  const cur = Float64Array.from({ length: 80 }, (_, i) => Math.cos(i) + 3);
  const mmd = await runInWorker<MmdResult | null>({ type: 'mmd', columns: ['x', 'y'], ref, cur, alpha: 0.05 }, [], noFallback, options);
  assert.ok(mmd !== null && mmd.drift, 'the shifted sample drifts');

  await assert.rejects(read(bad), (err: unknown) => err instanceof CsvFormatError && err.line === 3);

  const again = await read(good);
  assert.equal(again.rows, 50);
  assert.equal(again.columns.get('a')!.count, 50);
});

// The CLI entry starts the worker before the drift bundle is loaded (cli/main.ts); the engine, a separate
// bundle, finds it through a global.
const EARLY_WORKER = Symbol.for('model-lab.drift.early-worker');
const early = () => (globalThis as { [EARLY_WORKER]?: Worker })[EARLY_WORKER];

test('a worker started early by the CLI entry runs the first job, and one nobody takes is stopped', { timeout: 120_000 }, async () => {
  releaseSpareWorker();
  startEarlyWorker();
  const started = early();
  assert.ok(started, 'startEarlyWorker leaves a worker for the engine');
  startEarlyWorker();
  assert.equal(early(), started, 'a second call starts no second thread');
  const good = join(dir, 'early.csv');
  writeFileSync(good, 'a\n1\n2\n3\n');
  const columns = await read(good);
  assert.equal(columns.rows, 3);
  assert.equal(early(), undefined, 'the job took the early worker');

  startEarlyWorker();
  const unused = early()!;
  const exited = new Promise<number>((resolve) => unused.once('exit', resolve));
  releaseSpareWorker();
  assert.equal(early(), undefined);
  await exited; // stopped, not left to keep the process alive
});

test('a worker read leaves its sort to the main thread only when that one already waits', { timeout: 120_000 }, async () => {
  const file = join(dir, 'unsorted.csv');
  writeFileSync(file, `x,c\n${Array.from({ length: 2000 }, (_, i) => `${Math.sin(i) * 100},k${i % 3}`).join('\n')}\n`);
  const expected = Array.from({ length: 2000 }, (_, i) => Number(String(Math.sin(i) * 100)));
  const readWith = (idle: number) => {
    const mainIdle = new SharedArrayBuffer(4);
    new Int32Array(mainIdle)[0] = idle;
    return runInWorker<CsvColumns>(
      { type: 'read', file, options: { sort: true, categorical: [] }, pool: [], mainIdle },
      [],
      noFallback,
      options,
    );
  };
  const busy = (await readWith(0)).columns.get('x')!;
  assert.equal(busy.sorted, true);
  assert.deepEqual(
    Array.from(busy.values.subarray(0, busy.count)),
    expected.slice().sort((a, b) => a - b),
  );
  const idle = (await readWith(1)).columns.get('x')!;
  assert.equal(idle.sorted, false);
  assert.deepEqual(Array.from(idle.values.subarray(0, idle.count)), expected, 'file order: the main thread sorts');
});

test('readBoth returns both sides sorted whichever thread sorted the current one', { timeout: 120_000 }, async () => {
  const { readBoth } = await import('../../server/drift/csv/parallel');
  const small = join(dir, 'small-ref.csv');
  const large = join(dir, 'large-cur.csv');
  writeFileSync(small, `x\n${Array.from({ length: 600 }, (_, i) => Math.cos(i)).join('\n')}\n`);
  writeFileSync(large, `x\n${Array.from({ length: 150_000 }, (_, i) => Math.sin(i * 1.3) * 1e3).join('\n')}\n`);
  const [ref, cur] = await readBoth({ file: small, options: {} }, { file: large, options: {} });
  for (const side of [ref, cur]) {
    const x = side.columns.get('x')!;
    const values = Array.from(x.values.subarray(0, x.count));
    assert.equal(x.sorted, true);
    assert.deepEqual(
      values,
      values.slice().sort((a, b) => a - b),
    );
  }
  assert.equal(cur.columns.get('x')!.count, 150_000);
});
