/**
 * Later passes of a multi-pass check load groups of several spilled columns (spill.ts: the current
 * side in the worker thread, the reference here): same report as one pass with one and two threads,
 * a progress event as each later pass begins, and no spill folder left after a cancel that lands
 * while a later pass loads.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDrift, type DriftReport } from '../../server/drift';
import type { DriftProgress } from '../../server/protocol/drift';

const dir = mkdtempSync(join(tmpdir(), 'drift-spill-balance-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Six float columns (x0 shifted in the current file), two text ones, in pandas' float spelling. */
function writeCsv(path: string, rows: number, shift: number, seed: number): void {
  let s = seed;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const lines = ['x0,x1,city,x2,x3,x4,plan,x5'];
  for (let r = 0; r < rows; r++) {
    const x = Array.from({ length: 6 }, (_, c) => (random() - 0.5) * (c + 1) + (c === 0 ? shift : 0));
    lines.push([x[0], x[1], random() < 0.5 ? 'paris' : 'lyon', x[2], x[3], x[4], random() < 0.3 ? 'pro' : 'free', x[5]].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const files = { reference: join(dir, 'reference.csv'), current: join(dir, 'current.csv') };
writeCsv(files.reference, 21_000, 0, 1);
writeCsv(files.current, 19_000, 0.1, 2);
// 40,000 rows: 336,000 bytes per column and 320,000 of sort scratch, so 1.4 MB fits 3 columns per pass.
const BUDGET_MB = 1.4;

function comparable(report: DriftReport) {
  const { timings: _t, createdAt: _c, ...rest } = report;
  return rest;
}

/** Runs with TMPDIR pointing at a fresh folder, so the spill folder can be looked for afterwards. */
async function withTmp<T>(run: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = mkdtempSync(join(dir, 'tmp-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    return await run(tmp);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
}
const spillFolders = (tmp: string) => readdirSync(tmp).filter((name) => name.startsWith('model-lab-drift-'));

test('passes of several spilled columns give the single-pass report (one and two threads) and progress per pass', async () => {
  const single = await runDrift({ ...files, parallel: true });
  for (const parallel of [true, false]) {
    const events: DriftProgress[] = [];
    const multi = await withTmp(async (tmp) => {
      const report = await runDrift({ ...files, parallel, memoryBudgetMb: BUDGET_MB, onProgress: (p) => events.push(p) });
      assert.deepEqual(spillFolders(tmp), [], 'the spill folder is removed');
      return report;
    });
    assert.equal(multi.timings.passes, 3, 'eight columns, three per pass');
    assert.deepEqual(comparable(multi), comparable(single));
    // Each later pass says it has begun (before its columns are tested), although it reads no CSV.
    for (const pass of [2, 3]) {
      const first = events.findIndex((e) => e.pass === pass);
      assert.equal(events[first]?.phase, 'reading', `pass ${pass} starts with a progress event`);
    }
  }
  assert.equal(single.columns.find((c) => c.name === 'x0')?.drift, true);
});

test('a cancel between passes (while the worker loads the next group) leaves no spill folder', async () => {
  await withTmp(async (tmp) => {
    const controller = new AbortController();
    const events: DriftProgress[] = [];
    await assert.rejects(
      runDrift({
        ...files,
        parallel: true,
        memoryBudgetMb: BUDGET_MB,
        signal: controller.signal,
        onProgress: (p) => {
          events.push(p);
          // The last column of pass 1 is being tested: the check stops as pass 2 loads.
          if (p.phase === 'testing' && p.pass === 1 && p.columnsDone === 2) controller.abort();
        },
      }),
      /abort|cancel/i,
    );
    assert.ok(events.some((e) => e.pass === 1 && e.phase === 'testing'));
    assert.ok(!events.some((e) => e.pass === 2 && e.phase === 'testing'), 'pass 2 tests nothing');
    assert.deepEqual(spillFolders(tmp), []);
  });
});
