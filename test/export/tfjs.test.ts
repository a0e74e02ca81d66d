/**
 * ONNX → TF.js converter: real conversions run by @tensorflow/tfjs (CPU backend) and compared with
 * onnxruntime; the pre-check on models it cannot convert; a representative subset of the ONNX backend
 * node tests (the full 932 run is `npm run conformance:tfjs`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  convertToTfjs,
  precheckTfjs,
  runTfjs,
  TfjsConversionError,
  verifyTfjs,
  writeTfjsModel,
  randomInputs,
  type TfjsConversion,
} from '../../server/export/tfjs';
import { runConformanceCase } from '../../server/export/tfjs/conformance';
import { decodeModel } from '../../server/model';

const root = join(__dirname, '..', '..');
const CONVERTIBLE = [
  'test/fixtures/tfjs/torch_mlp.onnx',
  'test/fixtures/tfjs/torch_cnn.onnx',
  'test/fixtures/tfjs/torch_layernorm_gelu.onnx',
  'samples/breast-cancer/breast_cancer.onnx',
  'samples/diabetes/diabetes.onnx',
  'samples/digits/digits.onnx',
];

for (const file of CONVERTIBLE) {
  test(`${file} converts and matches onnxruntime within 1e-4`, async () => {
    const bytes = readFileSync(join(root, file));
    assert.deepEqual(precheckTfjs(bytes), { supported: true, unsupported: [] });
    const conv = convertToTfjs(bytes);
    const v = await verifyTfjs(bytes, conv, randomInputs(conv, 5, 11));
    assert.ok(v.ok && v.maxAbsDiff < 1e-4, `max abs diff ${v.maxAbsDiff}`);
    assert.equal(v.rows, 5);
  });
}

test('the layout pass removes most NCHW↔NHWC transposes of a CNN', () => {
  const conv = convertToTfjs(readFileSync(join(root, 'samples/digits/digits.onnx')));
  assert.equal(conv.report.layout.transposesBefore, 8);
  assert.equal(conv.report.layout.transposesAfter, 2); // into the first conv, out of the last pool
});

test('PyTorch LayerNorm (decomposed) and Erf-GELU fold their constant shape chains', () => {
  const conv = convertToTfjs(readFileSync(join(root, 'test/fixtures/tfjs/torch_layernorm_gelu.onnx')));
  assert.ok(conv.report.foldedNodes >= 4, `folded ${conv.report.foldedNodes}`);
  const nodes = conv.modelJson.modelTopology.node as { op: string }[];
  const ops = new Set(nodes.map((n) => n.op));
  assert.ok(ops.has('Erf') && ops.has('Mean'), [...ops].join(','));
  // only the genuinely dynamic chain is left: `h.reshape(x.shape[0], -1)` reads the run-time batch size, and the
  // run-time Reshape target reads its input's shape (ONNX "0 = copy dim"); LayerNorm's own chain is folded
  assert.equal(nodes.filter((n) => n.op === 'Shape').length, 2);
});

test('ai.onnx.ml models are refused by the pre-check with node names, and convert throws naming them', () => {
  for (const [file, nodes] of [
    ['samples/iris/iris.onnx', ['LinearClassifier', 'ZipMap']],
    ['samples/flights/flights.onnx', ['carrier']],
  ] as const) {
    const bytes = readFileSync(join(root, file));
    const pre = precheckTfjs(bytes);
    assert.equal(pre.supported, false);
    for (const n of nodes)
      assert.ok(
        pre.unsupported.some((u) => u.node === n && u.reason.length > 10),
        `${file}: ${n} not listed`,
      );
    assert.throws(
      () => convertToTfjs(bytes),
      (err: Error) => err instanceof TfjsConversionError && err.message.includes(nodes[0]),
    );
  }
  assert.equal(precheckTfjs(new Uint8Array([1, 2, 3])).supported, false); // garbage: a reason, no crash
});

test('writeTfjsModel writes a graph model (base64 strings, decimal-string ints, versions) that loads back from files', async () => {
  const bytes = readFileSync(join(root, 'samples/digits/digits.onnx'));
  const conv = convertToTfjs(bytes);
  const dir = await mkdtemp(join(tmpdir(), 'tfjs-'));
  try {
    const files = await writeTfjsModel(dir, conv, { shardBytes: 4096 });
    assert.deepEqual((await readdir(dir)).sort(), [...files].sort());
    assert.ok(files.length > 2, 'weights are sharded at 4 KiB');
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    assert.equal(json.format, 'graph-model');
    assert.ok(json.modelTopology.versions.producer > 0);
    const conv2d = json.modelTopology.node.find((n: { op: string }) => n.op === 'Conv2D');
    assert.equal(Buffer.from(conv2d.attr.data_format.s, 'base64').toString(), 'NHWC');
    assert.ok(conv2d.attr.strides.list.i.every((s: unknown) => typeof s === 'string'));
    const shards = await Promise.all(json.weightsManifest[0].paths.map((p: string) => readFile(join(dir, p))));
    const reloaded: TfjsConversion = { ...conv, modelJson: json, weightData: new Uint8Array(Buffer.concat(shards)) };
    const inputs = randomInputs(conv, 2, 3);
    const [a] = await runTfjs(conv, inputs),
      [b] = await runTfjs(reloaded, inputs);
    assert.deepEqual(Array.from(b.data as Float32Array), Array.from(a.data as Float32Array));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an int64 constant beyond int32 is refused, naming the constant', () => {
  const model = decodeModel(readFileSync(join(root, 'test/fixtures/tfjs/onnx-node/test_add_bcast/model.onnx')));
  // make input B an int64 initializer holding 2^40 (TF.js has no int64)
  const g = model.graph!;
  g.input[1].type!.tensorType!.elemType = 7;
  g.initializer.push({ name: g.input[1].name, dims: [1], dataType: 7, int64Data: [2 ** 40] } as never);
  assert.throws(() => convertToTfjs(model), /does not fit int32/);
});

const NODE_TESTS = join(root, 'test/fixtures/tfjs/onnx-node');
test('ONNX backend node tests, representative subset: every case passes (test_slice: run-time axes → unsupported)', async () => {
  const failures: string[] = [];
  let passed = 0;
  for (const t of readdirSync(NODE_TESTS).sort()) {
    const r = await runConformanceCase(join(NODE_TESTS, t));
    const want = t === 'test_slice' ? 'unsupported' : 'pass';
    if (r.status !== want) failures.push(`${t}: ${r.status} ${r.detail}`);
    else if (r.status === 'pass') passed++;
  }
  assert.deepEqual(failures, []);
  assert.ok(passed >= 40, `${passed} passed`);
});
