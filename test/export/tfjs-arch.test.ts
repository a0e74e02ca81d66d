/**
 * ONNX → TF.js on the architectures people ship (issue 15): the pre-check naming every refused node,
 * grouped; torch-exported CNN with Resize, dynamic-batch transformer, LSTM/GRU/RNN and the Resize
 * variants, each run by @tensorflow/tfjs (CPU backend) and compared with onnxruntime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  convertToTfjs,
  describeUnsupported,
  precheckTfjs,
  randomInputs,
  TfjsConversionError,
  verifyTfjs,
  type TfjsConversion,
} from '../../server/export/tfjs';
import { decodeModel } from '../../server/model';

const root = join(__dirname, '..', '..');
const ARCH = join(root, 'test/fixtures/tfjs-arch');

test('the pre-check names every refused node, also those after a refused node, grouped by reason', () => {
  // Both LSTMs of a 2-layer stack moved into a custom operator set: the second consumes the first's output.
  const model = decodeModel(readFileSync(join(ARCH, 'lstm_classifier.onnx')));
  for (const n of model.graph!.node) if (n.opType === 'LSTM') n.domain = 'com.example';
  model.opsetImport.push({ domain: 'com.example', version: 1 });
  const pre = precheckTfjs(model);
  assert.equal(pre.supported, false);
  assert.deepEqual(
    pre.unsupported.map((u) => `${u.node} ${u.opType}`),
    ['/rnn/LSTM com.example:LSTM', '/rnn/LSTM_1 com.example:LSTM'],
  );
  assert.throws(
    () => convertToTfjs(model),
    (err: Error) =>
      err instanceof TfjsConversionError &&
      err.message.includes("2 nodes: com.example:LSTM (/rnn/LSTM, /rnn/LSTM_1) — operator set 'com.example' has no TF.js mapping"),
  );
});

/** Converts, then compares TF.js with onnxruntime on seeded random inputs at each batch size. */
async function parity(file: string, batches: number[], tolerance = 1e-4): Promise<{ conv: TfjsConversion; worst: number }> {
  const bytes = readFileSync(file);
  const pre = precheckTfjs(bytes);
  assert.deepEqual(pre.unsupported, [], `${file}: ${describeUnsupported(pre.unsupported)}`);
  const conv = convertToTfjs(bytes);
  let worst = 0;
  for (const b of batches) {
    const v = await verifyTfjs(bytes, conv, randomInputs(conv, b, 100 + b));
    assert.ok(v.maxAbsDiff < tolerance, `${file} batch ${b}: max abs diff ${v.maxAbsDiff}`);
    assert.equal(v.rows, b);
    worst = Math.max(worst, v.maxAbsDiff);
  }
  return { conv, worst };
}
const opsOf = (conv: TfjsConversion) => new Set((conv.modelJson.modelTopology.node as { op: string }[]).map((n) => n.op));

test('UNet-style CNN with bilinear (align_corners false/true) and nearest Upsample: native resizes, parity at batch 1, 3', async () => {
  const { conv } = await parity(join(ARCH, 'unet_resize.onnx'), [1, 3]);
  const ops = opsOf(conv);
  assert.ok(ops.has('ResizeBilinear') && ops.has('ResizeNearestNeighbor'), [...ops].join(','));
});

for (const f of readdirSync(join(ARCH, 'resize')).sort())
  test(`Resize variant ${f.replace('.onnx', '')} matches onnxruntime (batch 1 and 3)`, async () => {
    await parity(join(ARCH, 'resize', f), [1, 3]);
  });

test('Resize refuses antialiased downsampling and a resized axis of run-time size, naming them', () => {
  const model = decodeModel(readFileSync(join(ARCH, 'resize/linear_asymmetric_down.onnx')));
  const node = model.graph!.node[0];
  node.attribute.push({ name: 'antialias', type: 2, i: 1 });
  model.opsetImport[0].version = 18;
  const pre = precheckTfjs(model);
  assert.equal(pre.unsupported.length, 1);
  assert.match(pre.unsupported[0].reason, /antialias=1 when downsampling/);
  const dyn = decodeModel(readFileSync(join(ARCH, 'resize/linear_half_pixel_up.onnx')));
  const dims = dyn.graph!.input[0].type!.tensorType!.shape!.dim as { dimValue?: unknown; dimParam?: string }[];
  delete dims[2].dimValue;
  dims[2].dimParam = 'height';
  assert.match(precheckTfjs(dyn).unsupported[0]?.reason ?? '', /axis 2, whose size is only known at run time/);
});

for (const f of ['transformer_dynbatch', 'transformer_batch_first'])
  test(`${f}: 2 × TransformerEncoderLayer, dynamic batch: run-time Reshape targets resolved, parity at batch 1, 3, 5`, async () => {
    const { conv } = await parity(join(ARCH, `${f}.onnx`), [1, 3, 5]);
    // every attention reshape became a static target with -1 for the batch: no run-time shape reading is left
    assert.ok(!opsOf(conv).has('Shape'), [...opsOf(conv)].join(','));
  });
