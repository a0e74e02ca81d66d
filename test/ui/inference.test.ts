/**
 * The UI's request building and answer reading (webview/app/predict/inference.ts, validate.ts, page.ts), run in
 * Node against real models: form values as a person types them → OIP request → real onnxruntime →
 * OIP answer → the prediction the UI would show, compared with the sample's sklearn/torch expectations.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, type LoadedModel } from '../../server/model/index';
import { DTYPE_OF_OIP, type OipInferRequest, type OipInferResponse } from '../../server/protocol/api';
import { flatten, tensorFromValues, type PlainTensor } from '../../server/protocol/codec';
import type { Feature } from '../../server/protocol/signature';
import { buildInferRequest, curlCommand, defaultRawJson, readInferResponse, toOipTensor } from '../../webview/app/predict/inference';
import { fieldOfError, validateFeatureValue } from '../../webview/app/predict/validate';
import { renderUiPage } from '../../server/protocol/ui-page';
import type { FieldValue } from '../../webview/app/persisted-state';

const root = join(import.meta.dirname, '..', '..');

interface Expected {
  tolerance: number;
  records: Record<string, unknown>[];
  predictions: { label: string; probabilities: Record<string, number> }[];
}

/** What the server does with an OIP request, done directly on the loaded model. */
async function answer(model: LoadedModel, request: OipInferRequest): Promise<OipInferResponse> {
  const inputs: PlainTensor[] = request.inputs.map((t) =>
    tensorFromValues(
      t.name,
      DTYPE_OF_OIP[t.datatype],
      t.shape,
      flatten(
        t.data,
        t.shape.reduce((a, b) => a * b, 1),
        t.name,
      ),
    ),
  );
  const outputs = await model.run(inputs);
  return { model_name: model.info.name, id: '1', outputs: outputs.map(toOipTensor) };
}

/** Form values as the form holds them: numbers as the text typed. */
function typed(record: Record<string, unknown>): Record<string, FieldValue> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'boolean' ? v : String(v)]));
}

for (const sample of [
  { name: 'flights', model: 'samples/flights/flights.onnx', reference: 'samples/flights/reference.csv' },
  { name: 'breast-cancer', model: 'samples/breast-cancer/breast_cancer.onnx', reference: 'samples/breast-cancer/reference.csv' },
]) {
  describe(`UI request/answer round trip: ${sample.name}`, () => {
    let model: LoadedModel;
    const expected = JSON.parse(readFileSync(join(root, 'samples', sample.name, 'expected.json'), 'utf8')) as Expected;
    before(async () => {
      model = await loadModel(join(root, sample.model), { referenceCsv: join(root, sample.reference) });
    });
    after(async () => {
      await model?.dispose();
    });

    it('encodes typed form values so the real model predicts what the training library did', async () => {
      for (const [i, record] of expected.records.entries()) {
        const want = expected.predictions[i];
        if (!want) continue;
        const request = buildInferRequest(model.signature, typed(record));
        assert.deepEqual(
          request.inputs.map((t) => t.name),
          model.signature.inputs.map((b) => b.tensor),
          'inputs in model order',
        );
        const { prediction } = readInferResponse(model.signature, await answer(model, request));
        assert.equal(prediction.label, want.label, `row ${i + 1} label`);
        for (const [cls, p] of Object.entries(want.probabilities)) {
          assert.ok(
            Math.abs((prediction.probabilities?.[cls] ?? NaN) - p) <= expected.tolerance,
            `row ${i + 1} P(${cls}) = ${prediction.probabilities?.[cls]}, want ${p}`,
          );
        }
      }
    });

    it('writes float32 values as the short decimals that were typed', () => {
      const request = buildInferRequest(model.signature, typed(expected.records[0]));
      const floats = request.inputs.filter((t) => t.datatype === 'FP32').flatMap((t) => t.data as number[]);
      const typedNumbers = Object.values(expected.records[0]).filter((v): v is number => typeof v === 'number');
      for (const v of floats) assert.ok(typedNumbers.includes(v), `${v} is one of the typed numbers`);
    });
  });
}

describe('field validation (same rules as the codec)', () => {
  const num: Feature = { name: 'distance', kind: 'number', input: 'distance', example: 526 };
  const int: Feature = { name: 'dep_hour', kind: 'integer', input: 'dep_hour' };
  const cat: Feature = { name: 'carrier', kind: 'category', input: 'carrier', categories: ['AA', 'DL'] };

  it('accepts well-formed values', () => {
    assert.equal(validateFeatureValue(num, 'float32', ' 12.5 '), null);
    assert.equal(validateFeatureValue(int, 'int64', '7'), null);
    assert.equal(validateFeatureValue(cat, 'string', 'DL'), null);
  });

  it('says what is wrong and what to type instead', () => {
    assert.match(validateFeatureValue(num, 'float32', 'abc')!, /"abc" is not a number.*e\.g\. 526/);
    assert.match(validateFeatureValue(num, 'float32', '')!, /Required/);
    assert.match(validateFeatureValue(int, 'int64', '1.5')!, /whole number.*int64/);
    assert.match(validateFeatureValue({ ...num, kind: 'integer' }, 'int8', '300')!, /out of range for int8/);
    assert.match(validateFeatureValue(cat, 'string', 'ZZ')!, /not one of the known values \(AA, DL\)/);
  });

  it('maps server messages to the field they start with, longest name first', () => {
    assert.equal(fieldOfError('dep_hour: expected an integer (int64), got 1.5', ['dep', 'dep_hour']), 'dep_hour');
    assert.equal(fieldOfError('row 1, carrier: expected a string', ['carrier']), 'carrier');
    assert.equal(fieldOfError('model is reloading', ['carrier']), null);
  });
});

describe('raw tensors and curl', () => {
  const signature = {
    source: 'generated' as const,
    task: 'raw' as const,
    features: [],
    outputs: [],
    notes: [],
    batch: { dynamic: true },
    inputs: [{ tensor: 'x', dtype: 'float32' as const, dims: [null, 3], kind: 'raw' as const, features: [] }],
  };

  it('offers a zero row of the declared shape and checks fixed dimensions', () => {
    assert.equal(defaultRawJson(signature.inputs[0]), '[[0,0,0]]');
    const request = buildInferRequest(signature, { '@tensor:x': '[[1, 2.5, 3]]' });
    assert.deepEqual(request.inputs[0], { name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2.5, 3] });
    assert.throws(() => buildInferRequest(signature, { '@tensor:x': '[[1, 2]]' }), /x: dimension 1 must be 3, got 2/);
    assert.throws(() => buildInferRequest(signature, { '@tensor:x': '[[1, 2' }), /x: not valid JSON/);
  });

  it('builds a curl command a real shell passes through unchanged, quotes and all', () => {
    const request: OipInferRequest = { inputs: [{ name: "it's", shape: [1, 1], datatype: 'BYTES', data: ['O\'Hare "quoted" $HOME `x`'] }] };
    const command = curlCommand('http://127.0.0.1:9', '/v2/models/m/infer', request, 'tok en');
    // Replace curl by a function printing its arguments, one per line, NUL-free.
    const args = execFileSync('/bin/sh', ['-c', `curl() { for a in "$@"; do printf '%s\\n--\\n' "$a"; done; }\n${command}`], {
      encoding: 'utf8',
    })
      .split('\n--\n')
      .filter(Boolean);
    assert.deepEqual(args.slice(0, 4), ['-s', '-X', 'POST', 'http://127.0.0.1:9/v2/models/m/infer']);
    assert.ok(args.includes('Authorization: Bearer tok en'));
    assert.deepEqual(JSON.parse(args[args.indexOf('-d') + 1]), request);
  });
});

describe('renderUiPage', () => {
  const base = {
    scriptUri: '/assets/main.js',
    styleUri: '/assets/main.css',
    nonce: 'abcdefghijklmnop1234',
    cspSource: "'self'",
    serverOrigin: '',
    title: '<flights> & co',
  };

  it('has a nonce CSP, no inline handlers, and the config in a meta tag', () => {
    // Attribute values escape ' as &#39; (escapeHtml); read the CSP as the browser decodes it.
    const html = renderUiPage({ ...base, serverOrigin: 'http://127.0.0.1:7000', token: 'se"cret' }).replace(/&#39;/g, "'");
    const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];
    assert.match(csp, /default-src 'none'; script-src 'nonce-abcdefghijklmnop1234'; style-src 'self' 'nonce-abcdefghijklmnop1234'/);
    assert.match(csp, /connect-src http:\/\/127\.0\.0\.1:7000/);
    assert.doesNotMatch(html, /\son[a-z]+=/i);
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="abcdefghijklmnop1234" src="\/assets\/main\.js">/);
    assert.match(html, /<title>&lt;flights&gt; &amp; co<\/title>/);
    const config = /name="model-lab-config" content="([^"]+)"/
      .exec(html)![1]
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
    assert.deepEqual(JSON.parse(config), { serverOrigin: 'http://127.0.0.1:7000', token: 'se"cret' });
  });

  it("uses 'self' for connect-src on the same origin and refuses a weak nonce", () => {
    assert.match(renderUiPage(base).replace(/&#39;/g, "'"), /connect-src 'self'/);
    assert.throws(() => renderUiPage({ ...base, nonce: "x' 'unsafe-inline" }), /nonce must be/);
  });
});
