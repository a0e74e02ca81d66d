/**
 * The OIP infer response written by hand (oipResponseText) is the very text JSON.stringify makes of the
 * response object: every dtype, the numbers JSON writes differently from plain digits (NaN, ±Infinity,
 * -0, exponents, float32 values read as doubles), strings that need escaping, and outputs large enough
 * to go to JSON.stringify itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PlainTensor } from '../../server/protocol/codec';
import { oipOutput, oipResponseText } from '../../server/serve/routes/tensors';

function reference(name: string, version: string, id: string, outputs: PlainTensor[]): string {
  return JSON.stringify({ model_name: name, model_version: version, id, outputs: outputs.map(oipOutput) });
}

function same(name: string, version: string, id: string, outputs: PlainTensor[]): void {
  const text = oipResponseText(name, version, id, outputs);
  assert.equal(text, reference(name, version, id, outputs));
  JSON.parse(text); // and it is JSON
}

test('every dtype and the awkward numbers come out as JSON.stringify writes them', () => {
  const odd = [
    NaN,
    Infinity,
    -Infinity,
    -0,
    0,
    1e21,
    1e-7,
    5.381467076404078e-7,
    0.1,
    -123.456,
    2 ** 53,
    Number.MIN_VALUE,
    Number.MAX_VALUE,
  ];
  same('m', '1', 'id-1', [
    { name: 'f64', dtype: 'float64', dims: [odd.length], data: Float64Array.from(odd) },
    { name: 'f32', dtype: 'float32', dims: [odd.length], data: Float32Array.from(odd) },
    { name: 'f16', dtype: 'float16', dims: [3], data: Uint16Array.from([0x3c00, 0x7c00, 0x7e00]) },
    { name: 'i64', dtype: 'int64', dims: [3], data: BigInt64Array.from([0n, -5n, 2n ** 60n]) },
    { name: 'u64', dtype: 'uint64', dims: [1], data: BigUint64Array.from([2n ** 63n]) },
    { name: 'i32', dtype: 'int32', dims: [2], data: Int32Array.from([-2147483648, 7]) },
    { name: 'u8', dtype: 'uint8', dims: [2], data: Uint8Array.from([0, 255]) },
    { name: 'b', dtype: 'bool', dims: [2], data: Uint8Array.from([1, 0]) },
    { name: 's', dtype: 'string', dims: [3], data: ['plain', 'quote " backslash \\ newline \n tab \t', 'lone \ud800 surrogate, emoji 😀'] },
  ]);
});

test('names, versions and ids that need escaping; no outputs; empty and multi-dimensional outputs', () => {
  same('a "model"\u0001', 'v\\2', '</script>\u2028', []);
  same('m', '1', '', [{ name: 'empty', dtype: 'float32', dims: [0, 3], data: new Float32Array(0) }]);
  same('m', '1', 'x', [
    { name: 'probabilities', dtype: 'float32', dims: [2, 2], data: Float32Array.from([0.25, 0.75, 0.5, 0.5]) },
    { name: 'label', dtype: 'int64', dims: [2], data: BigInt64Array.from([1n, 0n]) },
  ]);
});

test('large outputs (past the hand-written size) are the same text too', () => {
  const data = new Float32Array(5000);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i) * 1000;
  same('m', '1', 'big', [{ name: 'y', dtype: 'float32', dims: [500, 10], data }]);
  // Right at the boundary, and one past it.
  same('m', '1', 'edge', [{ name: 'y', dtype: 'float32', dims: [64], data: data.subarray(0, 64) }]);
  same('m', '1', 'edge', [{ name: 'y', dtype: 'float32', dims: [65], data: data.subarray(0, 65) }]);
});
