/**
 * The request shapes users paste from TF Serving / KServe v1 and MLflow, against real models: named
 * features give decoded predictions, tensors give raw output rows.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const iris = JSON.parse(readFileSync(repoPath('samples/iris/expected.json'), 'utf8'));
const FEATURES = ['sepal length (cm)', 'sepal width (cm)', 'petal length (cm)', 'petal width (cm)'];

function assertIrisPredictions(predictions: { label: string; probabilities: Record<string, number> }[], count: number): void {
  assert.equal(predictions.length, count);
  predictions.forEach((p, i) => {
    const expected = iris.predictions[i];
    assert.equal(p.label, expected.label, `row ${i}`);
    for (const [cls, prob] of Object.entries(expected.probabilities as Record<string, number>)) {
      assert.ok(Math.abs(p.probabilities[cls] - prob) < 1e-4, `row ${i} ${cls}: ${p.probabilities[cls]} vs ${prob}`);
    }
  });
}

describe('v1 and MLflow on iris', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/iris/iris.onnx'));
  });
  after(() => server.close());

  test('GET /v1/models/iris reports AVAILABLE (TF Serving) and ready (KServe v1); GET /v1/models lists it', async () => {
    const res = await fetch(`${server.url}/v1/models/iris`);
    assert.deepEqual(await res.json(), {
      name: 'iris',
      ready: true,
      model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
    assert.equal((await fetch(`${server.url}/v1/models/other`)).status, 404);
    assert.deepEqual(await (await fetch(`${server.url}/v1/models`)).json(), { models: ['iris'] });
  });

  test('GET /v1/models/iris/metadata: the signature as TF Serving spells it; versions as its clients send them', async () => {
    const res = await fetch(`${server.url}/v1/models/iris/metadata`);
    assert.equal(res.status, 200);
    const meta = await res.json();
    assert.deepEqual(meta.model_spec, { name: 'iris', signature_name: '', version: '1' });
    const signature = meta.metadata.signature_def.signature_def.serving_default;
    assert.equal(signature.method_name, 'tensorflow/serving/predict');
    assert.deepEqual(signature.inputs.float_input, {
      dtype: 'DT_FLOAT',
      tensor_shape: {
        dim: [
          { size: '-1', name: '' },
          { size: '4', name: '' },
        ],
        unknown_rank: false,
      },
      name: 'float_input',
    });
    assert.equal(signature.outputs.output_label.dtype, 'DT_STRING'); // the class names
    // The same through /versions/1, and a version that does not exist is a 404.
    assert.deepEqual(await (await fetch(`${server.url}/v1/models/iris/versions/1/metadata`)).json(), meta);
    assert.equal((await fetch(`${server.url}/v1/models/iris/versions/1`)).status, 200);
    assert.equal((await fetch(`${server.url}/v1/models/iris/versions/7/metadata`)).status, 404);
    assert.equal((await fetch(`${server.url}/v1/models/other/metadata`)).status, 404);
    const byVersion = await postJson(`${server.url}/v1/models/iris/versions/1:predict`, { instances: iris.inputs.float_input.data });
    assert.equal(byVersion.status, 200, JSON.stringify(byVersion.json));
    assertIrisPredictions(byVersion.json.predictions, 5);
    const wrong = await postJson(`${server.url}/v1/models/iris/versions/7:predict`, { instances: iris.inputs.float_input.data });
    assert.equal(wrong.status, 404, JSON.stringify(wrong.json));
    const verb = await postJson(`${server.url}/v1/models/iris/versions/1:classify`, { instances: iris.inputs.float_input.data });
    assert.equal(verb.status, 404);
    assert.match(verb.json.error, /unknown v1 route/);
  });

  test("MLflow's health checks: GET /ping and /health answer 200", async () => {
    for (const path of ['/ping', '/health']) assert.equal((await fetch(server.url + path)).status, 200, path);
  });

  test('instances as lists in feature order', async () => {
    const { status, json } = await postJson(`${server.url}/v1/models/iris:predict`, { instances: iris.inputs.float_input.data });
    assert.equal(status, 200, JSON.stringify(json));
    assertIrisPredictions(json.predictions, 5);
  });

  test("curl -d's form type and fetch's text/plain carry JSON from tools (as TF Serving, Triton read them); not from pages", async () => {
    const v1 = JSON.stringify({ instances: iris.inputs.float_input.data });
    const oip = JSON.stringify({ inputs: [{ name: 'float_input', shape: [5, 4], datatype: 'FP32', data: iris.inputs.float_input.data }] });
    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(server.url + path, { method: 'POST', headers, body }).then(async (r) => ({ status: r.status, json: await r.json() }));
    for (const type of ['application/x-www-form-urlencoded', 'text/plain;charset=UTF-8']) {
      const a = await post('/v1/models/iris:predict', v1, { 'content-type': type });
      assert.equal(a.status, 200, `${type}: ${JSON.stringify(a.json)}`);
      assertIrisPredictions(a.json.predictions, 5);
      const b = await post('/v2/models/iris/infer', oip, { 'content-type': type });
      assert.equal(b.status, 200, `${type}: ${JSON.stringify(b.json)}`);
      assert.equal(b.json.outputs.length, 2);
      // Sent by a page (Origin, even the server's own): the type must say JSON.
      for (const path of ['/v1/models/iris:predict', '/v2/models/iris/infer']) {
        const c = await post(path, path.startsWith('/v1') ? v1 : oip, { 'content-type': type, origin: server.url });
        assert.equal(c.status, 415, `${path} ${type} with Origin`);
        assert.match(c.json.error, /application\/json/);
      }
      // MLflow's scoring server refuses other types (415), and so does /invocations.
      assert.equal((await post('/invocations', v1, { 'content-type': type })).status, 415, `/invocations ${type}`);
    }
    // A form body that is a form, not JSON: the JSON error, naming the position.
    const form = await post('/v1/models/iris:predict', 'instances=1', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 400);
    assert.match(form.json.error, /not valid JSON/);
  });

  test('instances as {feature: value} objects (extra keys ignored)', async () => {
    const instances = iris.records.map((r: Record<string, number>) => ({ ...r, species: 'unknown' }));
    const { status, json } = await postJson(`${server.url}/v1/models/iris:predict`, { instances });
    assert.equal(status, 200, JSON.stringify(json));
    assertIrisPredictions(json.predictions, 5);
  });

  test('inputs as a bare nested tensor → raw output rows', async () => {
    const { status, json } = await postJson(`${server.url}/v1/models/iris:predict`, { inputs: iris.inputs.float_input.data.slice(0, 2) });
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.predictions.length, 2);
    assert.equal(json.predictions[0].output_label, 'versicolor');
    assert.equal(json.predictions[0].output_probability.length, 3);
  });

  test('inputs as feature columns → decoded predictions', async () => {
    const inputs = Object.fromEntries(FEATURES.map((f, j) => [f, iris.inputs.float_input.data.map((row: number[]) => row[j])]));
    const { status, json } = await postJson(`${server.url}/v1/models/iris:predict`, { inputs });
    assert.equal(status, 200, JSON.stringify(json));
    assertIrisPredictions(json.predictions, 5);
  });

  test('v1 errors: neither/both keys, wrong row width, missing feature, bad value, unknown verb, wrong model', async () => {
    let res = await postJson(`${server.url}/v1/models/iris:predict`, { rows: [] });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /exactly one of "instances".*"inputs".*neither/);
    res = await postJson(`${server.url}/v1/models/iris:predict`, { instances: [[1, 2, 3, 4]], inputs: [[1, 2, 3, 4]] });
    assert.match(res.json.error, /has both/);
    res = await postJson(`${server.url}/v1/models/iris:predict`, {
      instances: [
        [1, 2, 3, 4],
        [1, 2, 3],
      ],
    });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /row 2, instances: expected 4 values in feature order \(sepal length \(cm\),/);
    res = await postJson(`${server.url}/v1/models/iris:predict`, {
      instances: [{ 'sepal length (cm)': 5, 'sepal width (cm)': 3, 'petal length (cm)': 1 }],
    });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /row 1, petal width \(cm\): missing/);
    res = await postJson(`${server.url}/v1/models/iris:predict`, { instances: [[5, 'wide', 1, 0.2]] });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /row 1, sepal width \(cm\): expected a float32 number, got "wide"/);
    res = await postJson(`${server.url}/v1/models/iris:classify`, { instances: [[5, 3, 1, 0.2]] });
    assert.equal(res.status, 404);
    assert.match(res.json.error, /:predict/);
    res = await postJson(`${server.url}/v1/models/flowers:predict`, { instances: [[5, 3, 1, 0.2]] });
    assert.equal(res.status, 404);
    assert.match(res.json.error, /model 'flowers' not found; this server serves 'iris'/);
  });

  test('MLflow dataframe_split, dataframe_records, instances, inputs', async () => {
    const data = iris.inputs.float_input.data;
    const bodies = [
      { dataframe_split: { columns: FEATURES, data } },
      { dataframe_split: { columns: [...FEATURES].reverse(), data: data.map((r: number[]) => [...r].reverse()) } },
      { dataframe_records: iris.records },
      { instances: data },
    ];
    for (const body of bodies) {
      const { status, json } = await postJson(`${server.url}/invocations`, body);
      assert.equal(status, 200, JSON.stringify(json));
      assertIrisPredictions(json.predictions, 5);
    }
    const viaPredict = await postJson(`${server.url}/predict`, { dataframe_records: iris.records });
    assertIrisPredictions(viaPredict.json.predictions, 5);
  });

  test('MLflow CSV body', async () => {
    const csv = readFileSync(repoPath('samples/iris/reference.csv'), 'utf8').split('\n').slice(0, 6).join('\n');
    const res = await fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
    const json = await res.json();
    assert.equal(res.status, 200, JSON.stringify(json));
    assertIrisPredictions(json.predictions, 5);
    const bad = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${FEATURES.map((f) => `"${f}"`).join(',')}\n1,2,3,4\n1,x,3,4\n`,
    });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error, 'line 3, column sepal width (cm): expected a float32 number, got "x"');
  });

  test('MLflow errors: none or two keys, ragged split, wrong content type', async () => {
    let res = await postJson(`${server.url}/invocations`, { data: [] });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /exactly one of "dataframe_split", "dataframe_records", "instances", "inputs"; the body has none/);
    res = await postJson(`${server.url}/invocations`, { instances: [[1, 2, 3, 4]], dataframe_records: [] });
    assert.match(res.json.error, /"dataframe_records" and "instances"/);
    res = await postJson(`${server.url}/invocations`, { dataframe_split: { columns: FEATURES, data: [[1, 2, 3]] } });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /row 1, dataframe_split.data: has 3 values but "columns" names 4/);
    const xml = await fetch(`${server.url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
    assert.equal(xml.status, 415);
  });
});

describe('v1 on column-per-feature and tensor-only models', () => {
  test('flights (one [N,1] input per column, strings and ints): objects and positional rows', async () => {
    const server = await startTestServer(repoPath('samples/flights/flights.onnx'));
    try {
      const row = { carrier: 'DL', origin: 'DEN', distance: 526, dep_hour: 22, day_of_week: 0 };
      const a = await postJson(`${server.url}/v1/models/flights:predict`, { instances: [row] });
      assert.equal(a.status, 200, JSON.stringify(a.json));
      assert.ok(['on_time', 'delayed'].includes(a.json.predictions[0].label));
      assert.deepEqual(Object.keys(a.json.predictions[0].probabilities), ['on_time', 'delayed']);
      const b = await postJson(`${server.url}/v1/models/flights:predict`, { instances: [['DL', 'DEN', 526, 22, 0]] });
      assert.deepEqual(b.json, a.json);
      const c = await postJson(`${server.url}/v1/models/flights:predict`, { instances: [{ ...row, dep_hour: 22.5 }] });
      assert.equal(c.status, 400);
      assert.match(c.json.error, /dep_hour: expected an integer \(int64\), got 22.5/);
    } finally {
      await server.close();
    }
  });

  test('nhwc_image (image input): nested tensor rows and {input: value} objects give raw outputs', async () => {
    const server = await startTestServer(repoPath('test/fixtures/models/nhwc_image.onnx'));
    try {
      const pixel = (r: number, g: number, b: number) => Array.from({ length: 4 }, () => Array.from({ length: 4 }, () => [r, g, b]));
      const { status, json } = await postJson(`${server.url}/v1/models/nhwc_image:predict`, {
        instances: [pixel(1, 2, 3), pixel(4, 5, 6)],
      });
      assert.equal(status, 200, JSON.stringify(json));
      assert.equal(json.predictions.length, 2);
      assert.equal(typeof json.predictions[0], 'object');
      const objects = await postJson(`${server.url}/v1/models/nhwc_image:predict`, { inputs: { pixels: [pixel(1, 2, 3)] } });
      assert.equal(objects.status, 200, JSON.stringify(objects.json));
      const wrong = await postJson(`${server.url}/v1/models/nhwc_image:predict`, { inputs: { pixels: [[[1, 2, 3]]] } });
      assert.equal(wrong.status, 400);
      assert.match(wrong.json.error, /input 'pixels': expected shape \[-1,4,4,3\], got \[1,1,3\]/);
    } finally {
      await server.close();
    }
  });

  test('multi_output: tensor instances give {output: row} per row', async () => {
    const server = await startTestServer(repoPath('test/fixtures/models/multi_output.onnx'));
    try {
      const { status, json } = await postJson(`${server.url}/v1/models/multi_output:predict`, {
        inputs: {
          x: [
            [1, 2],
            [3, 4],
          ],
        },
      });
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(json.predictions, [
        { doubled: [2, 4], total: [3], seq_dims: [1, 2, 2, 4] },
        { doubled: [6, 8], total: [7], seq_dims: [3, 4, 6, 8] },
      ]);
      const rows = await postJson(`${server.url}/v1/models/multi_output:predict`, { instances: [[1, 2]] });
      assert.equal(rows.status, 200, JSON.stringify(rows.json));
      assert.notEqual(rows.json.predictions[0].value, undefined);
    } finally {
      await server.close();
    }
  });
});
