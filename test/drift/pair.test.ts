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
