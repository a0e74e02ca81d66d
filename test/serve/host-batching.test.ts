/**
 * Dynamic batching through the real ModelHost and real onnxruntime sessions: coalesced answers equal
 * one-by-one answers, batches really form (observed through the host's batch reports, not timing),
 * a bad request fails alone, and fixed-batch models are never batched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { loadModel } from '../../server/model/index';
import { encodeRecords, readScalar, type PlainTensor } from '../../server/protocol/codec';
import { concatRows, splitOutputs, type BatchStats } from '../../server/serve/batcher';
import { createModelHost } from '../../server/serve/host-impl';
import { gatherModel, linearModel, tempDirWith } from './host-fixtures';

const IRIS = join(__dirname, '../../samples/iris/iris.onnx');
const IRIS_REFERENCE = join(__dirname, '../../samples/iris/reference.csv');
const quiet = (): void => {};

function values(t: PlainTensor): (number | string | boolean)[] {
  return Array.from({ length: t.data.length }, (_, i) => readScalar(t, i));
}

test('concurrent requests are coalesced and get the same answers as one-by-one runs (iris)', async () => {
  const rows = parse<Record<string, string>>(readFileSync(IRIS_REFERENCE), { columns: true }).slice(0, 40);
  const alone = await loadModel(IRIS, { referenceCsv: IRIS_REFERENCE });
  const batches: BatchStats[] = [];
  const host = await createModelHost(IRIS, {
    referenceCsv: IRIS_REFERENCE,
    batching: { maxBatchSize: 16, maxDelayMs: 5 },
    log: quiet,
    onBatch: (s) => batches.push(s),
  });
  try {
    // Requests of 1, 2 and 3 rows, so splitting back by row counts is exercised too.
    const requests: PlainTensor[][] = [];
    for (let i = 0, size = 1; i < rows.length; i += size, size = (size % 3) + 1) {
      requests.push(encodeRecords(host.current().signature, rows.slice(i, i + size)));
    }
    const expected: PlainTensor[][] = [];
    for (const inputs of requests) expected.push(await alone.run(inputs));
    const batched = await Promise.all(requests.map((inputs) => host.infer(inputs)));

    batched.forEach((outputs, r) => {
      assert.equal(outputs.length, expected[r].length);
      outputs.forEach((t, o) => {
        const want = expected[r][o];
        assert.equal(t.name, want.name);
        assert.deepEqual(t.dims, want.dims, `request ${r}, output ${t.name}: shape`);
        const got = values(t);
        values(want).forEach((v, i) => {
          if (typeof v === 'number') assert.ok(Math.abs(v - (got[i] as number)) <= 1e-6, `request ${r} ${t.name}[${i}]: ${got[i]} vs ${v}`);
          else assert.equal(got[i], v, `request ${r} ${t.name}[${i}]`);
        });
      });
    });
    assert.equal(
      batches.reduce((n, b) => n + b.requests, 0),
      requests.length,
      'every request ran exactly once',
    );
    assert.equal(
      batches.reduce((n, b) => n + b.rows, 0),
      rows.length,
      'every row ran exactly once',
    );
    assert.ok(
      batches.some((b) => b.requests > 1),
      `some batch coalesced several requests: ${JSON.stringify(batches.map((b) => b.requests))}`,
    );
    assert.ok(
      batches.every((b) => b.rows <= 16),
      'no batch exceeds maxBatchSize',
    );
    assert.ok(batches.every((b) => !b.retriedAlone));
    assert.deepEqual(host.batching(), { enabled: true, maxBatchSize: 16, maxDelayMs: 5 });
  } finally {
    await host.close();
    await alone.dispose();
  }
});

test('a bad request inside a batch fails alone; its batch-mates get their answers', async () => {
  const dir = tempDirWith({ 'gather.onnx': gatherModel() });
  const batches: BatchStats[] = [];
  const host = await createModelHost(join(dir, 'gather.onnx'), { log: quiet, onBatch: (s) => batches.push(s) });
  try {
    const idx = (...ids: number[]): PlainTensor[] => [
      { name: 'idx', dtype: 'int64', dims: [ids.length], data: BigInt64Array.from(ids.map(BigInt)) },
    ];
    const requests = [idx(0), idx(1, 2), idx(3), idx(9), idx(4, 0), idx(2)];
    const results = await Promise.allSettled(requests.map((r) => host.infer(r)));

    const bad = results[3];
    assert.equal(bad.status, 'rejected');
    assert.match(String(bad.reason.message), /out of data bounds|idx=9/);
    const table = (i: number) => [i * 10, i * 10 + 1];
    const expected: Record<number, number[]> = {
      0: table(0),
      1: [...table(1), ...table(2)],
      2: table(3),
      4: [...table(4), ...table(0)],
      5: table(2),
    };
    for (const [r, want] of Object.entries(expected)) {
      const result = results[Number(r)];
      assert.equal(result.status, 'fulfilled', `request ${r} should succeed`);
      assert.deepEqual(values(result.value[0]), want, `request ${r}`);
    }
    // The bad request really was inside a coalesced run that failed and was retried member by member.
    assert.ok(
      batches.some((b) => b.requests > 1 && b.retriedAlone),
      JSON.stringify(batches),
    );
  } finally {
    await host.close();
  }
});

test('a fixed-batch model is never batched, and neither is any model with batching disabled', async () => {
  const dir = tempDirWith({ 'fixed.onnx': linearModel({ batch: 1 }), 'dynamic.onnx': linearModel() });
  for (const [file, batching] of [
    ['fixed.onnx', {}],
    ['dynamic.onnx', { enabled: false }],
  ] as const) {
    const batches: BatchStats[] = [];
    const host = await createModelHost(join(dir, file), { batching, log: quiet, onBatch: (s) => batches.push(s) });
    try {
      assert.equal(host.batching().enabled, false, file);
      const requests = Array.from({ length: 12 }, (_, i): PlainTensor[] => [
        { name: 'x', dtype: 'float32', dims: [1, 3], data: new Float32Array([i, 1, 0]) },
      ]);
      const results = await Promise.all(requests.map((r) => host.infer(r)));
      results.forEach((outputs, i) => {
        // y = x·W + b with W = [[1,-1],[0.5,2],[-0.25,0.75]], b = [0.1,-0.2]
        assert.deepEqual(
          values(outputs[0]).map((v) => Math.round((v as number) * 1000) / 1000),
          [i + 0.5 + 0.1, -i + 2 - 0.2].map((v) => Math.round(v * 1000) / 1000),
        );
      });
      assert.equal(batches.length, 0, `${file}: no batch was formed`);
    } finally {
      await host.close();
    }
  }
});

test('concatRows and splitOutputs round-trip numeric and string tensors', () => {
  const a: PlainTensor = { name: 's', dtype: 'string', dims: [1, 2], data: ['a', 'b'] };
  const b: PlainTensor = { name: 's', dtype: 'string', dims: [2, 2], data: ['c', 'd', 'e', 'f'] };
  const merged = concatRows([a, b]);
  assert.deepEqual(merged.dims, [3, 2]);
  assert.deepEqual(merged.data, ['a', 'b', 'c', 'd', 'e', 'f']);
  const f: PlainTensor = { name: 'f', dtype: 'int64', dims: [3], data: new BigInt64Array([1n, 2n, 3n]) };
  const parts = splitOutputs([merged, f], [1, 2]);
  assert.deepEqual(
    parts[0].map((t) => [t.dims, Array.from(t.data as ArrayLike<unknown>)]),
    [
      [
        [1, 2],
        ['a', 'b'],
      ],
      [[1], [1n]],
    ],
  );
  assert.deepEqual(
    parts[1].map((t) => [t.dims, Array.from(t.data as ArrayLike<unknown>)]),
    [
      [
        [2, 2],
        ['c', 'd', 'e', 'f'],
      ],
      [[2], [2n, 3n]],
    ],
  );
  assert.throws(() => splitOutputs([{ name: 'sum', dtype: 'float32', dims: [1], data: new Float32Array([1]) }], [1, 2]), /not 3 rows/);
});
