/**
 * The pure pieces of hostile-input handling: quoting, the element count, datatype ranges, depth-bounded
 * flatten, onnxruntime message scrubbing, and the CLI's cap on error lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocate, flatten, InputError, writeScalar } from '../../server/protocol/codec';
import { capMessage, checkedElementCount, quote, scrubInternals } from '../../server/protocol/limits';
import { main } from '../../server/cli/run';
import type { Command } from '../../server/cli/command';

const fail = (m: string) => new Error(m);

test('quote keeps short text and cuts long text to ~200 characters, saying how much was left out', () => {
  assert.equal(quote('abc'), 'abc');
  const q = quote('x'.repeat(20_000_000));
  assert.ok(q.length < 260);
  assert.match(q, /19999800 more characters/);
  assert.ok(capMessage('y'.repeat(5_000_000)).length < 1100);
});

test('element counts: non-negative safe integer dims, no overflow, bounded', () => {
  assert.equal(checkedElementCount([2, 3, 4], 100, fail), 24);
  assert.equal(checkedElementCount([0, 2 ** 52], 100, fail), 0);
  for (const shape of [[-1, 2], [1.5], [2 ** 53], [2 ** 32, 2 ** 32], ['3'], [null], [1e8, 1]]) {
    assert.throws(() => checkedElementCount(shape, 16 * 1024 * 1024, fail), Error, JSON.stringify(shape));
  }
});

test('flatten is iterative and refuses nesting deeper than the limit', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  assert.throws(
    () => flatten(deep, 1, 'x'),
    (e: unknown) => e instanceof InputError && /nested more than 32/.test(e.message),
  );
  assert.deepEqual(
    flatten(
      [
        [1, 2],
        [3, 4],
      ],
      4,
      'x',
      2,
    ),
    [1, 2, 3, 4],
  );
  assert.throws(() => flatten([[[1]]], 1, 'x', 2), InputError);
  assert.throws(() => flatten(new Array(1000).fill(0), 3, 'x'), /data holds more/);
});

test('values outside their datatype are InputErrors naming the field', () => {
  const cases: [Parameters<typeof writeScalar>[1], unknown][] = [
    ['float32', 1e39],
    ['float32', -3.5e38],
    ['float16', 70000],
    ['int64', 2 ** 63],
    ['int64', 2 ** 53 + 2],
    ['int64', '9223372036854775808'],
    ['uint64', -1],
    ['uint64', '18446744073709551616'],
    ['int32', 2 ** 31],
    ['int8', 128],
    ['uint8', -1],
    ['uint16', 65536],
    ['int16', 1.5],
    ['uint32', 'abc'],
  ];
  for (const [dtype, value] of cases) {
    const data = allocate(dtype, 1);
    assert.throws(
      () => writeScalar(data, dtype, 0, value, 'feature_a'),
      (e: unknown) => e instanceof InputError && e.message.startsWith('feature_a:'),
      `${dtype} ${String(value)}`,
    );
  }
  const i64 = allocate('int64', 2) as BigInt64Array;
  writeScalar(i64, 'int64', 0, '9223372036854775807', 'f');
  writeScalar(i64, 'int64', 1, -(2 ** 53 - 1), 'f');
  assert.deepEqual([...i64], [9223372036854775807n, -(2n ** 53n - 1n)]);
  const f32 = allocate('float32', 1) as Float32Array;
  writeScalar(f32, 'float32', 0, 3.4028234663852886e38, 'f');
  assert.ok(Number.isFinite(f32[0]));
});

test('onnxruntime messages lose source locations, C++ signatures and absolute paths', () => {
  const ort =
    "[ONNXRuntimeError] : 2 : INVALID_ARGUMENT : Non-zero status code returned while running Concat node. Name:'Concat_3' " +
    'Status Message: /onnxruntime_src/onnxruntime/core/providers/cpu/tensor/concatbase.h:133 onnxruntime::common::Status ' +
    'onnxruntime::ConcatBase::PrepareForCompute(onnxruntime::OpKernelContext*) const input_rank == reference_rank was false. ' +
    'Ranks of input data are different, cannot concatenate them. expected rank: 2 got: 3 (model /home/me/models/x.onnx)';
  const scrubbed = scrubInternals(ort);
  assert.doesNotMatch(scrubbed, /concatbase\.h|:133|onnxruntime_src|\/home\/me|ConcatBase::/);
  assert.match(scrubbed, /Concat_3/);
  assert.match(scrubbed, /expected rank: 2 got: 3/);
});

test('the CLI prints at most ~1000 characters of an error message', async () => {
  const huge: Command = {
    name: 'huge',
    summary: '',
    usage: '',
    run: async () => {
      throw new Error('z'.repeat(50_000_000));
    },
  };
  let err = '';
  const code = await main(
    ['huge'],
    {
      out: () => undefined,
      err: (t) => {
        err += t;
      },
    },
    [huge],
  );
  assert.equal(code, 1);
  assert.ok(err.length < 1200, `stderr got ${err.length} characters`);
});
