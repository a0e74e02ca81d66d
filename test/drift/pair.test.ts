/** The one-pass walk over both sorted samples (distinct values, Wasserstein-1) is bit-identical to a plain walk over distinct values. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ColumnData } from '../../server/drift/csv/column';
import { mulberry32 } from '../../server/drift/math/random';
import { ColumnPair } from '../../server/drift/pair';

/** The textbook walk: one step per distinct value x, adding |F_u − F_v| just below x times the gap. */
function plainWalk(u: Float64Array, v: Float64Array): { distinct: number; wasserstein1: number } {
  const nu = u.length;
  const nv = v.length;
  let i = 0;
  let j = 0;
  let runs = 0;
  let total = 0;
  let prev = nu && nv ? Math.min(u[0], v[0]) : 0;
  while (i < nu || j < nv) {
    const x = j >= nv || (i < nu && u[i] <= v[j]) ? u[i] : v[j];
    total += Math.abs(i * nv - j * nu) * (x - prev);
    prev = x;
    while (i < nu && u[i] === x) i++;
    while (j < nv && v[j] === x) j++;
    runs++;
  }
  return { distinct: runs, wasserstein1: nu && nv ? total / (nu * nv) : 0 };
}

const column = (values: Float64Array) =>
  ({
    name: 'x',
    kind: 'numerical',
    rows: values.length,
    missing: 0,
    infinite: 0,
    integerDtype: false,
    values,
    count: values.length,
    sorted: true,
    min: values[0],
    max: values[values.length - 1],
    distinct: null,
    categories: new Map(),
  }) as ColumnData;

test('merged() gives the plain walk’s distinct count and Wasserstein sum bit for bit (ties, empty sides, ±0, one value)', () => {
  const random = mulberry32(5);
  const sorted = (n: number, f: () => number) => Float64Array.from({ length: n }, f).sort();
  const cases: [Float64Array, Float64Array][] = [
    [sorted(30000, random), sorted(20000, () => random() + 0.1)],
    [sorted(30000, () => Math.round(random() * 20)), sorted(25000, () => Math.round(random() * 25))],
    [sorted(0, random), sorted(5, random)],
    [sorted(5, random), sorted(0, random)],
    [Float64Array.of(-0, 0, 0, 1), Float64Array.of(0, -0, 2)],
    [sorted(1000, () => random() * 1e-300), sorted(1000, () => -random())],
    [sorted(7, () => 3), sorted(9, () => 3)],
  ];
  for (const [u, v] of cases) {
    const got = new ColumnPair('x', 'numerical', column(u), column(v)).merged();
    const want = plainWalk(u, v);
    assert.equal(got.distinct, want.distinct);
    assert.ok(
      Object.is(got.wasserstein1, want.wasserstein1),
      `${got.wasserstein1} vs ${want.wasserstein1} (${u.length} and ${v.length} values)`,
    );
  }
});

test('union() of few-valued numerical columns (counted, not sorted) equals the walk over both sorted samples', () => {
  const random = mulberry32(8);
  const unsorted = (n: number, values: number[]) => Float64Array.from({ length: n }, () => values[Math.floor(random() * values.length)]);
  const cases: [Float64Array, Float64Array][] = [
    [unsorted(20000, [0, 1]), unsorted(15000, [1, 0])], // a flag
    [unsorted(5000, [1, 2, 3, 4, 5]), unsorted(6000, [3, 4, 5, 6, 7, 8])], // ratings, new values on one side
    [unsorted(3000, [-2.5, 0.125, 7, 1e9, -1e-9]), unsorted(100, [7])],
    [unsorted(50, [0, -0, 3]), unsorted(40, [-0, 3])], // both zeros: one value
    [unsorted(10, [4]), unsorted(0, [4])], // an empty side
  ];
  for (const [u, v] of cases) {
    const few = (values: Float64Array) => ({ ...column(values), sorted: false, distinct: [...new Set(values)] });
    const counted = new ColumnPair('x', 'numerical', few(u), few(v)).union();
    const walked = new ColumnPair('x', 'numerical', column(u.slice().sort()), column(v.slice().sort())).union();
    assert.deepEqual(
      counted.keys.map(Number),
      walked.keys.map((k) => Number(k) + 0),
    ); // +0: -0 and 0 are one value
    assert.deepEqual(Array.from(counted.ref), Array.from(walked.ref));
    assert.deepEqual(Array.from(counted.cur), Array.from(walked.cur));
    assert.equal(
      counted.ref.reduce((a, b) => a + b, 0),
      u.length,
    );
  }
});

test('quality and histogram of few-valued numerical columns, from counts, equal those from the sorted values', async () => {
  const { columnHistogram, columnQuality } = await import('../../server/drift/quality');
  const random = mulberry32(12);
  const unsorted = (n: number, values: number[]) => Float64Array.from({ length: n }, () => values[Math.floor(random() * values.length)]);
  const cases: [Float64Array, Float64Array][] = [
    [unsorted(20000, [0, 1]), unsorted(15000, [1, 0])],
    [unsorted(5000, [1, 2, 3, 4, 5]), unsorted(6000, [0, 3, 4, 5, 6, 7, 8])], // current outside the reference's range
    [unsorted(3000, [-2.5, 0.125, 7, 1e9, -1e-9]), unsorted(100, [7, 2e9])],
    [unsorted(50, [0, -0, 3]), unsorted(40, [-0, 3, -1])],
    [unsorted(300, [4]), unsorted(200, [4])], // one value
  ];
  for (const [u, v] of cases) {
    const few = (values: Float64Array) => ({ ...column(values), sorted: false, distinct: [...new Set(values)] });
    const counted = new ColumnPair('x', 'numerical', few(u), few(v));
    assert.ok(counted.countsOnly());
    // The same columns as the read leaves them when sorted (the distinct lists too).
    const sortedOf = (values: Float64Array) => ({ ...column(values.slice().sort()), distinct: few(values).distinct });
    const sorted = new ColumnPair('x', 'numerical', sortedOf(u), sortedOf(v));
    assert.ok(!sorted.countsOnly());
    // JSON: -0 and 0 print alike, as in the report.
    assert.equal(JSON.stringify(columnQuality(counted, null)), JSON.stringify(columnQuality(sorted, null)));
    assert.equal(JSON.stringify(columnHistogram(counted)), JSON.stringify(columnHistogram(sorted)));
    assert.ok(!counted.ref.sorted && !counted.cur.sorted, 'nothing was sorted for it');
  }
});
