/**
 * The worker walks half of a pass's big numerical columns (server/drift/walk.ts): the walks equal those
 * done here, and each column's values come back as the same view on the buffer handed back.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnData } from '../../server/drift/csv/column';
import { mulberry32 } from '../../server/drift/math/random';
import { mergeSorted } from '../../server/drift/pair';
import { walkInWorker, walksForWorker, WALK_IN_WORKER_MIN_VALUES } from '../../server/drift/walk';

/** A sorted numerical column of `n` values in a buffer with room for `spare` more (as pool buffers are). */
function column(name: string, n: number, seed: number, spare = 0): ColumnData {
  const random = mulberry32(seed);
  const values = new Float64Array(n + spare);
  for (let i = 0; i < n; i++) values[i] = (random() - 0.5) * 10 + seed;
  values.subarray(0, n).sort();
  return {
    name,
    kind: 'numerical',
    rows: n,
    missing: 0,
    infinite: 0,
    integerDtype: false,
    values,
    count: n,
    sorted: true,
    min: values[0],
    max: values[n - 1],
    distinct: null,
    categories: new Map(),
  };
}

test('walksForWorker picks the later half of the big numerical columns that a default or Wasserstein test will walk', () => {
  const big = WALK_IN_WORKER_MIN_VALUES / 2;
  const ref = new Map<string, ColumnData>();
  const cur = new Map<string, ColumnData>();
  for (const [i, name] of ['a', 'b', 'c', 'd', 'e', 'small', 'ks'].entries()) {
    const n = name === 'small' ? 1000 : big;
    ref.set(name, { ...column(name, 4, i), count: n });
    cur.set(name, { ...column(name, 4, i + 10), count: n });
  }
  cur.set('e', { ...cur.get('e')!, kind: 'categorical' });
  // Two values a side: the default test is Jensen–Shannon, no walk.
  ref.set('binary', { ...column('binary', 4, 1), count: big, distinct: [0, 1] });
  cur.set('binary', { ...column('binary', 4, 2), count: big, distinct: [1, 0] });
  const chosen = (name: string) => (name === 'ks' ? 'ks' : name === 'd' ? 'wasserstein' : undefined);
  // Eligible: a, b, c, d (e is text on one side, small is small, ks and binary are tested without a walk).
  assert.deepEqual(walksForWorker(['a', 'b', 'c', 'd', 'e', 'small', 'ks', 'binary'], ref, cur, chosen), ['c', 'd']);
  assert.deepEqual(walksForWorker(['a'], ref, cur, chosen), []);
});

test('walkInWorker: the same walks as here, and the values back in place', async () => {
  const names = ['x', 'y'];
  const ref = new Map(names.map((name, i) => [name, column(name, 300_000 + i, i + 1, 17)]));
  const cur = new Map(names.map((name, i) => [name, column(name, 250_000 - i, i + 5)]));
  const before = names.map((name) => ({
    ref: ref.get(name)!.values.slice(),
    cur: cur.get(name)!.values.slice(),
    walk: mergeSorted(ref.get(name)!.values.subarray(0, ref.get(name)!.count), cur.get(name)!.values.subarray(0, cur.get(name)!.count)),
  }));
  const pending = walkInWorker(names, ref, cur);
  // In the worker: the buffers were handed over (this thread's views are empty meanwhile).
  assert.equal(ref.get('x')!.values.length, 0);
  const walks = await pending;
  names.forEach((name, i) => {
    assert.deepEqual(walks.get(name), before[i].walk);
    assert.ok(before[i].walk.distinct > 500_000 && before[i].walk.wasserstein1 > 0);
    // Same length as before (the spare room of the buffer included) and the same values.
    assert.deepEqual(ref.get(name)!.values, before[i].ref);
    assert.deepEqual(cur.get(name)!.values, before[i].cur);
  });
});
