import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RowSampler } from '../../server/drift/csv/read';
import type { FastRowsBlock } from '../../server/drift/csv/fast-rows';
import { mulberry32 } from '../../server/drift/math/random';

test('the row sampler draws mulberry32’s stream (its int32 state gives the same numbers, seeds above 2^31 too)', () => {
  for (const seed of [0, 1, 2, 7, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 0x9e3779b9]) {
    const sampler = new RowSampler(1, 1, seed);
    const reference = mulberry32(seed);
    for (let i = 0; i < 10_000; i++) {
      const a = sampler.random();
      const b = reference();
      if (!Object.is(a, b)) assert.fail(`seed ${seed}, draw ${i}: ${a} vs ${b}`);
    }
  }
});

/** A fast-path block of `rows` rows: field 0 numeric (the row's 0-based index in the file), field 1 text, field 2 its negative. */
function block(rows: number, offset: number): FastRowsBlock {
  const stride = rows;
  const values = new Float64Array(3 * stride).fill(NaN);
  for (let r = 0; r < rows; r++) {
    values[r] = r + offset;
    values[2 * stride + r] = -(r + offset);
  }
  return {
    buf: Buffer.alloc(0),
    rows,
    fields: 3,
    stride,
    values,
    kinds: new Uint8Array(3 * stride),
    starts: new Int32Array(3 * stride),
    ends: new Int32Array(3 * stride),
    min: new Float64Array(3),
    max: new Float64Array(3),
    missing: new Int32Array(3),
    notInteger: new Uint8Array(3),
    mask: new Uint8Array(3),
    compact: () => {
      throw new Error('the sampler does not compact');
    },
  };
}

test('sampleBlock keeps the rows Algorithm R keeps row by row, and samples a text column as NaN', () => {
  const size = 50;
  const seed = 11;
  const sampler = new RowSampler(size, 3, seed);
  const numeric = Uint8Array.of(1, 0, 1);
  const indexes = [0, 1, 2];
  let rows = 0;
  for (const n of [30, 1000, 7, 4000]) {
    sampler.sampleBlock(block(n, rows), rows, indexes, numeric);
    rows += n;
  }
  // Algorithm R row by row: the first `size` rows fill the slots, then row t replaces slot ⌊u·t⌋ when it is one.
  const random = mulberry32(seed);
  const want = new Float64Array(size);
  for (let row = 1; row <= rows; row++) {
    if (row <= size) want[row - 1] = row - 1;
    else {
      const j = Math.floor(random() * row);
      if (j < size) want[j] = row - 1;
    }
  }
  assert.equal(sampler.filled, size);
  for (let s = 0; s < size; s++) {
    assert.equal(sampler.values[s * 3], want[s], `slot ${s}: field 0`);
    assert.ok(Number.isNaN(sampler.values[s * 3 + 1]), `slot ${s}: the text field is NaN`);
    assert.equal(sampler.values[s * 3 + 2], -want[s], `slot ${s}: field 2`);
  }
  // Some rows past the first block were kept (the test would pass vacuously otherwise).
  assert.ok(want.some((v) => v >= 30));
});
