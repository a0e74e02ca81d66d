/**
 * The sorts give exactly the order of TypedArray.prototype.sort, signs and -0 included — the
 * WebAssembly radix sort (radix-sort.c) and the JavaScript sorts that stand in when it cannot run.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortFloat64 } from '../../server/drift/math/sort';
import { mulberry32 } from '../../server/drift/math/random';
import { setWasmSort, wasmSortStats, WASM_SORT_MAX } from '../../server/drift/math/wasm-sort';

test('sortFloat64 agrees with the built-in sort on mixed-sign, tied and extreme values', () => {
  const random = mulberry32(3);
  const values = Float64Array.from({ length: 5000 }, (_, i) =>
    i % 7 === 0 ? Math.round(random() * 10) - 5 : (random() - 0.5) * 10 ** Math.floor(random() * 20 - 10),
  );
  values.set([0, -0, Number.MAX_VALUE, -Number.MAX_VALUE, 5e-324, -5e-324, Infinity, -Infinity], 0);
  const expected = values.slice().sort();
  assert.deepEqual(Array.from(sortFloat64(values)), Array.from(expected));
});

// With the WebAssembly sort on, sortDecimals hands it columns of up to WASM_SORT_MAX values; off (and on
// longer columns), it counts fixed-point values itself.
for (const wasm of [true, false]) {
  const how = wasm ? 'WebAssembly radix sort' : 'counting sort on fixed-point values';
  test(`sortDecimals (${how}) gives the built-in order, and falls back when it must`, async (t) => {
    setWasmSort(wasm);
    t.after(() => setWasmSort(true));
    const callsBefore = wasmSortStats.calls;
    const { sortDecimals } = await import('../../server/drift/math/sort');
    const random = mulberry32(5);
    const cases: Float64Array[] = [
      Float64Array.from({ length: 5000 }, () => Math.round((random() - 0.5) * 2e5) / 1e4), // 4 decimals
      Float64Array.from({ length: 5000 }, () => Math.round(random() * 3)), // small integers, many ties
      Float64Array.from({ length: 5000 }, () => (random() - 0.5) * 1e3), // full-precision floats → radix
      Float64Array.from({ length: 5000 }, (_, i) => (i % 2 ? 1e12 : Math.round(random() * 1e4) / 100)), // range too wide → radix
    ];
    for (const values of cases) {
      const expected = values.slice().sort();
      assert.deepEqual(Array.from(sortDecimals(values)), Array.from(expected));
    }
    assert.equal(wasmSortStats.calls - callsBefore, wasm ? cases.length : 0);
  });
}

for (const wasm of [true, false]) {
  const how = wasm ? 'WebAssembly radix sort' : 'value buckets, then radix for crowded ones';
  test(`sortFloat64 (${how}) gives the built-in order on smooth, skewed and tied data`, async (t) => {
    setWasmSort(wasm);
    t.after(() => setWasmSort(true));
    const callsBefore = wasmSortStats.calls;
    const { radixSortFloat64 } = await import('../../server/drift/math/sort');
    const random = mulberry32(11);
    const gauss = () => Math.sqrt(-2 * Math.log(random() || 1e-300)) * Math.cos(2 * Math.PI * random());
    const shapes: Record<string, (i: number) => number> = {
      normal: () => gauss(), // the spread path, few values per bucket
      lognormal: () => Math.exp(3 * gauss()), // crowded buckets: radix
      heavyTail: () => 1 / (random() || 1e-9), // a few crowded buckets spread again
      oneOutlier: (i) => (i === 7 ? 1e300 : gauss()),
      clusters: () => (random() < 0.5 ? 1 + random() * 1e-12 : 1e6 + random()), // buckets spread twice
      ties: () => Math.round(gauss() * 3),
      signedZeros: (i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : gauss()),
      zerosOnly: (i) => (i % 2 ? -0 : 0),
      subnormals: () => Math.floor(random() * 1000) * 5e-324,
      infinities: (i) => (i % 100 === 0 ? Infinity : i % 101 === 0 ? -Infinity : gauss()),
      wholeRange: (i) => (i % 2 ? Number.MAX_VALUE : -Number.MAX_VALUE) * random(), // max − min overflows
      descending: (i) => -i * 0.5,
    };
    const scratch = { counts: null }; // shared by the calls, as sortColumns does (larger and smaller than needed)
    for (const [name, shape] of Object.entries(shapes)) {
      for (const n of [600, 5000, 40000, 700]) {
        const values = Float64Array.from({ length: n }, (_, i) => shape(i));
        const expected = Array.from(values.slice().sort());
        assert.deepEqual(Array.from(sortFloat64(values.slice())), expected, `${name}, ${n} values`);
        assert.deepEqual(Array.from(sortFloat64(values.slice(), scratch)), expected, `${name}, ${n} values (shared scratch)`);
        assert.deepEqual(Array.from(radixSortFloat64(values.slice())), expected, `${name}, ${n} values (radix)`);
      }
    }
    // The module sorted every array of 512 or more values (3 calls each), or none when turned off.
    assert.equal(wasmSortStats.calls - callsBefore, wasm ? 12 * 4 * 3 : 0);
  });
}

for (const wasm of [true, false]) {
  const how = wasm ? 'coarse buckets first, then the WebAssembly sort' : 'coarse buckets first';
  test(`sortFloat64 on arrays larger than the caches (${how}) gives the built-in order, bit for bit`, (t) => {
    setWasmSort(wasm);
    t.after(() => setWasmSort(true));
    const random = mulberry32(17);
    const gauss = () => Math.sqrt(-2 * Math.log(random() || 1e-300)) * Math.cos(2 * Math.PI * random());
    const shapes: Record<string, (i: number) => number> = {
      normal: () => gauss(),
      lognormal: () => Math.exp(3 * gauss()), // most values in the first coarse bucket
      oneOutlier: (i) => (i === 7 ? 1e300 : gauss()), // one bucket holds everything but the outlier
      pandasDigits: () => Number((gauss() * 7).toPrecision(17)),
      signedZeros: (i) => (i % 3 === 0 ? -0 : i % 3 === 1 ? 0 : gauss()),
      ties: () => Math.round(gauss() * 3) / 4,
      infinities: (i) => (i % 1000 === 0 ? Infinity : i % 1001 === 0 ? -Infinity : gauss()),
    };
    const scratch = { counts: null };
    for (const [name, shape] of Object.entries(shapes)) {
      const values = Float64Array.from({ length: 300_000 }, (_, i) => shape(i));
      const expected = values.slice().sort();
      for (const got of [sortFloat64(values.slice()), sortFloat64(values.slice(), scratch)]) {
        assert.ok(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(expected.buffer)), name);
      }
    }
  });
}

test('the WebAssembly sort takes up to WASM_SORT_MAX values and leaves longer arrays untouched', async () => {
  const { wasmRadixSort } = await import('../../server/drift/math/wasm-sort');
  const random = mulberry32(23);
  const full = Float64Array.from({ length: WASM_SORT_MAX }, () => (random() - 0.5) * 1e6);
  full[3] = -0;
  full[4] = 0;
  const expected = full.slice().sort();
  assert.equal(wasmRadixSort(full), true);
  assert.ok(Buffer.from(full.buffer).equals(Buffer.from(expected.buffer)));
  const longer = Float64Array.from({ length: WASM_SORT_MAX + 1 }, () => random());
  const before = longer.slice();
  assert.equal(wasmRadixSort(longer), false);
  assert.ok(Buffer.from(longer.buffer).equals(Buffer.from(before.buffer)));
  assert.equal(wasmRadixSort(new Float64Array(0)), true);
});
