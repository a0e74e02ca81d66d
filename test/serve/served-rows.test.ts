/**
 * The served-rows log keeps request tensors and decodes them only when read: the ring still holds exactly
 * the newest `capacity` rows across requests of different sizes, and the JSONL file still gets every row.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PlainTensor } from '../../server/protocol/codec';
import type { Signature } from '../../server/protocol/signature';
import { recordsFromTensors, ServedRows } from '../../server/serve/served-rows';

const signature = {
  source: 'csv',
  task: 'regression',
  features: [
    { name: 'a', kind: 'number', input: 'x', column: 0 },
    { name: 'b', kind: 'number', input: 'x', column: 1 },
  ],
  inputs: [{ tensor: 'x', dtype: 'float32', dims: [null, 2], kind: 'packed', features: ['a', 'b'] }],
  outputs: [],
  batch: { dynamic: true },
  notes: [],
} as unknown as Signature;

/** A request of `rows` rows numbered from `first`: a = row number, b = row number + 0.1 (float32). */
function request(first: number, rows: number): PlainTensor[] {
  const data = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    data[2 * r] = first + r;
    data[2 * r + 1] = first + r + 0.1;
  }
  return [{ name: 'x', dtype: 'float32', dims: [rows, 2], data }];
}

test('the ring keeps the newest rows across requests of 1, 3 and 7 rows and a request larger than it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ml-served-'));
  try {
    const jsonl = join(dir, 'served.jsonl');
    const log = new ServedRows({ capacity: 10, jsonlFile: jsonl });
    let next = 0;
    for (const rows of [1, 3, 7, 1, 3]) {
      assert.equal(log.addTensors(signature, request(next, rows)), true);
      next += rows;
    }
    assert.deepEqual(log.status().rows, 10);
    assert.deepEqual(log.status().total, 15);
    assert.deepEqual(
      log.snapshot().map((r) => r.a),
      [5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    );
    // Values read back as the short decimal that was sent, not float32 noise.
    assert.equal(log.snapshot()[0].b, 5.1);
    // One request bigger than the ring: only its last 10 rows stay.
    log.addTensors(signature, request(100, 25));
    assert.deepEqual(
      log.snapshot().map((r) => r.a),
      [115, 116, 117, 118, 119, 120, 121, 122, 123, 124],
    );
    assert.equal(log.status().total, 40);
    // Tensors that do not map back to the features are not logged (and not counted).
    assert.equal(log.addTensors(signature, [{ name: 'x', dtype: 'float32', dims: [1, 3], data: new Float32Array(3) }]), false);
    assert.equal(log.status().total, 40);
    await log.close();
    const written = readFileSync(jsonl, 'utf8').trim().split('\n');
    // The file has every row served by the first five requests, and the last 10 of the big one.
    assert.equal(written.length, 25);
    assert.deepEqual((JSON.parse(written[0]) as { row: unknown }).row, { a: 0, b: 0.1 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A model with a float32 block, a string column, a bool column and an int64 column (per-column inputs). */
const mixedSignature = {
  source: 'csv',
  task: 'classification',
  features: [
    { name: 'x0', kind: 'number', input: 'num', column: 0 },
    { name: 'x1', kind: 'number', input: 'num', column: 1 },
    { name: 'city', kind: 'category', input: 'city', column: 0 },
    { name: 'flag', kind: 'boolean', input: 'flag', column: 0 },
    { name: 'count', kind: 'number', input: 'count', column: 0 },
  ],
  inputs: [
    { tensor: 'num', dtype: 'float32', dims: [null, 2], kind: 'packed', features: ['x0', 'x1'] },
    { tensor: 'city', dtype: 'string', dims: [null, 1], kind: 'column', features: ['city'] },
    { tensor: 'flag', dtype: 'bool', dims: [null, 1], kind: 'column', features: ['flag'] },
    { tensor: 'count', dtype: 'int64', dims: [null, 1], kind: 'column', features: ['count'] },
  ],
  outputs: [],
  batch: { dynamic: true },
  notes: [],
} as unknown as Signature;

function mixedRequest(first: number, rows: number): PlainTensor[] {
  const num = new Float32Array(rows * 2);
  const city: string[] = [];
  const flag = new Uint8Array(rows);
  const count = new BigInt64Array(rows);
  for (let r = 0; r < rows; r++) {
    num[2 * r] = (first + r) * 0.25;
    num[2 * r + 1] = -(first + r) - 0.3;
    city.push(`city-${first + r}`);
    flag[r] = (first + r) % 2;
    count[r] = BigInt(first + r) * 1000n;
  }
  return [
    { name: 'num', dtype: 'float32', dims: [rows, 2], data: num },
    { name: 'city', dtype: 'string', dims: [rows, 1], data: city },
    { name: 'flag', dtype: 'bool', dims: [rows, 1], data: flag },
    { name: 'count', dtype: 'int64', dims: [rows, 1], data: count },
  ];
}

test('rows of every dtype read back as the decoded records would, across the ring growing and wrapping', () => {
  // 3,000 rows: the ring starts at 1,024 and doubles; 4,501 rows served in requests of 7 make it wrap.
  const log = new ServedRows({ capacity: 3000 });
  let next = 0;
  const expected: ReturnType<ServedRows['snapshot']> = [];
  while (next < 4500) {
    const inputs = mixedRequest(next, 7);
    assert.equal(log.addTensors(mixedSignature, inputs), true);
    expected.push(...recordsFromTensors(mixedSignature, inputs)!);
    next += 7;
  }
  const held = log.snapshot();
  assert.equal(held.length, 3000);
  assert.deepEqual(held, expected.slice(-3000));
  assert.deepEqual(held[0], { x0: 375.25, x1: -1501.3, city: 'city-1501', flag: true, count: 1501000 });
  assert.deepEqual(log.status().columns, ['x0', 'x1', 'city', 'flag', 'count']);
  assert.equal(log.status().total, next);
});

test('another model: the rows held so far keep their own columns, new rows take the new ones', () => {
  const log = new ServedRows({ capacity: 5 });
  log.addTensors(signature, request(0, 3));
  log.addTensors(mixedSignature, mixedRequest(10, 1));
  const rows = log.snapshot();
  assert.deepEqual(rows[0], { a: 0, b: 0.1 });
  assert.deepEqual(rows[2], { a: 2, b: 2.1 });
  assert.deepEqual(rows[3], { x0: 2.5, x1: -10.3, city: 'city-10', flag: false, count: 10000 });
  assert.deepEqual(log.status().columns, ['x0', 'x1', 'city', 'flag', 'count']);
  // The old rows fall out first, and the earliest time is the oldest held row's.
  log.addTensors(mixedSignature, mixedRequest(11, 3));
  assert.deepEqual(
    log.snapshot().map((r) => r.city ?? r.a),
    [2, 'city-10', 'city-11', 'city-12', 'city-13'],
  );
  assert.ok(log.status().since);
});

test('the JSONL file gets every row when more rows than the ring holds arrive before it is written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ml-served-'));
  try {
    const jsonl = join(dir, 'served.jsonl');
    const log = new ServedRows({ capacity: 4, jsonlFile: jsonl });
    for (let i = 0; i < 9; i++) log.addTensors(mixedSignature, mixedRequest(i, 1));
    await log.close();
    const written = readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { row: { city: string } }).row.city);
    assert.deepEqual(
      written,
      Array.from({ length: 9 }, (_, i) => `city-${i}`),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
