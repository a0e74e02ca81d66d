/**
 * Each rewrite on real models: the variant loads in onnxruntime, agrees with the original within a
 * stated tolerance, is smaller by the expected factor, has the expected graph form, and the original
 * file is never modified. Plus the errors: nothing to quantise, an opset too old, a variant ORT refuses.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compressBytes,
  CompressError,
  loadVariant,
  measureAgreement,
  parseVariant,
  type CompressResult,
} from '../../server/compress/index';
import { decodeModel, encodeModel, loadModel, type LoadedModel } from '../../server/model/index';

const root = join(__dirname, '..', '..');
const MLP = join(root, 'test/fixtures/compress/mlp_512.onnx');
const BC = join(root, 'samples/breast-cancer/breast_cancer.onnx');
const BC_REF = join(root, 'samples/breast-cancer/reference.csv');
const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const ops = (r: CompressResult) => decodeModel(r.bytes).graph!.node.map((n) => n.opType);

/**
 * Tolerances (max abs difference of probabilities, every row run alone): int8 dynamic with 7-bit
 * weights ≤ 0.02, int8 weights ≤ 0.01, fp16 ≤ 0.005; argmax agreement ≥ 99 % for all three.
 */
const TOLERANCE: Record<string, number> = { int8: 0.02, 'int8-pc': 0.02, 'int8-weights': 0.01, 'int8-weights-pc': 0.01, fp16: 0.005 };

describe('rewrites of the 30→512→512→2 MLP (weight-dominated)', () => {
  let original: LoadedModel;
  const before_ = hash(MLP);
  before(async () => {
    original = await loadModel(MLP, { referenceCsv: BC_REF });
  });
  after(async () => {
    await original?.dispose();
    assert.equal(hash(MLP), before_, 'the original file is unchanged');
  });

  for (const id of Object.keys(TOLERANCE)) {
    it(`${id}: loads in onnxruntime, agrees within ${TOLERANCE[id]}, and is smaller by the expected factor`, async () => {
      const result = compressBytes(readFileSync(MLP), parseVariant(id));
      const ratio = readFileSync(MLP).length / result.fileBytes;
      if (id === 'fp16') assert.ok(ratio > 1.9 && ratio < 2.1, `fp16 ≈ 2× smaller, got ${ratio.toFixed(2)}`);
      else assert.ok(ratio >= 3.5, `${id} ≥ 3.5× smaller, got ${ratio.toFixed(2)}`);
      const variant = await loadVariant(MLP, result, { referenceCsv: BC_REF });
      try {
        assert.deepEqual(
          variant.model.info.inputs.map((t) => t.dtype),
          ['float32'],
          'inputs stay float32',
        );
        assert.deepEqual(
          variant.model.info.outputs.map((t) => t.dtype),
          ['float32'],
          'outputs stay float32',
        );
        const a = await measureAgreement(original, variant.model, { rows: 200 });
        assert.equal(a.source, 'reference');
        assert.ok(a.rowByRow, 'dynamic batch → row-by-row figures');
        for (const figures of [a.rowByRow, a.batched]) {
          assert.ok(figures.argmax! >= 0.99, `argmax agreement ${figures.argmax}`);
          assert.ok(figures.maxAbsDiff <= TOLERANCE[id], `max abs diff ${figures.maxAbsDiff} ≤ ${TOLERANCE[id]}`);
          assert.ok(figures.maxAbsDiff > 0, 'a lossy rewrite changes something (the comparison is real)');
        }
        assert.equal(a.quality?.target, 'diagnosis');
        assert.ok('accuracy' in a.quality.variant && a.quality.variant.accuracy >= 0.95);
      } finally {
        await variant.model.dispose();
      }
    });
  }

  it('int8 dynamic has the form onnxruntime fuses: DynamicQuantizeLinear + MatMulInteger + Cast + Mul, Gemm gone', () => {
    const result = compressBytes(readFileSync(MLP), parseVariant('int8'));
    const o = ops(result);
    assert.ok(!o.includes('Gemm'), 'Gemm rewritten to MatMul + Add');
    assert.equal(o.filter((x) => x === 'MatMulInteger').length, 3);
    assert.equal(o.filter((x) => x === 'DynamicQuantizeLinear').length, 3);
    assert.ok(o.includes('Cast') && o.includes('Mul') && o.includes('Add'));
    assert.ok(
      result.nodes
        .filter((n) => n.action === 'rewritten')
        .every((n) => /7-bit int8 per tensor; Gemm → MatMulInteger \+ Add/.test(n.detail)),
    );
    const weights = decodeModel(result.bytes).graph!.initializer.filter((t) => t.dataType === 3);
    assert.equal(weights.length, 6, 'three int8 weights + three int8 zero points');
  });

  it('int8 weight-only carries the session option it needs, in the result and in the file', () => {
    const result = compressBytes(readFileSync(MLP), parseVariant('int8-weights-pc'));
    assert.deepEqual(result.sessionConfig, { 'session.disable_quant_qdq': '1' });
    const meta = decodeModel(result.bytes).metadataProps;
    assert.equal(meta.find((p) => p.key === 'model_lab.session_config')?.value, '{"session.disable_quant_qdq":"1"}');
    assert.equal(ops(result).filter((x) => x === 'DequantizeLinear').length, 3);
    assert.ok(ops(result).includes('Gemm'), 'compute ops are unchanged');
  });

  it('prune50 zeroes half of each layer, keeps the file size and shrinks only the gzip size', async () => {
    const bytes = readFileSync(MLP);
    const result = compressBytes(bytes, parseVariant('prune50'));
    for (const n of result.nodes.filter((x) => x.action === 'rewritten')) assert.match(n.detail, /^50\.0 % of \d+ weights are now 0/);
    assert.ok(Math.abs(result.fileBytes - bytes.length) < 200, 'dense storage: same size');
    assert.ok(result.gzipBytes < 0.7 * bytes.length, `gzip ${result.gzipBytes} of ${bytes.length}`);
  });
});

describe('rewrites of the sample models', () => {
  it('breast_cancer: int8 skips the tiny last layer and says why; the variant runs and agrees', async () => {
    const before_ = hash(BC);
    const result = compressBytes(readFileSync(BC), parseVariant('int8'));
    const skipped = result.nodes.filter((n) => n.action === 'skipped');
    assert.deepEqual(
      skipped.map((n) => n.node),
      ['/layers/layers.4/Gemm'],
    );
    assert.match(skipped[0].detail, /only 128 weights/);
    assert.ok(result.nodes.some((n) => n.action === 'left' && n.op === 'Softmax'));
    const original = await loadModel(BC, { referenceCsv: BC_REF });
    const variant = await loadVariant(BC, result, { referenceCsv: BC_REF });
    const a = await measureAgreement(original, variant.model, { rows: 100 });
    assert.ok(a.rowByRow!.argmax! >= 0.99 && a.batched.maxAbsDiff < 0.02);
    await Promise.all([original.dispose(), variant.model.dispose()]);
    assert.equal(hash(BC), before_);
  });

  it('digits CNN: int8-weights rewrites Conv and Gemm per channel; fp16 halves it; agreement on synthetic images', async () => {
    const path = join(root, 'samples/digits/digits.onnx');
    const original = await loadModel(path);
    for (const id of ['int8-weights-pc', 'fp16']) {
      const result = compressBytes(readFileSync(path), parseVariant(id));
      if (id === 'fp16') assert.ok(readFileSync(path).length / result.fileBytes > 1.7);
      else
        assert.deepEqual(
          result.nodes.filter((n) => n.action === 'rewritten').map((n) => n.op),
          ['Conv', 'Gemm'],
        );
      const variant = await loadVariant(path, result);
      assert.equal(variant.model.signature.inputs[0].kind, 'image', 'the sidecar signature carries over to the variant');
      const a = await measureAgreement(original, variant.model, { rows: 64 });
      assert.equal(a.source, 'tensors');
      assert.ok(a.batched.argmax! >= 0.95 && a.batched.maxAbsDiff < 0.05, JSON.stringify(a.batched));
      await variant.model.dispose();
    }
    await original.dispose();
  });

  it('diabetes regression: int8 on its 10 weights only when asked (minWeights 0); RMSE/MAE of both reported', async () => {
    const path = join(root, 'samples/diabetes/diabetes.onnx');
    const ref = join(root, 'samples/diabetes/reference.csv');
    assert.throws(() => compressBytes(readFileSync(path), parseVariant('int8')), /no quantizable ops: .*only 10 weights/);
    const result = compressBytes(readFileSync(path), { ...parseVariant('int8'), minWeights: 0 });
    const original = await loadModel(path, { referenceCsv: ref });
    const variant = await loadVariant(path, result, { referenceCsv: ref });
    const a = await measureAgreement(original, variant.model, { rows: 100 });
    assert.equal(a.batched.argmax, null, 'no class output');
    const q = a.quality!;
    assert.ok('rmse' in q.original && 'rmse' in q.variant);
    // The raw features (age ~50, s5 ~5) share one activation scale, so int8 costs real accuracy here
    // (measured RMSE 51.9 → 58.6): the report must show both numbers rather than hide it.
    assert.ok(q.original.rmse > 40 && q.original.rmse < 60, JSON.stringify(q));
    assert.ok(q.variant.rmse >= q.original.rmse * 0.95 && q.variant.rmse < q.original.rmse * 1.3, JSON.stringify(q));
    await Promise.all([original.dispose(), variant.model.dispose()]);
  });

  for (const name of ['iris', 'flights']) {
    it(`${name} (skl2onnx, no MatMul/Gemm): a clear "no quantizable ops" error, and fp16/prune say why not`, () => {
      const bytes = readFileSync(join(root, `samples/${name}/${name}.onnx`));
      assert.throws(
        () => compressBytes(bytes, parseVariant('int8')),
        (err: Error) =>
          err instanceof CompressError && /no quantizable ops: the graph has no MatMul\/Gemm\/Conv .*LinearClassifier/.test(err.message),
      );
      assert.throws(() => compressBytes(bytes, parseVariant('fp16')), /nothing to convert to fp16/);
      assert.throws(() => compressBytes(bytes, parseVariant('prune50')), /nothing to prune/);
    });
  }
});

describe('errors', () => {
  it('an opset too old for the rewrite is named, with what to do', () => {
    const model = decodeModel(readFileSync(BC));
    model.opsetImport = [{ domain: '', version: 10 }];
    const bytes = encodeModel(model);
    assert.throws(() => compressBytes(bytes, parseVariant('int8')), /needs opset 11 .*imports opset 10.*Re-export/);
    assert.throws(() => compressBytes(bytes, parseVariant('int8-weights-pc')), /per-channel int8 weights need opset 13/);
  });

  it('a variant onnxruntime refuses becomes a CompressError naming the variant', async () => {
    const result = compressBytes(readFileSync(BC), parseVariant('fp16'));
    const broken = decodeModel(result.bytes);
    broken.graph!.node[0].opType = 'NoSuchOp';
    await assert.rejects(
      loadVariant(BC, { ...result, bytes: encodeModel(broken) }),
      (err: Error) =>
        err instanceof CompressError && /the fp16 variant does not run in onnxruntime .*the original model is untouched/.test(err.message),
    );
  });

  it('unknown variant ids list the valid ones; bad bytes are not a model', () => {
    assert.throws(() => parseVariant('int4'), /unknown variant 'int4'; use int8, int8-pc, int8-weights/);
    assert.throws(() => parseVariant('prune0'), /unknown variant/);
    assert.equal(parseVariant('prune35').sparsity, 0.35);
    assert.throws(() => compressBytes(new Uint8Array([1, 2, 3, 4]), parseVariant('fp16')), CompressError);
  });
});
