/**
 * The drift worker takes one job after another: a worker that finished well is kept for the next job
 * (read, then MMD, then another read), one that failed is not, and a job after a failure still runs.
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
import { releaseSpareWorker, runInWorker } from '../../server/drift/threads';

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
