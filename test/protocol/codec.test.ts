// The shared records↔tensors codec: the UI and the server encode with it, so its errors are what users see.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  allocate,
  decodePredictions,
  encodeRecords,
  flatten,
  fromHalf,
  InputError,
  nest,
  recordFromRow,
  toHalf,
  writeScalar,
} from '../../server/protocol/codec';
import type { Signature } from '../../server/protocol/signature';
import { perColumnSignature } from './signature-fixtures';

const tabular: Signature = {
  source: 'csv',
  task: 'classification',
  notes: [],
  batch: { dynamic: true },
  classNames: ['no', 'yes'],
  features: [
    { name: 'age', kind: 'number', input: 'x', column: 0 },
    { name: 'income', kind: 'number', input: 'x', column: 1 },
  ],
  inputs: [{ tensor: 'x', dtype: 'float32', dims: ['N', 2], kind: 'packed', features: ['age', 'income'] }],
  outputs: [{ tensor: 'p', dtype: 'float32', dims: ['N', 2], role: 'probabilities', classNames: ['no', 'yes'] }],
};

const columns = perColumnSignature;

describe('codec', () => {
  it('packs records into one [N, F] tensor in feature order', () => {
    const [x] = encodeRecords(tabular, [
      { income: 2, age: 1 },
      { age: '3', income: ' 4 ' },
    ]);
    assert.deepEqual(x.dims, [2, 2]);
    assert.deepEqual([...(x.data as Float32Array)], [1, 2, 3, 4]);
  });

  it('encodes per-column string, int64 and bool inputs', () => {
    const [c, h, w] = encodeRecords(columns, [{ carrier: 'AA', hour: 18, weekend: 'true' }]);
    assert.deepEqual(c.data, ['AA']);
    assert.deepEqual(c.dims, [1, 1]);
    assert.equal((h.data as BigInt64Array)[0], 18n);
    assert.equal((w.data as Uint8Array)[0], 1);
  });

  it('names the field, the row and what was wrong', () => {
    assert.throws(
      () =>
        encodeRecords(
          tabular,
          [
            { age: 1, income: 2 },
            { age: 'abc', income: 2 },
          ],
          10,
        ),
      (e: Error) => e instanceof InputError && e.field === 'age' && e.message === 'row 12, age: expected a float32 number, got "abc"',
    );
    assert.throws(() => encodeRecords(tabular, [{ age: 1 }]), /income: missing \(expected a number value\)/);
    assert.throws(
      () => encodeRecords(columns, [{ carrier: 'AA', hour: 1.5, weekend: false }]),
      /hour: expected an integer \(int64\), got 1.5/,
    );
    assert.throws(() => encodeRecords(columns, [{ carrier: 'AA', hour: 1, weekend: 'maybe' }]), /weekend: expected a boolean/);
    assert.throws(() => encodeRecords(tabular, [{ age: Number.NaN, income: 1 }]), /age: expected a finite float32 number, got NaN/);
    assert.throws(() => encodeRecords(tabular, [{ age: 'NaN', income: 1 }]), /age: expected a float32 number, got "NaN"/);
    assert.throws(() => encodeRecords(tabular, []), /no rows/);
  });

  it('checks integer ranges and encodes float16 by rounding to nearest', () => {
    const d = allocate('uint8', 1);
    assert.throws(() => writeScalar(d, 'uint8', 0, 300, 'v'), /300 is out of range for uint8/);
    for (const v of [0, 1, -2.5, 0.1, 65504, 1e-5]) assert.ok(Math.abs(fromHalf(toHalf(v)) - v) <= Math.abs(v) * 1e-3 + 6e-8, String(v));
    assert.equal(toHalf(1), 0x3c00);
    assert.equal(fromHalf(0x7c00), Infinity);
  });

  it('flattens nested data and checks the element count against the shape', () => {
    assert.deepEqual(
      flatten(
        [
          [1, 2],
          [3, 4],
        ],
        4,
        'x',
      ),
      [1, 2, 3, 4],
    );
    assert.throws(() => flatten([[1, 2], [3]], 4, 'x'), /x: shape says 4 elements but data holds 3/);
    assert.deepEqual(nest([1, 2, 3, 4, 5, 6], [2, 3]), [
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('maps positional rows to features and refuses the wrong width', () => {
    assert.deepEqual(recordFromRow(tabular, [1, 2]), { age: 1, income: 2 });
    assert.throws(() => recordFromRow(tabular, [1]), /expected 2 values in feature order \(age, income\), got 1/);
  });

  it('decodes probabilities with class names and derives the label', () => {
    const p = decodePredictions(tabular, [{ name: 'p', dtype: 'float32', dims: [2, 2], data: new Float32Array([0.9, 0.1, 0.2, 0.8]) }]);
    assert.equal(p[0].label, 'no');
    assert.equal(p[1].label, 'yes');
    assert.ok(Math.abs(p[1].probabilities!['yes'] - 0.8) < 1e-6);
    const l = decodePredictions(columns, [{ name: 'label', dtype: 'int64', dims: [1], data: new BigInt64Array([1n]) }]);
    assert.equal(l[0].label, 'delayed');
  });
});
