/**
 * Reading in several passes (column groups under a memory budget) and the reference statistics cache
 * must not change any result: the reports are compared field by field, timings aside.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDrift, type DriftReport } from '../../server/drift';
import { cachePath } from '../../server/drift/cache';
import { fixture } from './helpers';

const dirs: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The report without what legitimately differs between runs. */
function comparable(report: DriftReport) {
  const { timings: _t, createdAt: _c, reference, ...rest } = report;
  return { ...rest, reference: { ...reference, cache: null, file: null } };
}

for (const pair of ['small', 'large']) {
  test(`${pair}: one column per pass gives the same report as a single pass (MMD sample included)`, async () => {
    const files = { reference: fixture(`${pair}_reference.csv`), current: fixture(`${pair}_current.csv`) };
    const single = await runDrift(files);
    // On two threads for one pair: the value buffers then travel to the worker and back between passes.
    const multi = await runDrift({ ...files, memoryBudgetMb: 0.0001, parallel: pair === 'large' });
    assert.equal(single.timings.passes, 1);
    assert.equal(multi.timings.passes, single.columns.length);
    assert.notEqual(multi.multivariate, null);
    assert.deepEqual(comparable(multi), comparable(single));
  });

  test(`${pair}: reading on one thread gives the same report as on two`, async () => {
    const files = { reference: fixture(`${pair}_reference.csv`), current: fixture(`${pair}_current.csv`) };
    assert.deepEqual(comparable(await runDrift({ ...files, parallel: false })), comparable(await runDrift({ ...files, parallel: true })));
  });
}

test('--cache: first run writes the cache, a re-check hits it and reports the same', async () => {
  const dir = tempDir('drift-cache-');
  const reference = join(dir, 'reference.csv');
  copyFileSync(fixture('large_reference.csv'), reference);
  const current = fixture('large_current.csv');
  const first = await runDrift({ reference, current, cache: true });
  assert.equal(first.reference.cache, 'written');
  assert.ok(existsSync(cachePath(reference)));
  const second = await runDrift({ reference, current, cache: true });
  assert.equal(second.reference.cache, 'hit');
  assert.deepEqual(comparable(second), comparable(first));
  assert.deepEqual(comparable(await runDrift({ reference, current })), comparable(first));
  // A hit with the current file read in the worker thread.
  const threaded = await runDrift({ reference, current, cache: true, parallel: true });
  assert.equal(threaded.reference.cache, 'hit');
  assert.deepEqual(comparable(threaded), comparable(first));
  // Other options that change what is read are a miss (the cache is rewritten for them).
  const some = await runDrift({ reference, current, cache: true, columns: ['cont', 'cat'] });
  assert.equal(some.reference.cache, 'written');
});

test('--cache: the hit really skips the reference file, and a changed file is a miss', async () => {
  const dir = tempDir('drift-cache-');
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  writeFileSync(reference, 'x,c\n1,a\n2,a\n3,b\n4,b\n5,a\n6,b\n7,a\n');
  writeFileSync(current, 'x,c\n1,a\n2,b\n3,b\n4,b\n5,a\n6,b\n7,b\n');
  const stamp = new Date(Math.floor(Date.now() / 1000) * 1000); // whole seconds: utimes can restore it exactly
  utimesSync(reference, stamp, stamp);
  const written = await runDrift({ reference, current, cache: true });
  assert.equal(written.reference.cache, 'written');
  // Same size and mtime, different content: a hit still reports the cached statistics…
  const { mtime, atime } = statSync(reference);
  writeFileSync(reference, readFileSync(reference, 'utf8').replace('1,a', '9,a'));
  utimesSync(reference, atime, mtime);
  const hit = await runDrift({ reference, current, cache: true });
  assert.equal(hit.reference.cache, 'hit');
  assert.equal(hit.columns[0].reference.max, 7);
  // …while a real edit (new mtime) is a miss and the file is read again.
  utimesSync(reference, atime, new Date(mtime.getTime() + 5000));
  const miss = await runDrift({ reference, current, cache: true });
  assert.equal(miss.reference.cache, 'written');
  assert.equal(miss.columns[0].reference.max, 9);
});

test('--cache: a damaged cache file is a miss, not an error', async () => {
  const dir = tempDir('drift-cache-');
  const reference = join(dir, 'reference.csv');
  copyFileSync(fixture('small_reference.csv'), reference);
  writeFileSync(cachePath(reference), '{"key": {');
  const report = await runDrift({ reference, current: fixture('small_current.csv'), cache: true });
  assert.equal(report.reference.cache, 'written');
});

test('a malformed file read in the worker thread still fails with its file, line and column', async () => {
  const dir = tempDir('drift-worker-');
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  writeFileSync(reference, 'x,c\n1,a\n2,b\n');
  writeFileSync(current, 'x,c\n1,a\n2,"b\n');
  await assert.rejects(runDrift({ reference, current, parallel: true }), (err: Error) => {
    assert.equal(err.name, 'CsvFormatError');
    assert.match(err.message, /current\.csv, line 3, column 3: a quoted field starts here and is never closed/);
    return true;
  });
});

test('cancelling stops a check that reads on two threads', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    runDrift({
      reference: fixture('large_reference.csv'),
      current: fixture('large_current.csv'),
      parallel: true,
      signal: controller.signal,
    }),
  );
});
