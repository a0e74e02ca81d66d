/**
 * Multi-pass checks tokenize each CSV once (csv/spill.ts): later passes load their columns from the
 * values spilled by the first pass. Shown by overwriting both files once the first pass is done: the
 * report is still the single-pass one (a re-read would find garbage), progress counts each file's bytes
 * once, and the spill folder is gone afterwards, also when the check fails.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDrift, type DriftReport } from '../../server/drift';
import type { DriftProgress } from '../../server/protocol/drift';
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

function comparable(report: DriftReport) {
  const { timings: _t, createdAt: _c, reference, current, ...rest } = report;
  return { ...rest, reference: { ...reference, file: null }, current: { ...current, file: null } };
}

/** The engine's spill folders in `tmp` (tsx, running the worker from source, keeps its own cache there too). */
const spillFolders = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('model-lab-drift-'));

/** Runs with TMPDIR pointing at a fresh folder, so the spill folder can be looked for afterwards. */
async function withTmp<T>(run: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = tempDir('drift-spill-tmp-');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    return await run(tmp);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}

for (const parallel of [false, true]) {
  const threads = parallel ? 'two threads' : 'one thread';
  test(`one column per pass reads each file once (${threads}): same report, files not read again`, async () => {
    const dir = tempDir('drift-spill-');
    const files = { reference: join(dir, 'reference.csv'), current: join(dir, 'current.csv') };
    copyFileSync(fixture('large_reference.csv'), files.reference);
    copyFileSync(fixture('large_current.csv'), files.current);
    const bytes = statSync(files.reference).size + statSync(files.current).size;
    const single = await runDrift({ ...files, parallel });
    const events: DriftProgress[] = [];
    let overwritten = false;
    const multi = await withTmp(async (tmp) => {
      const report = await runDrift({
        ...files,
        parallel,
        memoryBudgetMb: 0.0001,
        onProgress: (p) => {
          events.push(p);
          if (p.phase === 'testing' && !overwritten) {
            // Pass 1 is read: from now on the CSVs hold nothing a test could use.
            overwritten = true;
            for (const f of Object.values(files)) writeFileSync(f, 'cont,int4\n"unclosed\n');
          }
        },
      });
      assert.deepEqual(spillFolders(tmp), [], 'the spill folder is removed');
      return report;
    });
    assert.ok(overwritten);
    assert.equal(multi.timings.passes, single.columns.length);
    assert.deepEqual(comparable(multi), comparable(single));
    assert.equal(events.at(-1)!.bytesTotal, bytes, 'progress counts each file once');
    assert.ok(Math.max(...events.map((e) => e.bytesRead)) <= bytes);
  });
}

test('a column that turns to text after its values were spilled is compared as text, as in one pass', async () => {
  const dir = tempDir('drift-spill-text-');
  const rows = (n: number, tail: string) =>
    ['a,b,c', ...Array.from({ length: n }, (_, i) => `${i * 0.25},${(i * 7) % 13},${i === n - 1 ? tail : String(i % 5)}`)].join('\n');
  const files = { reference: join(dir, 'r.csv'), current: join(dir, 'c.csv') };
  // Column c is numeric for 200,000 rows (several spill chunks), then a word: pandas makes it text.
  writeFileSync(files.reference, rows(200_000, 'seven'));
  writeFileSync(files.current, rows(150_000, 'eight'));
  const single = await runDrift({ ...files, mmd: false });
  const multi = await withTmp(async (tmp) => {
    const report = await runDrift({ ...files, mmd: false, memoryBudgetMb: 1 });
    assert.deepEqual(spillFolders(tmp), []);
    return report;
  });
  assert.ok(multi.timings.passes > 1);
  assert.equal(multi.columns.find((c) => c.name === 'c')?.kind, 'categorical');
  assert.deepEqual(comparable(multi), comparable(single));
});

test('a malformed row in the first pass fails with its line and column and leaves no spill folder', async () => {
  const dir = tempDir('drift-spill-bad-');
  const files = { reference: join(dir, 'r.csv'), current: join(dir, 'c.csv') };
  const good = ['a,b,c', ...Array.from({ length: 50_000 }, (_, i) => `${i},${i % 3},${i % 7}`)];
  writeFileSync(files.reference, good.join('\n'));
  writeFileSync(files.current, [...good.slice(0, 40_000), '1,2', ...good.slice(40_000)].join('\n'));
  await withTmp(async (tmp) => {
    await assert.rejects(runDrift({ ...files, memoryBudgetMb: 0.0001, parallel: true }), /c\.csv, line 40001, column 3: expected 3 fields/);
    assert.deepEqual(spillFolders(tmp), []);
  });
});

test('a TMPDIR that is not a folder is said in words when a check needs several passes', async () => {
  const dir = tempDir('drift-spill-tmpdir-');
  const files = { reference: join(dir, 'r.csv'), current: join(dir, 'c.csv') };
  const rows = ['a,b', ...Array.from({ length: 5_000 }, (_, i) => `${i * 0.5},${i % 9}`)].join('\n');
  writeFileSync(files.reference, rows);
  writeFileSync(files.current, rows);
  const notAFolder = join(dir, 'tmp-file');
  writeFileSync(notAFolder, 'x');
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = notAFolder;
  try {
    await assert.rejects(runDrift({ ...files, memoryBudgetMb: 0.0001 }), /the temporary folder \(TMPDIR\) is not a folder/);
    // One pass needs no spill folder: the same check with the default budget works.
    assert.equal((await runDrift({ ...files, mmd: false })).timings.passes, 1);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
});
