/**
 * Requests the batcher cannot merge (a full batch already, or no shared batch axis) run alone but in
 * their turn: one session run at a time, first come first served. Run concurrently, 64 clients sending
 * 256-row bodies piled 64 runs onto the session at once and some waited seconds (wrk timeouts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PlainTensor } from '../../server/protocol/codec';
import { createBatcher } from '../../server/serve/batcher';

function rowsTensor(rows: number, first: number): PlainTensor[] {
  const data = new Float32Array(rows * 2).fill(first);
  return [{ name: 'x', dtype: 'float32', dims: [rows, 2], data }];
}

/** A run that takes a few event-loop turns and records how many runs overlap and in which order they start. */
function instrumentedRun() {
  let active = 0;
  const seen = { maxActive: 0, order: [] as number[] };
  const run = async (inputs: PlainTensor[]): Promise<PlainTensor[]> => {
    active++;
    seen.maxActive = Math.max(seen.maxActive, active);
    seen.order.push((inputs[0].data as Float32Array)[0]);
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    active--;
    const rows = inputs[0].dims[0];
    return [{ name: 'y', dtype: 'float32', dims: [rows], data: new Float32Array(rows).fill((inputs[0].data as Float32Array)[0]) }];
  };
  return { run, seen };
}

test('requests of a full batch or more run one at a time, in arrival order, each with its own answer', async () => {
  const { run, seen } = instrumentedRun();
  const batcher = createBatcher({ run, maxBatchSize: 64 });
  const answers = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => batcher.infer(rowsTensor(64 * n, n), undefined)));
  assert.equal(seen.maxActive, 1);
  assert.deepEqual(seen.order, [1, 2, 3, 4, 5, 6]);
  answers.forEach((outputs, i) => {
    assert.equal(outputs[0].dims[0], 64 * (i + 1));
    assert.equal((outputs[0].data as Float32Array)[0], i + 1);
  });
});

test('small requests queued behind a big one wait for it, then are merged; nothing overlaps', async () => {
  const { run, seen } = instrumentedRun();
  const batches: number[] = [];
  const batcher = createBatcher({ run, maxBatchSize: 64, onBatch: (s) => batches.push(s.requests) });
  const big = batcher.infer(rowsTensor(256, 9), undefined);
  const small = [1, 2, 3].map((n) => batcher.infer(rowsTensor(1, n), undefined));
  const scalar = batcher.infer([{ name: 'x', dtype: 'float32', dims: [], data: new Float32Array([7]) }], undefined);
  await Promise.all([big, ...small, scalar]);
  assert.equal(seen.maxActive, 1);
  // The big request first (it found the batcher idle), then the three small ones as one run, then the scalar.
  assert.deepEqual(seen.order, [9, 1, 7]);
  assert.deepEqual(batches, [1, 3, 1]);
  await batcher.idle();
});
