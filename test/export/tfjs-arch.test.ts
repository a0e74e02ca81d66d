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
  runTfjs,
  TfjsConversionError,
  verifyTfjs,
  type TfjsConversion,
} from '../../server/export/tfjs';
import { decodeModel } from '../../server/model';
import { encodeModel } from '../../server/model/onnx/proto';

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

/** The fixture with its dynamic `time` axis fixed (as when exported with a static sequence length). */
function withStaticTime(file: string, length: number): Uint8Array {
  const model = decodeModel(readFileSync(file));
  for (const i of model.graph!.input)
    for (const d of i.type!.tensorType!.shape!.dim as { dimValue?: unknown; dimParam?: string }[])
      if (d.dimParam === 'time') {
        delete d.dimParam;
        d.dimValue = length;
      }
  return encodeModel(model);
}

test('a stack of two refused LSTMs is named in full, grouped: the second one consumes the refused first', () => {
  const model = decodeModel(readFileSync(join(ARCH, 'lstm_classifier.onnx')));
  for (const n of model.graph!.node) if (n.opType === 'LSTM') n.attribute.push({ name: 'input_forget', type: 2, i: 1 });
  const pre = precheckTfjs(model);
  assert.deepEqual(
    pre.unsupported.map((u) => `${u.node} ${u.opType}`),
    ['/rnn/LSTM LSTM', '/rnn/LSTM_1 LSTM'],
  );
  assert.throws(() => convertToTfjs(model), /2 nodes: LSTM \(\/rnn\/LSTM, \/rnn\/LSTM_1\) — LSTM input_forget=1 is not supported/);
});

for (const f of ['lstm_classifier', 'bilstm_classifier', 'gru_regressor', 'bigru_regressor'])
  test(`${f} , run-time sequence length (unrolled to 24 steps, masked): parity at lengths 1, 7, 24; 30 fails`, async () => {
    const bytes = readFileSync(join(ARCH, `${f}.onnx`));
    const conv = convertToTfjs(bytes, { maxSequenceLength: 24 });
    assert.ok(
      conv.report.notes.some((n) => n.includes('run-time sequence length, unrolled for up to 24 steps')),
      conv.report.notes.join('; '),
    );
    const rows = (length: number, batch: number) =>
      randomInputs(conv, batch, length).map((t) => {
        const dims = [batch, length, ...t.dims.slice(2)],
          n = dims.reduce((a, b) => a * b, 1);
        const data =
          t.dtype === 'int64'
            ? BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7 + length) % 50))
            : Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + length) * 1.5);
        return { ...t, dims, data };
      });
    for (const length of [1, 7, 24])
      for (const batch of [1, 3]) {
        const v = await verifyTfjs(bytes, conv, rows(length, batch));
        assert.ok(v.maxAbsDiff < 1e-4, `${f} length ${length} batch ${batch}: ${v.maxAbsDiff}`);
      }
    // longer than unrolled: an error, not a silently cut sequence
    await assert.rejects(runTfjs(conv, rows(30, 2)));
  });

for (const [f, layer] of [
  ['lstm_classifier', 'LSTM'],
  ['bilstm_classifier', 'LSTM'],
  ['gru_regressor', 'GRU'],
  ['bigru_regressor', 'GRU'],
] as const)
  test(`${f} (${layer}, unrolled over a fixed length) matches onnxruntime at lengths 1, 7 and 20 and batch 1 and 4`, async () => {
    for (const length of [1, 7, 20]) {
      const bytes = withStaticTime(join(ARCH, `${f}.onnx`), length);
      assert.deepEqual(precheckTfjs(bytes).unsupported, []);
      const conv = convertToTfjs(bytes);
      assert.ok(opsOf(conv).has('MatMul') && !opsOf(conv).has(layer));
      // each weight is written once, not once per time step
      assert.ok(conv.weightData.length < bytes.length, `${conv.weightData.length} weight bytes for a ${bytes.length}-byte model`);
      assert.ok(
        conv.report.notes.some((n) => n.includes(`${layer} unrolled over ${length} time steps`)),
        conv.report.notes.join('; '),
      );
      for (const batch of [1, 4]) {
        const inputs = randomInputs(conv, batch, 31 * length + batch);
        if (inputs[0].dtype === 'int64')
          inputs[0].data = BigInt64Array.from(inputs[0].data as BigInt64Array, (_, i) => BigInt((i * 7) % 50));
        const v = await verifyTfjs(bytes, conv, inputs);
        assert.ok(v.maxAbsDiff < 1e-4, `${f} length ${length} batch ${batch}: ${v.maxAbsDiff}`);
      }
    }
  });

test('GRU hidden states (Y, all steps, both directions) match onnxruntime, not only the regressor head', async () => {
  // the head ends in ReLU → Linear on an untrained model; compare the GRU's own outputs too
  const model = decodeModel(withStaticTime(join(ARCH, 'bigru_regressor.onnx'), 9));
  const gru = model.graph!.node.find((n) => n.opType === 'GRU')!;
  model.graph!.output.push({ name: gru.output[0], type: { tensorType: { elemType: 1 } } });
  const bytes = encodeModel(model);
  const conv = convertToTfjs(bytes);
  const v = await verifyTfjs(bytes, conv, randomInputs(conv, 3, 5));
  assert.equal(v.outputs.length, 2);
  assert.ok(v.maxAbsDiff < 1e-4, `${v.maxAbsDiff}`);
});

test('RNN (tanh) with an initial state input matches onnxruntime', async () => {
  const bytes = withStaticTime(join(ARCH, 'rnn_state.onnx'), 7);
  const conv = convertToTfjs(bytes);
  for (const batch of [1, 3]) {
    const [seq] = randomInputs(conv, batch, batch);
    const h0 = {
      name: 'h0',
      dtype: 'float32' as const,
      dims: [1, batch, 10],
      data: Float32Array.from({ length: batch * 10 }, (_, i) => Math.sin(i)),
    };
    const v = await verifyTfjs(bytes, conv, [seq, h0]);
    assert.ok(v.maxAbsDiff < 1e-4, `batch ${batch}: ${v.maxAbsDiff}`);
  }
});

test('a model unrolled over 20 steps refuses a sequence of 7 at run time, saying which shape it needs', async () => {
  const conv = convertToTfjs(withStaticTime(join(ARCH, 'lstm_classifier.onnx'), 20));
  await assert.rejects(
    runTfjs(conv, [{ name: 'tokens', dtype: 'int64', dims: [2, 7], data: new BigInt64Array(14) }]),
    /must be \[-1,20\], but was \[2,7\]/,
  );
});
