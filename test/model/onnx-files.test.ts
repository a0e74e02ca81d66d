/**
 * Checks the committed sample models (samples/*) and test fixtures (this folder) with a real onnxruntime
 * session: they load, declare the inputs/outputs the READMEs promise, and reproduce the outputs that
 * sklearn/torch computed (samples/<name>/expected.json).
 *
 * ZipMap outputs (iris, flights `output_probability`) are sequences of maps, which onnxruntime-node cannot
 * return; here only their label output is compared. The probabilities get checked through the model
 * loader, which replaces the ZipMap with its probability tensor.
 *
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'models');
const samples = join(fixtures, '..', '..', '..', 'samples');

type Nested = number | string | boolean | Nested[];
interface ExpectedTensor {
  dtype: string;
  shape: number[];
  data: Nested;
}
interface Expected {
  tolerance: number;
  inputs: Record<string, ExpectedTensor>;
  outputs: Record<string, ExpectedTensor | { type: string; data: unknown[] }>;
}

function flat(data: Nested): (number | string | boolean)[] {
  return Array.isArray(data) ? data.flatMap(flat) : [data];
}

function toTensor({ dtype, shape, data }: ExpectedTensor): ort.Tensor {
  const values = flat(data);
  switch (dtype) {
    case 'float32':
      return new ort.Tensor('float32', Float32Array.from(values as number[]), shape);
    case 'int64':
      return new ort.Tensor('int64', BigInt64Array.from(values.map((v) => BigInt(v as number))), shape);
    case 'string':
      return new ort.Tensor('string', values.map(String), shape);
    default:
      throw new Error(`expected.json dtype ${dtype} not handled by this test`);
  }
}

/** Same rule as samples/README.md: |actual - expected| <= tolerance * max(1, |expected|). */
function assertClose(
  actual: ArrayLike<number | bigint | string>,
  expected: (number | string | boolean)[],
  tolerance: number,
  what: string,
) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const want = expected[i];
    const got = actual[i];
    if (typeof want === 'number' && typeof got === 'number') {
      const limit = tolerance * Math.max(1, Math.abs(want));
      assert.ok(Math.abs(got - want) <= limit, `${what}[${i}]: got ${got}, expected ${want} ± ${limit}`);
    } else {
      assert.equal(String(got), String(want), `${what}[${i}]`);
    }
  }
}

async function session(path: string) {
  return ort.InferenceSession.create(path);
}

const SAMPLES: { folder: string; file: string; inputs: string[]; outputs: string[] }[] = [
  { folder: 'breast-cancer', file: 'breast_cancer.onnx', inputs: ['input'], outputs: ['probabilities'] },
  { folder: 'iris', file: 'iris.onnx', inputs: ['float_input'], outputs: ['output_label', 'output_probability'] },
  { folder: 'diabetes', file: 'diabetes.onnx', inputs: ['X'], outputs: ['variable'] },
  { folder: 'digits', file: 'digits.onnx', inputs: ['image'], outputs: ['probabilities'] },
  {
    folder: 'flights',
    file: 'flights.onnx',
    inputs: ['carrier', 'origin', 'distance', 'dep_hour', 'day_of_week'],
    outputs: ['output_label', 'output_probability'],
  },
];

for (const sample of SAMPLES) {
  test(`sample ${sample.folder}: onnxruntime reproduces expected.json`, async () => {
    const dir = join(samples, sample.folder);
    const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const s = await session(join(dir, sample.file));
    try {
      assert.deepEqual([...s.inputNames], sample.inputs);
      assert.deepEqual([...s.outputNames], sample.outputs);
      const feeds = Object.fromEntries(Object.entries(expected.inputs).map(([name, t]) => [name, toTensor(t)]));
      const tensorOutputs = Object.entries(expected.outputs).filter((entry): entry is [string, ExpectedTensor] => 'dtype' in entry[1]);
      assert.ok(tensorOutputs.length > 0, 'expected.json has at least one tensor output');
      const results = await s.run(
        feeds,
        tensorOutputs.map(([name]) => name),
      );
      for (const [name, want] of tensorOutputs) {
        const got = results[name];
        assert.deepEqual(got.dims.map(Number), want.shape, `${name}: shape`);
        const data = got.data as ArrayLike<number | bigint | string>;
        const values = got.type === 'int64' ? Array.from(data as BigInt64Array, Number) : data;
        assertClose(values, flat(want.data), expected.tolerance, name);
      }
    } finally {
      await s.release();
    }
  });
}

test('sample reference.csv headers: breast-cancer ends with diagnosis, iris names match metadata order', () => {
  const header = (folder: string) => readFileSync(join(samples, folder, 'reference.csv'), 'utf8').split('\n')[0];
  const breast = header('breast-cancer').split(',');
  assert.equal(breast.length, 31);
  assert.equal(breast[0], 'mean radius');
  assert.equal(breast[30], 'diagnosis');
  assert.equal(header('iris'), 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm),species');
  assert.equal(header('flights'), 'carrier,origin,distance,dep_hour,day_of_week,delayed');
  assert.equal(header('diabetes'), 'age,sex,bmi,bp,s1,s2,s3,s4,s5,s6,progression');
});

test('digits PNGs are 64x64 RGB pictures', () => {
  for (const digit of [0, 3, 7, 9]) {
    const png = readFileSync(join(samples, 'digits', `digit_${digit}.png`));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.equal(png.readUInt32BE(16), 64, 'width');
    assert.equal(png.readUInt32BE(20), 64, 'height');
    assert.equal(png[25], 2, 'colour type RGB');
  }
});

test('fixture fixed_batch: y = x·W + b, and a batch of 2 is refused', async () => {
  const s = await session(join(fixtures, 'fixed_batch.onnx'));
  try {
    const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [1, 3]);
    const { y } = await s.run({ x });
    // W = [[1,-1],[0.5,2],[-2,0.25]], b = [0.1,-0.2]
    assertClose(y.data, [1 + 1 - 6 + 0.1, -1 + 4 + 0.75 - 0.2], 1e-6, 'y');
    const two = new ort.Tensor('float32', new Float32Array(6), [2, 3]);
    await assert.rejects(s.run({ x: two }), /dimension|Got invalid dimensions/i);
  } finally {
    await s.release();
  }
});

test('fixture nhwc_image: mean colour per channel, channels last', async () => {
  const s = await session(join(fixtures, 'nhwc_image.onnx'));
  try {
    const pixels = new Float32Array(4 * 4 * 3);
    for (let i = 0; i < 16; i++) pixels.set([i, 10, 255 - i], i * 3);
    const { mean_rgb } = await s.run({ pixels: new ort.Tensor('float32', pixels, [1, 4, 4, 3]) });
    assert.deepEqual(mean_rgb.dims, [1, 3]);
    assertClose(mean_rgb.data, [7.5, 10, 247.5], 1e-6, 'mean_rgb');
    const sidecar = JSON.parse(readFileSync(join(fixtures, 'nhwc_image.signature.json'), 'utf8'));
    assert.equal(sidecar.inputs.pixels.image.layout, 'NHWC');
  } finally {
    await s.release();
  }
});

test('fixture int_inputs: int64 + int32 + 100·bool as float64', async () => {
  const s = await session(join(fixtures, 'int_inputs.onnx'));
  try {
    const { sum } = await s.run({
      a: new ort.Tensor('int64', BigInt64Array.from([1n, -5n]), [2, 1]),
      b: new ort.Tensor('int32', Int32Array.from([2, 7]), [2, 1]),
      flag: new ort.Tensor('bool', Uint8Array.from([1, 0]), [2, 1]),
    });
    assert.equal(sum.type, 'float64');
    assert.deepEqual(Array.from(sum.data as Float64Array), [103, 2]);
  } finally {
    await s.release();
  }
});

test('fixture multi_output: doubled, total and seq_dims (declared [N, "width"], actually [N, 4])', async () => {
  const s = await session(join(fixtures, 'multi_output.onnx'));
  try {
    const outputs = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4]), [2, 2]) });
    assert.deepEqual(Array.from(outputs.doubled.data as Float32Array), [2, 4, 6, 8]);
    assert.deepEqual(Array.from(outputs.total.data as Float32Array), [3, 7]);
    assert.deepEqual(outputs.seq_dims.dims, [2, 4]);
    assert.deepEqual(Array.from(outputs.seq_dims.data as Float32Array), [1, 2, 2, 4, 3, 4, 6, 8]);
  } finally {
    await s.release();
  }
});

test('fixture dtypes: every dtype passes through its Identity unchanged', async () => {
  const s = await session(join(fixtures, 'dtypes.onnx'));
  try {
    const feeds: Record<string, ort.Tensor> = {
      in_float16: new ort.Tensor('float16', Uint16Array.from([0x3c00, 0xc000]), [1, 2]), // 1.0, -2.0
      in_float32: new ort.Tensor('float32', Float32Array.from([1.5, -2]), [1, 2]),
      in_float64: new ort.Tensor('float64', Float64Array.from([0.1, 1e300]), [1, 2]),
      in_int8: new ort.Tensor('int8', Int8Array.from([-128, 127]), [1, 2]),
      in_int16: new ort.Tensor('int16', Int16Array.from([-32768, 32767]), [1, 2]),
      in_int32: new ort.Tensor('int32', Int32Array.from([-(2 ** 31), 2 ** 31 - 1]), [1, 2]),
      in_int64: new ort.Tensor('int64', BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n]), [1, 2]),
      in_uint8: new ort.Tensor('uint8', Uint8Array.from([0, 255]), [1, 2]),
      in_uint16: new ort.Tensor('uint16', Uint16Array.from([0, 65535]), [1, 2]),
      in_uint32: new ort.Tensor('uint32', Uint32Array.from([0, 2 ** 32 - 1]), [1, 2]),
      in_uint64: new ort.Tensor('uint64', BigUint64Array.from([0n, 2n ** 64n - 1n]), [1, 2]),
      in_bool: new ort.Tensor('bool', Uint8Array.from([1, 0]), [1, 2]),
      in_string: new ort.Tensor('string', ['héllo', ''], [1, 2]),
    };
    assert.deepEqual([...s.inputNames].sort(), Object.keys(feeds).sort());
    const outputs = await s.run(feeds);
    for (const [name, input] of Object.entries(feeds)) {
      const output = outputs[name.replace(/^in_/, 'out_')];
      assert.equal(output.type, input.type, name);
      assert.deepEqual(Array.from(output.data as ArrayLike<unknown>), Array.from(input.data as ArrayLike<unknown>), name);
    }
  } finally {
    await s.release();
  }
});

test('fixture symbolic_batch_only: 1-D score per row', async () => {
  const s = await session(join(fixtures, 'symbolic_batch_only.onnx'));
  try {
    const features = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4, 5, 0, 0, 0, 0, -1, 1, 1, 1, 1, 1]), [3, 5]);
    const { score } = await s.run({ features });
    assert.deepEqual(score.dims, [3]);
    assert.deepEqual(Array.from(score.data as Float32Array), [15, -1, 5]);
  } finally {
    await s.release();
  }
});
