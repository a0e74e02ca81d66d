/**
 * Where each part of a signature came from (issue 15: `info` said "signature from metadata" for models
 * with no metadata at all), and the token-id range read from an embedding table.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatInfo } from '../../server/cli/commands/info';
import { inspectModel, sampleRecords } from '../../server/model/index';

describe('signature origins', () => {
  it('a model without metadata: inputs from its shape, task from its outputs; info does not say "metadata"', async () => {
    const { info, signature } = await inspectModel('test/fixtures/architectures/resnet_small.onnx');
    assert.deepEqual(info.metadata, {}, 'the fixture has no metadata_props');
    assert.equal(signature.origins?.features, "'image' an image (its shape)");
    assert.match(signature.origins?.task ?? '', /^the outputs \('logits' scores\)/);
    assert.equal(signature.origins?.classes, undefined);
    const text = formatInfo(info, signature);
    assert.doesNotMatch(text, /metadata/i);
    assert.match(text, /Signature\s+inputs: 'image' an image \(its shape\)\n\s+task classification: from the outputs/);
  });

  it('names from metadata_props, classes from the ZipMap, target from the reference CSV', async () => {
    const iris = await inspectModel('samples/iris/iris.onnx');
    assert.equal(iris.signature.origins?.features, "'float_input' (4) named by the model's metadata_props");
    assert.equal(iris.signature.origins?.classes, "the ZipMap's labels");
    const bc = await inspectModel('samples/breast-cancer/breast_cancer.onnx', { referenceCsv: 'samples/breast-cancer/reference.csv' });
    assert.equal(bc.signature.origins?.features, "'input' (30) named by the reference CSV header");
    assert.equal(bc.signature.target, 'diagnosis');
    assert.match(bc.signature.origins?.target ?? '', /reference CSV/);
    assert.match(formatInfo(bc.info, bc.signature), /target column 'diagnosis': from the reference CSV/);
  });

  it('token ids fed to an embedding get the table range, and generated rows use it', async () => {
    const { signature } = await inspectModel('test/fixtures/architectures/text_transformer.onnx');
    const binding = signature.inputs[0];
    assert.equal(binding.kind, 'packed');
    assert.deepEqual({ min: binding.valueRange?.min, max: binding.valueRange?.max }, { min: 0, max: 1999 });
    assert.match(binding.valueRange?.why ?? '', /^token ids: rows of the embedding table '[^']+' \(2000 × 64\)$/);
    assert.ok(signature.features.every((f) => f.min === 0 && f.max === 1999));
    assert.ok(signature.notes.some((n) => n.includes("input 'tokens' holds token ids")));
    const values = sampleRecords(signature, null, 50).flatMap((r) => Object.values(r) as number[]);
    assert.ok(values.every((v) => Number.isInteger(v) && v >= 0 && v <= 1999));
    assert.ok(Math.max(...values) > 1000 && new Set(values).size > 100, 'spread over the vocabulary, not 0/1');
  });
});
