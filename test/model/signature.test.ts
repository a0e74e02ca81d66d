// Signature inference on real ONNX files: every source (sidecar, metadata, CSV header, generated), every
// input kind (packed, per-column string/int64, image NCHW/NHWC, raw) and output role.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { inspectModel, ModelLoadError } from '../../server/model';

describe('signature inference', () => {
  it('names a packed [N,30] input from the reference CSV header and takes the extra column as target', async () => {
    const { signature } = await inspectModel('samples/breast-cancer/breast_cancer.onnx', {
      referenceCsv: 'samples/breast-cancer/reference.csv',
    });
    assert.equal(signature.source, 'csv');
    assert.equal(signature.features.length, 30);
    assert.equal(signature.features[0].name, 'mean radius');
    assert.equal(signature.features[29].name, 'worst fractal dimension');
    assert.equal(signature.target, 'diagnosis');
    assert.deepEqual(signature.inputs[0].features.length, 30);
    assert.equal(signature.outputs[0].role, 'probabilities');
    assert.deepEqual(signature.classNames, ['malignant', 'benign']);
    assert.ok(signature.features[0].min! < signature.features[0].max!, 'range from the reference');
  });

  it('generates names when there is no other source, and says so', async () => {
    const { signature } = await inspectModel('samples/breast-cancer/breast_cancer.onnx');
    assert.equal(signature.source, 'generated');
    assert.equal(signature.features[0].name, 'feature_0');
    assert.ok(signature.notes.some((n) => n.includes('generated')));
  });

  it('reads feature names from metadata_props and serves a ZipMap classifier as a probability tensor', async () => {
    const { signature, info } = await inspectModel('samples/iris/iris.onnx');
    assert.equal(signature.source, 'metadata');
    assert.equal(signature.features[2].name, 'petal length (cm)');
    const probs = signature.outputs.find((o) => o.tensor === 'output_probability')!;
    assert.equal(probs.role, 'probabilities');
    assert.equal(probs.dtype, 'float32');
    assert.deepEqual(probs.classNames, ['setosa', 'versicolor', 'virginica']);
    assert.equal(signature.outputs.find((o) => o.tensor === 'output_label')!.role, 'label');
    assert.match(info.rewrites[0], /ZipMap/);
    assert.equal(info.opHistogram['ai.onnx.ml:ZipMap'], undefined, 'ZipMap replaced');
  });

  it('uses a sidecar file over everything else', async () => {
    const { signature } = await inspectModel('samples/diabetes/diabetes.onnx', { referenceCsv: 'samples/diabetes/reference.csv' });
    assert.equal(signature.source, 'sidecar');
    assert.equal(signature.task, 'regression');
    assert.equal(signature.features[2].name, 'bmi');
    assert.ok(signature.features[2].description);
    assert.deepEqual(signature.outputs[0].names, ['progression']);
  });

  it('maps skl2onnx per-column inputs: string categories from the OneHotEncoder, int64 integers, class names from metadata', async () => {
    const { signature } = await inspectModel('samples/flights/flights.onnx');
    const byName = Object.fromEntries(signature.features.map((f) => [f.name, f]));
    assert.equal(byName['carrier'].kind, 'category');
    assert.ok(byName['carrier'].categories!.includes('AA'));
    assert.equal(byName['dep_hour'].kind, 'integer');
    assert.equal(byName['distance'].kind, 'number');
    assert.equal(signature.inputs.find((b) => b.tensor === 'carrier')!.kind, 'column');
    assert.deepEqual(signature.classNames, ['on_time', 'delayed']);
    assert.deepEqual(signature.batch, { dynamic: true });
  });

  it('describes image inputs, NCHW from the sidecar and NHWC from the shape', async () => {
    const digits = (await inspectModel('samples/digits/digits.onnx')).signature;
    assert.equal(digits.inputs[0].kind, 'image');
    assert.deepEqual(
      { ...digits.inputs[0].image!, mean: undefined, std: undefined },
      { layout: 'NCHW', height: 8, width: 8, channels: 1, scale: 1 / 255, mean: undefined, std: undefined },
    );
    const nhwc = (await inspectModel('test/fixtures/models/nhwc_image.onnx')).signature;
    assert.equal(nhwc.inputs[0].image!.layout, 'NHWC');
    assert.equal(nhwc.inputs[0].image!.channels, 3);
  });

  it('knows a fixed batch from a dynamic one', async () => {
    assert.deepEqual((await inspectModel('test/fixtures/models/fixed_batch.onnx')).signature.batch, { dynamic: false, size: 1 });
    assert.deepEqual((await inspectModel('test/fixtures/models/symbolic_batch_only.onnx')).signature.batch, { dynamic: true });
  });

  it('rejects a sidecar that contradicts the model, naming the problem', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sig-'));
    copyFileSync('samples/diabetes/diabetes.onnx', join(dir, 'm.onnx'));
    writeFileSync(join(dir, 'm.signature.json'), JSON.stringify({ features: ['a', 'b'] }));
    await assert.rejects(
      inspectModel(join(dir, 'm.onnx')),
      (e: Error) => e instanceof ModelLoadError && /2 features .* has 10/.test(e.message),
    );
    writeFileSync(join(dir, 'm.signature.json'), '{"features": [{"name": "age", "min": "zero"}]}');
    await assert.rejects(inspectModel(join(dir, 'm.onnx')), /features\.0\.min/);
    writeFileSync(join(dir, 'm.signature.json'), '{not json');
    await assert.rejects(inspectModel(join(dir, 'm.onnx')), /not valid JSON/);
  });
});
