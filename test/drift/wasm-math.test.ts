/**
 * The MMD test's and the sorted walk's WebAssembly modules (mmd-kernel.c, sorted-walk.c) give the
 * results of the JavaScript they stand in for, bit for bit — exp() included, which must be V8's
 * Math.exp to the last bit for the kernel to be the same.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mmdTest } from '../../server/drift/mmd';
import { mergeSorted } from '../../server/drift/pair';
import { mulberry32 } from '../../server/drift/math/random';
import { setWasmMmd, wasmExp, wasmMmdStats } from '../../server/drift/math/mmd-wasm';
import { setWasmWalk, wasmWalkStats } from '../../server/drift/math/wasm-walk';

/** Any double from its two 32-bit halves. */
function fromBits(hi: number, lo: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, hi);
  view.setUint32(4, lo);
  return view.getFloat64(0);
}

test("the module's exp is V8's Math.exp, bit for bit, over every kind of argument", () => {
  const random = mulberry32(11);
  const args: number[] = [0, -0, 1, -1, 0.5, Infinity, -Infinity, NaN, 709.78, 709.79, -745.13, -745.14, -1000, 2 ** -29, -(2 ** -29)];
  // Around each branch of the method: |x| near ln2/2 and 1.5·ln2, the over- and underflow thresholds, subnormal results.
  for (const edge of [Math.LN2 / 2, 1.5 * Math.LN2, 709.782712893384, 745.1332191019411, 708.39, 2 ** -28])
    for (let k = -20; k <= 20; k++) args.push(edge * (1 + k * 2 ** -50), -edge * (1 + k * 2 ** -50));
  for (let i = 0; i < 200_000; i++) {
    args.push((random() - 0.5) * 1500); // the whole range
    args.push(-random() * 40); // the kernel's arguments: −d²/2σ²
    args.push((random() - 0.5) * 3); // the reduction's small cases
    args.push(fromBits(Math.floor(random() * 2 ** 32), Math.floor(random() * 2 ** 32))); // any double
  }
  let mismatches = 0;
  for (const x of args) if (!Object.is(wasmExp(x), Math.exp(x))) mismatches++;
  assert.equal(mismatches, 0, `exp differs from Math.exp on ${mismatches} of ${args.length} arguments`);
});

test('the MMD test in WebAssembly gives the JavaScript path’s MMD², σ and p-value, bit for bit', (t) => {
  t.after(() => setWasmMmd(true));
  const random = mulberry32(5);
  const sample = (rows: number, width: number, shift: number, ties = false) =>
    Float64Array.from({ length: rows * width }, (_, i) =>
      ties ? Math.round(random() * 3) : random() + random() + random() - 1.5 + (i % width === 0 ? shift : 0),
    );
  const cases = [
    { m: 400, k: 400, width: 8, shift: 0 }, // the CLI's sample
    { m: 400, k: 400, width: 8, shift: 0.3 }, // drifted
    { m: 60, k: 45, width: 2, shift: 0 },
    { m: 3, k: 2, width: 1, shift: 0 }, // smallest
    { m: 50, k: 50, width: 3, shift: 0, ties: true }, // many equal distances (the median among ties)
    { m: 40, k: 40, width: 2, shift: 0, constant: true }, // every row equal: median distance 0 → σ from 1
  ];
  for (const c of cases) {
    const names = Array.from({ length: c.width }, (_, i) => `c${i}`);
    const ref = c.constant ? new Float64Array(c.m * c.width).fill(2) : sample(c.m, c.width, 0, c.ties);
    const cur = c.constant ? new Float64Array(c.k * c.width).fill(2) : sample(c.k, c.width, c.shift, c.ties);
    setWasmMmd(true);
    const before = wasmMmdStats.calls;
    const inWasm = mmdTest(names, ref, cur, { permutations: 60, seed: 3 })!;
    assert.equal(wasmMmdStats.calls, before + 1, 'the module ran the test');
    setWasmMmd(false);
    const inJs = mmdTest(names, ref, cur, { permutations: 60, seed: 3 })!;
    assert.equal(wasmMmdStats.calls, before + 1, 'the JavaScript path ran the second one');
    for (const key of ['mmd2', 'sigma', 'pValue', 'exceeding'] as const)
      assert.ok(Object.is(inWasm[key], inJs[key]), `${JSON.stringify(c)}: ${key} ${inWasm[key]} vs ${inJs[key]}`);
  }
  // And it still tells drift from no drift.
  setWasmMmd(true);
  assert.equal(mmdTest(['a', 'b'], sample(200, 2, 0), sample(200, 2, 1.5))!.drift, true);
});

test('the walk in WebAssembly gives the JavaScript walk’s distinct count and Wasserstein-1 distance, bit for bit', (t) => {
  t.after(() => setWasmWalk(true));
  const random = mulberry32(9);
  const sorted = (n: number, value: () => number) => Float64Array.from({ length: n }, value).sort();
  const cases: [string, Float64Array, Float64Array][] = [
    ['200k pandas-like floats a side', sorted(200_000, () => random() * 3 - 1.2), sorted(200_000, () => random() * 3 - 1)],
    [
      'small integers, many ties across sides',
      sorted(100_000, () => Math.round(random() * 50)),
      sorted(70_000, () => Math.round(random() * 60)),
    ],
    // Sizes around the module's 32,768-value chunks, one side running out long before the other.
    ['chunk edges', sorted(65_537, () => random()), sorted(32_768, () => random() * 0.1)],
    ['one side far below the other', sorted(40_000, () => random() - 5), sorted(33_000, () => random() + 5)],
    ['one value everywhere', sorted(32_768, () => 5), sorted(32_769, () => 5)],
    ['±0 and ties', Float64Array.of(-0, 0, 0, 1), Float64Array.of(-0, 0, 2)],
    [
      'infinite values',
      sorted(4_000, () => (random() < 0.3 ? -Infinity : random())),
      sorted(3_300, () => (random() < 0.1 ? Infinity : random())),
    ],
    ['an empty side', new Float64Array(0), sorted(10, () => random())],
    ['the other empty side', sorted(10, () => random()), new Float64Array(0)],
    ['both empty', new Float64Array(0), new Float64Array(0)],
  ];
  for (const [what, u, v] of cases) {
    setWasmWalk(true);
    const before = wasmWalkStats.calls;
    const inWasm = mergeSorted(u, v);
    assert.equal(wasmWalkStats.calls, before + 1, `${what}: the module walked`);
    setWasmWalk(false);
    const inJs = mergeSorted(u, v);
    assert.equal(inWasm.distinct, inJs.distinct, `${what}: distinct`);
    assert.ok(Object.is(inWasm.wasserstein1, inJs.wasserstein1), `${what}: W1 ${inWasm.wasserstein1} vs ${inJs.wasserstein1}`);
  }
});
