// encodeFeatureRows is the shortcut v1 `instances` and MLflow `dataframe_split` take for rows in feature
// order: it must make exactly what encodeRecords makes of recordFromRow records — tensors and errors alike.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encodeFeatureRows, encodeRecords, recordFromRow, type PlainTensor } from '../../server/protocol/codec';
import type { Signature } from '../../server/protocol/signature';
import { perColumnSignature } from './signature-fixtures';

const packed: Signature = {
  source: 'csv',
  task: 'classification',
  notes: [],
  batch: { dynamic: true },
  features: [
    { name: 'age', kind: 'number', input: 'x', column: 0 },
    { name: 'income', kind: 'number', input: 'x', column: 1 },
    { name: 'rooms', kind: 'integer', input: 'x', column: 2 },
  ],
  // Feature order in the tensor differs from the signature's feature order: positions must follow the binding.
  inputs: [{ tensor: 'x', dtype: 'float32', dims: ['N', 3], kind: 'packed', features: ['income', 'age', 'rooms'] }],
  outputs: [{ tensor: 'p', dtype: 'float32', dims: ['N', 2], role: 'probabilities' }],
};

const perColumn = perColumnSignature;

const image: Signature = {
  source: 'generated',
  task: 'classification',
  notes: [],
  batch: { dynamic: true },
  features: [{ name: 'image', kind: 'image', input: 'image' }],
  inputs: [
    {
      tensor: 'image',
      dtype: 'float32',
      dims: ['N', 1, 2, 2],
      kind: 'image',
      features: ['image'],
      image: { width: 2, height: 2, channels: 1, layout: 'NCHW', scale: 1, mean: [0], std: [1] },
    },
  ],
  outputs: [{ tensor: 'p', dtype: 'float32', dims: ['N', 2], role: 'probabilities' }],
};

/** What the records path makes of the rows: tensors, or the error it throws. */
function viaRecords(signature: Signature, rows: unknown[][], maxElements?: number): PlainTensor[] | Error {
  try {
    return encodeRecords(
      signature,
      rows.map((row, i) => recordFromRow(signature, row, i)),
      0,
      maxElements,
    );
  } catch (err) {
    return err as Error;
  }
}

function viaRows(signature: Signature, rows: unknown[][], maxElements?: number): PlainTensor[] | Error | undefined {
  try {
    return encodeFeatureRows(signature, rows, maxElements);
  } catch (err) {
    return err as Error;
  }
}

function same(signature: Signature, rows: unknown[][], maxElements?: number): void {
  const expected = viaRecords(signature, rows, maxElements);
  const actual = viaRows(signature, rows, maxElements);
  if (expected instanceof Error) {
    assert.ok(actual instanceof Error, `expected the error "${expected.message}", got tensors`);
    assert.equal(actual.message, expected.message);
    assert.equal(actual.constructor, expected.constructor);
  } else {
    assert.deepEqual(actual, expected);
  }
}

describe('encodeFeatureRows', () => {
  it('makes the tensors the records path makes, packed in the binding order', () => {
    same(packed, [[30, 5000.5, 3]]);
    same(packed, [
      [30, 5000.5, 3],
      ['41', ' 12.25 ', true],
      [0.1, -2, 0],
    ]);
    const [x] = encodeFeatureRows(packed, [[30, 5000.5, 3]])!;
    assert.deepEqual([...(x.data as Float32Array)], [5000.5, 30, 3]);
  });

  it('makes per-column string, int64 and bool tensors alike', () => {
    same(perColumn, [
      ['AA', 18, 'true'],
      ['DL', '7', 0],
    ]);
    same(perColumn, [['AA', 9007199254740993, true]]);
  });

  it('throws the same errors, for the same row, in the same order', () => {
    same(packed, [
      [1, 2, 3],
      [1, 'abc', 3],
    ]);
    same(packed, [
      [1, 2, 3],
      [1, 2],
      ['x', 2, 3],
    ]);
    same(packed, [[1, 2, null]]);
    same(packed, [[1, 2, { nested: 1 }]]);
    same(packed, [[1, 2, 1e39]]);
    same(perColumn, [['AA', 1.5, true]]);
    same(perColumn, [['AA', 1, 'maybe']]);
    same(perColumn, [[null, 1, true]]);
    same(packed, []);
    same(
      packed,
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      5,
    );
  });

  it('holds a fixed batch size as the records path does', () => {
    const fixed = { ...packed, batch: { dynamic: false, size: 1 } };
    same(fixed, [[1, 2, 3]]);
    same(fixed, [
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('leaves image inputs to the records path', () => {
    assert.equal(
      encodeFeatureRows(image, [
        [
          [
            [0, 1],
            [2, 3],
          ],
        ],
      ]),
      undefined,
    );
  });
});
