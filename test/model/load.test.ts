// Loading real and broken files: clear errors for what cannot be served, the protobuf read losslessly.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { decodeModel, encodeModel, inspectModel, loadModel, ModelLoadError } from '../../server/model';
import { ONNX_PROTO_TEXT } from '../../server/model/onnx/schema-text';
import { InputError } from '../../server/protocol/codec';

const tmp = () => mkdtempSync(join(tmpdir(), 'load-'));

describe('model loading', () => {
  it('describes the graph: versions, producer, params, op histogram, sizes', async () => {
    const { info } = await inspectModel('samples/breast-cancer/breast_cancer.onnx');
    assert.ok(info.irVersion >= 7);
    assert.ok(info.opsets.some((o) => o.domain === 'ai.onnx' && o.version >= 13));
    assert.equal(info.producer.name, 'pytorch');
    assert.ok(info.parameterCount > 1000);
    assert.ok(info.opHistogram['Gemm'] >= 2 || info.opHistogram['MatMul'] >= 2);
    assert.equal(info.fileBytes, readFileSync('samples/breast-cancer/breast_cancer.onnx').length);
    assert.deepEqual(info.inputs[0].dims, ['batch', 30]);
  });

  it('re-encodes every sample byte-identically (nothing dropped by the schema)', () => {
    for (const f of [
      'samples/breast-cancer/breast_cancer.onnx',
      'samples/flights/flights.onnx',
      'samples/digits/digits.onnx',
      'test/fixtures/models/dtypes.onnx',
    ]) {
      const bytes = readFileSync(f);
      assert.ok(Buffer.from(encodeModel(decodeModel(bytes))).equals(bytes), f);
    }
  });

  it('embeds the same schema as onnx.proto (run scripts/gen-onnx-schema.mjs after editing it)', () => {
    assert.equal(ONNX_PROTO_TEXT, readFileSync('server/model/onnx/onnx.proto', 'utf8'));
  });

  it('refuses missing, empty, truncated and non-ONNX files with a reason', async () => {
    const dir = tmp();
    await assert.rejects(loadModel(join(dir, 'nope.onnx')), (e: Error) => e instanceof ModelLoadError && /no such file/.test(e.message));
    writeFileSync(join(dir, 'empty.onnx'), '');
    await assert.rejects(loadModel(join(dir, 'empty.onnx')), /empty/);
    const bytes = readFileSync('samples/flights/flights.onnx');
    writeFileSync(join(dir, 'half.onnx'), bytes.subarray(0, Math.floor(bytes.length / 2)));
    await assert.rejects(loadModel(join(dir, 'half.onnx')), (e: Error) => e instanceof ModelLoadError && /half\.onnx/.test(e.message));
    writeFileSync(join(dir, 'text.onnx'), 'hello, I am not a model');
    await assert.rejects(loadModel(join(dir, 'text.onnx')), ModelLoadError);
  });

  it('checks inputs before onnxruntime sees them, naming the input', async () => {
    const model = await loadModel('test/fixtures/models/fixed_batch.onnx');
    try {
      await assert.rejects(
        model.run([{ name: 'x', dtype: 'float32', dims: [1, 4], data: new Float32Array(4) }]),
        (e: Error) => e instanceof InputError && /x: expected shape \[1, 3\], got \[1, 4\]/.test(e.message),
      );
      await assert.rejects(
        model.run([{ name: 'x', dtype: 'float64', dims: [1, 3], data: new Float64Array(3) }]),
        /expected dtype float32, got float64/,
      );
      await assert.rejects(model.run([{ name: 'y', dtype: 'float32', dims: [1, 3], data: new Float32Array(3) }]), /unknown input/);
      await assert.rejects(model.run([]), /x: missing input/);
      await assert.rejects(
        model.predictRecords([
          { feature_0: 1, feature_1: 2, feature_2: 3 },
          { feature_0: 1, feature_1: 2, feature_2: 3 },
        ]),
        /exactly 1 row/,
      );
      const [y] = await model.run([{ name: 'x', dtype: 'float32', dims: [1, 3], data: new Float32Array([1, 2, 3]) }]);
      assert.deepEqual(y.dims, [1, 2]);
    } finally {
      await model.dispose();
    }
  });

  it('runs every datatype onnxruntime supports through Identity unchanged', async () => {
    const model = await loadModel('test/fixtures/models/dtypes.onnx');
    try {
      const records = [
        Object.fromEntries(model.signature.features.map((f) => [f.name, f.input === 'in_bool' ? true : f.input === 'in_string' ? 'x' : 3])),
      ];
      const { outputs } = await model.predictRecords(records);
      for (const o of outputs) {
        const v = o.data[0];
        const expected =
          o.dtype === 'bool'
            ? 1
            : o.dtype === 'string'
              ? 'x'
              : o.dtype === 'float16'
                ? 0x4200
                : o.dtype.endsWith('64') && o.dtype !== 'float64'
                  ? 3n
                  : 3;
        assert.equal(v, expected, o.name);
      }
    } finally {
      await model.dispose();
    }
  });
});
