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
import { WASM_SORT_MAX } from '../../server/drift/math/wasm-sort';

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
    min: values.reduce((a, b) => Math.min(a, b)),
    max: values.reduce((a, b) => Math.max(a, b)),
    distinct: null,
    categories: new Map(),
    spill: { file, count: n, direct: false },
  };
  const columns = { file: `${side}.csv`, header: ['x'], rows: n, columns: new Map([['x', column]]), sample: null };
  return { side: { columns, pool: new BufferPool() }, values };
}

for (const useWorker of [false, true]) {
  test(`a pass's sort scratch goes back to each side's pool (${useWorker ? 'current side in the worker' : 'one thread'})`, async () => {
    // Longer than the WebAssembly sort takes whole, so the sort needs a scratch buffer.
    const n = WASM_SORT_MAX + 20_000;
    const ref = spilledSide('ref', n, 1);
    const cur = spilledSide('cur', n + 3, 2);
    const [r, c] = await loadBoth(ref.side, cur.side, ['x'], useWorker);
    assertSorted(r.columns.get('x')!.values, ref.values);
    assertSorted(c.columns.get('x')!.values, cur.values);
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

test('columns the WebAssembly sort takes whole take no scratch from the pool', async () => {
  const ref = spilledSide('ref-small', 20_000, 3);
  const cur = spilledSide('cur-small', 20_003, 4);
  const [r, c] = await loadBoth(ref.side, cur.side, ['x'], false);
  assertSorted(r.columns.get('x')!.values, ref.values);
  assertSorted(c.columns.get('x')!.values, cur.values);
  assert.equal(ref.side.pool.drain().length, 0);
  assert.equal(cur.side.pool.drain().length, 0);
});

function assertSorted(got: Float64Array, values: Float64Array): void {
  const expected = values.slice().sort();
  assert.ok(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(expected.buffer)));
}
