/**
 * The shared architecture fixtures (test/fixtures/architectures, made by make_architectures.py: trained
 * torch exports, opset 17, dynamic batch) through the TF.js converter: each converts and matches
 * onnxruntime within 1e-4 on the fixture's realistic rows and on seeded random batches of other sizes,
 * and torch's own outputs within 1e-3 (those are rounded in the JSON).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertToTfjs, precheckTfjs, randomInputs, runTfjs, verifyTfjs, describeUnsupported } from '../../server/export/tfjs';
import type { PlainTensor } from '../../server/protocol/codec';

const DIR = process.env.ARCH_FIXTURES ?? join(__dirname, '..', 'fixtures', 'architectures');
const index = existsSync(join(DIR, 'index.json'))
  ? (JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as { models: { name: string; file: string }[] })
  : undefined;

interface Expected {
  input: { name: string; dtype: 'float32' | 'int64'; dims: number[]; data: number[] };
  output: { name: string; dims: number[]; data: number[] };
}

test('architecture fixtures are present', { skip: index ? false : `no ${DIR}/index.json yet` }, () => {
  assert.ok(index!.models.length >= 6);
});

for (const m of index?.models ?? [])
  test(`${m.name}: converts to TF.js and matches onnxruntime (< 1e-4) at batch 1, 3 and on its realistic rows`, async () => {
    const bytes = readFileSync(join(DIR, m.file));
    const pre = precheckTfjs(bytes);
    assert.deepEqual(pre.unsupported, [], describeUnsupported(pre.unsupported));
    const conv = convertToTfjs(bytes);
    const exp = JSON.parse(readFileSync(join(DIR, `${m.name}.expected.json`), 'utf8')) as Expected;
    const rows: PlainTensor = {
      name: exp.input.name,
      dtype: exp.input.dtype,
      dims: exp.input.dims,
      data: exp.input.dtype === 'int64' ? BigInt64Array.from(exp.input.data, (v) => BigInt(v)) : Float32Array.from(exp.input.data),
    };
    for (const inputs of [[rows], randomInputs(conv, 1, 3), randomInputs(conv, 3, 4)]) {
      const v = await verifyTfjs(bytes, conv, inputs);
      assert.ok(v.maxAbsDiff < 1e-4, `${m.name} batch ${inputs[0].dims[0]}: ${v.maxAbsDiff}`);
    }
    const [got] = await runTfjs(conv, [rows]);
    const g = got.data as Float32Array;
    const worst = exp.output.data.reduce((a, w, i) => Math.max(a, Math.abs(w - g[i])), 0);
    assert.deepEqual(got.dims, exp.output.dims);
    assert.ok(worst < 1e-3, `vs torch: ${worst}`);
  });
