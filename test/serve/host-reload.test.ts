/**
 * Hot reload through the real ModelHost, chokidar and onnxruntime: a new good file is swapped in
 * (generation 2 + a differential check), a truncated one is refused while the old model keeps serving,
 * and the watch survives atomic renames and delete + re-create.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeModel, encodeModel } from '../../server/model/index';
import type { ServerEvent } from '../../server/protocol/api';
import { readScalar, type PlainTensor } from '../../server/protocol/codec';
import { createModelHost, type ModelHostImpl } from '../../server/serve/host-impl';
import { linearModel, tempDirWith, waitForEvent } from './host-fixtures';

type Loaded = Extract<ServerEvent, { type: 'model-loaded' }>;
type Failed = Extract<ServerEvent, { type: 'model-reload-failed' }>;
type Checked = Extract<ServerEvent, { type: 'differential-check' }>;
const loaded =
  (generation: number) =>
  (e: ServerEvent): e is Loaded =>
    e.type === 'model-loaded' && e.generation === generation;
const checked =
  (generation: number) =>
  (e: ServerEvent): e is Checked =>
    e.type === 'differential-check' && e.generation === generation;
const quiet = (): void => {};

/** y for x = [1, 1, 1] from the linear test model whose weights are multiplied by `scale`. */
const expectedY = (scale: number) => [scale * 1.25 + 0.1, scale * 1.75 - 0.2];

async function predictOnes(host: ModelHostImpl): Promise<number[]> {
  const x: PlainTensor = { name: 'x', dtype: 'float32', dims: [1, 3], data: new Float32Array([1, 1, 1]) };
  const [y] = await host.infer([x]);
  return [0, 1].map((i) => readScalar(y, i) as number);
}

function assertClose(actual: number[], expected: number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((v, i) =>
    assert.ok(Math.abs(v - expected[i]) < 1e-5, `${what}: got [${actual.join(', ')}], expected [${expected.join(', ')}]`),
  );
}

test('hot reload: swap on a good file, refuse a truncated one, survive rename and delete + re-create', async () => {
  const dir = tempDirWith({ 'model.onnx': linearModel({ scale: 1 }) });
  const path = join(dir, 'model.onnx');
  const host = await createModelHost(path, { watch: true, watchDebounceMs: 100, log: quiet });
  try {
    assert.equal(host.generation(), 1);
    assertClose(await predictOnes(host), expectedY(1), 'generation 1');

    // 1. Overwrite with another good model: generation 2, then a differential check old vs new.
    writeFileSync(path, linearModel({ scale: 2 }));
    const second = await waitForEvent(host, loaded(2), 'model-loaded (generation 2)');
    assert.equal(second.name, 'model');
    const check = await waitForEvent(host, checked(2), 'differential-check (generation 2)');
    assert.deepEqual(check.comparedOutputs, ['y']);
    assert.ok(check.rows > 0, 'compared some rows');
    assert.ok(check.agreement !== null && check.agreement < 1, `scaled weights must disagree somewhere: ${JSON.stringify(check)}`);
    assert.ok(check.maxAbsDiff > 0);
    assert.equal(host.generation(), 2);
    assertClose(await predictOnes(host), expectedY(2), 'generation 2');

    // 2. A half-written file: reload fails, generation 2 keeps serving.
    writeFileSync(path, linearModel({ scale: 3 }).subarray(0, 40));
    const failed = await waitForEvent(host, (e): e is Failed => e.type === 'model-reload-failed', 'model-reload-failed');
    assert.equal(failed.keptGeneration, 2);
    assert.match(failed.error, /model\.onnx/);
    assert.equal(host.generation(), 2);
    assertClose(await predictOnes(host), expectedY(2), 'still generation 2 after a bad file');

    // 3. Atomic save (write a temp file, rename over the model), as editors and exporters do.
    writeFileSync(join(dir, '.model.onnx.tmp'), linearModel({ scale: 3 }));
    renameSync(join(dir, '.model.onnx.tmp'), path);
    await waitForEvent(host, loaded(3), 'model-loaded (generation 3) after an atomic rename');
    assertClose(await predictOnes(host), expectedY(3), 'generation 3');

    // 4. Delete, then re-create: served from memory meanwhile, reloaded once the file is back.
    unlinkSync(path);
    await sleep(400); // let the watcher see the deletion on its own (not an assertion on timing)
    assertClose(await predictOnes(host), expectedY(3), 'generation 3 while the file is missing');
    writeFileSync(path, linearModel({ scale: 4 }));
    await waitForEvent(host, loaded(4), 'model-loaded (generation 4) after delete + re-create');
    assertClose(await predictOnes(host), expectedY(4), 'generation 4');
    assert.ok(host.recentEvents().some(checked(4)) || (await waitForEvent(host, checked(4), 'differential-check (generation 4)')));
  } finally {
    await host.close();
  }
});

test('differential check on a classifier with reference rows: an identical model agrees fully', async () => {
  const samples = join(__dirname, '../../samples/iris');
  const dir = tempDirWith({});
  const path = join(dir, 'iris.onnx');
  copyFileSync(join(samples, 'iris.onnx'), path);
  copyFileSync(join(samples, 'reference.csv'), join(dir, 'reference.csv'));
  const host = await createModelHost(path, { referenceCsv: join(dir, 'reference.csv'), log: quiet });
  try {
    // Same graph, new doc string: a different file with the same behaviour.
    const model = decodeModel(readFileSync(path));
    model.docString = 're-exported';
    writeFileSync(path, encodeModel(model));
    assert.equal(await host.reload('test'), 2);
    const check = await waitForEvent(host, checked(2), 'differential-check');
    assert.ok(check.rows > 1, 'compared the reference rows');
    assert.equal(check.agreement, 1);
    assert.equal(check.maxAbsDiff, 0);
    assert.ok(check.comparedOutputs.includes('output_probability'), JSON.stringify(check.comparedOutputs));
    // An unchanged file (same bytes) is not a new generation.
    assert.equal(await host.reload('touched'), 2);
  } finally {
    await host.close();
  }
});

test('requests queued on the old model finish on it after a reload swaps in the new one', async () => {
  const dir = tempDirWith({ 'model.onnx': linearModel({ scale: 1 }) });
  const path = join(dir, 'model.onnx');
  // A long batching delay parks the second request in generation 1's queue (holding its lease) while
  // the reload happens, so a session disposed too early would make it fail.
  const host = await createModelHost(path, { batching: { maxBatchSize: 1000, maxDelayMs: 2000 }, log: quiet });
  try {
    const first = predictOnes(host);
    const queued = predictOnes(host);
    writeFileSync(path, linearModel({ scale: 2 }));
    assert.equal(await host.reload('test'), 2);
    assertClose(await predictOnes(host), expectedY(2), 'a new request runs on generation 2');
    assertClose(await first, expectedY(1), 'the running request finished on generation 1');
    assertClose(await queued, expectedY(1), 'the queued request finished on generation 1');
    const check = await waitForEvent(host, checked(2), 'differential-check');
    assert.equal(check.agreement, 0);
  } finally {
    await host.close();
  }
});
