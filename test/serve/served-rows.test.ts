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
import { ServedRows } from '../../server/serve/served-rows';

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
