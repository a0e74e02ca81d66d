/**
 * ONNX → TF.js on the architectures people ship (issue 15): the pre-check naming every refused node,
 * grouped; torch-exported CNN with Resize, dynamic-batch transformer, LSTM/GRU/RNN and the Resize
 * variants, each run by @tensorflow/tfjs (CPU backend) and compared with onnxruntime.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertToTfjs, precheckTfjs, TfjsConversionError } from '../../server/export/tfjs';
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
