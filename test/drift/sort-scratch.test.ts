/**
 * The sort's scratch buffer (8 bytes per value) is reused across the passes of a big check: it comes
 * from the side's BufferPool and goes back to it — also from the worker thread, which sends the buffers
 * it did not keep back with its result. Without that every pass paid for a fresh one (page faults).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BufferPool, type ColumnData } from '../../server/drift/csv/column';
import { loadBoth, type SpilledSide } from '../../server/drift/csv/spill';
import { mulberry32 } from '../../server/drift/math/random';

const dir = mkdtempSync(join(tmpdir(), 'drift-scratch-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A first-pass side whose column `x` was spilled to a file: `n` values, shuffled. */
function spilledSide(side: string, n: number, seed: number): { side: SpilledSide; values: Float64Array } {
  const random = mulberry32(seed);
  const values = Float64Array.from({ length: n }, () => (random() - 0.5) * 1e3);
  const file = join(dir, `${side}.f64`);
  writeFileSync(file, new Uint8Array(values.buffer));
  const column: ColumnData = {
    name: 'x',
    kind: 'numerical',
    rows: n,
    missing: 0,
    infinite: 0,
    integerDtype: false,
    values: new Float64Array(0),
    count: 0,
    sorted: false,
    min: Math.min(...values),
    max: Math.max(...values),
    distinct: null,
    categories: new Map(),
    spill: { file, count: n },
  };
  const columns = { file: `${side}.csv`, header: ['x'], rows: n, columns: new Map([['x', column]]), sample: null };
  return { side: { columns, pool: new BufferPool() }, values };
}

for (const useWorker of [false, true]) {
  test(`a pass's sort scratch goes back to each side's pool (${useWorker ? 'current side in the worker' : 'one thread'})`, async () => {
    const n = 20_000;
    const ref = spilledSide('ref', n, 1);
    const cur = spilledSide('cur', n + 3, 2);
    const [r, c] = await loadBoth(ref.side, cur.side, ['x'], useWorker);
    assert.deepEqual(Array.from(r.columns.get('x')!.values), Array.from(ref.values.slice().sort()));
    assert.deepEqual(Array.from(c.columns.get('x')!.values), Array.from(cur.values.slice().sort()));
    // The scratch is what is left in each pool: one buffer, large enough for the column.
    for (const [pool, count] of [
      [ref.side.pool, n],
      [cur.side.pool, n + 3],
    ] as const) {
      const left = pool.drain();
      assert.equal(left.length, 1);
      assert.ok(left[0].byteLength >= count * 8);
    }
  });
}
