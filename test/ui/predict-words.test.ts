/**
 * The Predict tab's DOM-free pieces in Node: probabilities as text, the true value against the
 * prediction, range warnings, server/onnxruntime messages in UI words, the Python snippet's literals;
 * and GET /api/sample-images on the real app (limits, owner only, empty without an image input).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Feature, Signature } from '../../server/protocol/signature';
import type { SampleImageList } from '../../server/protocol/sample-images';
import { formatPercent } from '../../webview/app/format';
import { pythonLiteral } from '../../webview/app/predict/inference';
import { judgeTruth, truthClass } from '../../webview/app/predict/truth';
import { inUiWords } from '../../webview/app/predict/ui-words';
import { rangeWarningOf } from '../../webview/app/predict/validate';
import { startUiServer, type TestServer } from '../helpers/browser';

const root = join(import.meta.dirname, '..', '..');

describe('probabilities as text', () => {
  it('never rounds a non-zero probability to 0% nor a probability below 1 to 100%', () => {
    assert.equal(formatPercent(4e-10), '4e-8%');
    assert.equal(formatPercent(0.0004), '0.04%');
    assert.equal(formatPercent(0.00123), '0.12%');
    assert.equal(formatPercent(0.87654), '87.7%');
    assert.equal(formatPercent(0.9996), '99.96%');
    assert.equal(formatPercent(0.9999999996), '99.99999996%');
    assert.equal(formatPercent(0), '0%');
    assert.equal(formatPercent(1), '100%');
  });
});

const classifier = (classNames: string[]): Signature => ({
  source: 'csv',
  task: 'classification',
  features: [],
  inputs: [],
  outputs: [{ tensor: 'label', dtype: 'string', dims: [null], role: 'label', classNames }],
  batch: { dynamic: true },
  notes: [],
});

describe('true value against the prediction', () => {
  it('reads a class index as the class at that index, and a class name as itself', () => {
    assert.deepEqual(truthClass('0', ['on_time', 'delayed']), { name: 'on_time', byIndex: true });
    assert.deepEqual(truthClass('1.0', ['on_time', 'delayed']), { name: 'delayed', byIndex: true });
    assert.deepEqual(truthClass('delayed', ['on_time', 'delayed']), { name: 'delayed', byIndex: false });
    // Names win over indices: digits' class "3" is the cell "3", not the fourth class.
    assert.deepEqual(truthClass('3', ['1', '2', '3']), { name: '3', byIndex: false });
    assert.equal(truthClass('7', ['a', 'b']), undefined);
  });

  it('judges on_time against a 0 target as a match', () => {
    const signature = classifier(['on_time', 'delayed']);
    assert.deepEqual(judgeTruth(signature, '0', { label: 'on_time' }), { cell: '0', className: 'on_time', match: true });
    assert.deepEqual(judgeTruth(signature, '1', { label: 'on_time' }), { cell: '1', className: 'delayed', match: false });
    assert.deepEqual(judgeTruth(signature, 'on_time', { label: 'on_time' }), { cell: 'on_time', match: true });
    assert.deepEqual(judgeTruth(classifier([]), '2', { label: 2 }), { cell: '2', match: true }, 'numeric labels without names');
    const regression: Signature = { ...signature, task: 'regression', outputs: [] };
    assert.deepEqual(judgeTruth(regression, '10', { value: 12.5 }), { cell: '10', error: 2.5 });
  });
});

describe('range warnings', () => {
  const texture: Feature = { name: 'mean texture', kind: 'number', input: 'input', min: 9.71, max: 39.28 };
  it('warns about a value far outside the reference range, not about one just beyond it', () => {
    assert.match(
      rangeWarningOf(texture, '1e9')!,
      /^1e9 is far above the reference range 9\.71 – 39\.28; check for a typo or other units\.$/,
    );
    assert.match(rangeWarningOf(texture, '-40')!, /far below/);
    assert.equal(rangeWarningOf(texture, '45'), null);
    assert.equal(rangeWarningOf(texture, 'abc'), null, 'not a number: the validation error speaks');
    assert.equal(rangeWarningOf({ ...texture, min: undefined }, '1e9'), null, 'no range known');
  });
});

describe('messages in the words of the UI', () => {
  it('says what to type or pick instead of dtypes and ONNX element type numbers', () => {
    assert.equal(inUiWords('x: tensor element type 8 is not supported'), 'x: text is not supported');
    assert.equal(
      inUiWords('Unexpected input data type. Actual: (tensor(float)) , expected: (tensor(string))'),
      'the model takes text here but got decimal numbers',
    );
    assert.equal(inUiWords('dep_hour: expected an integer (int64), got 7.5'), 'dep_hour: type a whole number (got 7.5)');
    assert.equal(
      inUiWords("input 'carrier': expected datatype BYTES, got FP32"),
      "input 'carrier': the model takes text here but got decimal numbers",
    );
    assert.equal(inUiWords('@tensor:x: dimension 1 must be 4, got 3'), 'x: dimension 1 must be 4, got 3');
    assert.equal(
      inUiWords('image: no image chosen yet; pick an image file'),
      'image: choose an image file, pick a sample image or draw one',
    );
    for (const message of ['dep_hour: expected an integer (int64), got 7.5', 'x: tensor element type 8 is not supported'])
      assert.doesNotMatch(inUiWords(message), /int64|element type|dtype|datatype/);
  });
});

describe('Python literals of a request', () => {
  it('is valid Python for booleans, null, unicode and quotes', { skip: spawnSync('python3', ['-V']).status !== 0 && 'no python3' }, () => {
    const value = {
      a: [true, false, null],
      b: 'it\'s "x" é\n',
      c: [
        [1.5, -2],
        [3, 4e-10],
      ],
    };
    const literal = pythonLiteral(value);
    const back = execFileSync('python3', ['-c', `import json, sys; print(json.dumps(${literal}))`], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(back), value);
  });
});

describe('GET /api/sample-images', () => {
  let folder: string;
  let server: TestServer;
  let tabular: TestServer;
  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'model-lab-samples-'));
    for (const f of ['digits.onnx', 'digits.signature.json', 'digit_0.png', 'digit_7.png'])
      copyFileSync(join(root, 'samples/digits', f), join(folder, f));
    writeFileSync(join(folder, 'big.png'), Buffer.alloc(600 * 1024));
    writeFileSync(join(folder, 'notes.txt'), 'not a picture');
    server = await startUiServer(join(folder, 'digits.onnx'), { uiAssetsDir: folder });
    tabular = await startUiServer('samples/iris/iris.onnx', { referenceCsv: 'samples/iris/reference.csv', uiAssetsDir: folder });
  });
  after(async () => {
    await server?.close();
    await tabular?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('lists the pictures beside the model, skipping big files and other kinds', async () => {
    const res = await fetch(`${server.url}/api/sample-images`, { headers: { Authorization: `Bearer ${server.ownerToken}` } });
    assert.equal(res.status, 200);
    const list = (await res.json()) as SampleImageList;
    assert.deepEqual(
      list.images.map((i) => [i.name, i.mediaType]),
      [
        ['digit_0.png', 'image/png'],
        ['digit_7.png', 'image/png'],
      ],
    );
    assert.equal(list.skipped, 1, 'the 600 KB file');
    assert.deepEqual(Buffer.from(list.images[0].base64, 'base64').subarray(1, 4).toString(), 'PNG');
  });

  it('is the owner’s: no token is 401', async () => {
    assert.equal((await fetch(`${server.url}/api/sample-images`)).status, 401);
  });

  it('is empty for a model without an image input', async () => {
    const res = await fetch(`${tabular.url}/api/sample-images`, { headers: { Authorization: `Bearer ${tabular.ownerToken}` } });
    assert.deepEqual(await res.json(), { folder: null, images: [], skipped: 0 });
  });
});
