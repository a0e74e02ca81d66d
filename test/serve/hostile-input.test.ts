/**
 * Hostile input never costs more than it says (issue 9 §4): shapes that promise more elements than the
 * bytes sent, nesting thousands deep, numbers outside their datatype, huge CSV headers, oversized bodies
 * on the small /api routes. Each answer is a 4xx naming the field, and comes without the server first
 * allocating or walking what the request only claims. A request timeout detects a hang.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

/** Fails the test (instead of hanging it) when the server takes longer than this to answer. */
const HANG = 15_000;

function binaryRequest(url: string, header: unknown, tail: Uint8Array = new Uint8Array(0)): Promise<Response> {
  const json = Buffer.from(JSON.stringify(header));
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) },
    body: Buffer.concat([json, tail]),
    signal: AbortSignal.timeout(HANG),
  });
}

function deeplyNested(depth: number, leaf: unknown = 1): string {
  return '['.repeat(depth) + JSON.stringify(leaf) + ']'.repeat(depth);
}

describe('allocation before validation (flights: string and int64 inputs)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/flights/flights.onnx'));
  });
  after(() => server.close());

  test('the 107-byte binary BYTES request with shape [50000000,1] and binary_data_size 0 is a 400 at once', async () => {
    const header = { inputs: [{ name: 'carrier', shape: [50000000, 1], datatype: 'BYTES', parameters: { binary_data_size: 0 } }] };
    const res = await binaryRequest(`${server.url}/v2/models/flights/infer`, header);
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.match(body.error, /input 'carrier'/);
    assert.match(body.error, /4 bytes|more than/);
  });

  test('BYTES elements are checked against the bytes sent, also below the element limit', async () => {
    const header = { inputs: [{ name: 'carrier', shape: [1000, 1], datatype: 'BYTES', parameters: { binary_data_size: 8 } }] };
    const res = await binaryRequest(`${server.url}/v2/models/flights/infer`, header, new Uint8Array(8));
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /1000 BYTES elements/);
  });

  test('a shape of 2^32 elements or more is a 400, not a 500, in binary and JSON requests', async () => {
    for (const shape of [
      [2 ** 32, 1],
      [2 ** 53, 1],
      [1e300, 1],
    ]) {
      const binary = await binaryRequest(`${server.url}/v2/models/flights/infer`, {
        inputs: [{ name: 'carrier', shape, datatype: 'BYTES', parameters: { binary_data_size: 0 } }],
      });
      assert.equal(binary.status, 400, JSON.stringify(shape));
      const json = await postJson(`${server.url}/v2/models/flights/infer`, {
        inputs: [{ name: 'carrier', shape, datatype: 'BYTES', data: ['AA'] }],
      });
      assert.equal(json.status, 400, JSON.stringify(shape));
    }
  });

  test('INT64 beyond 2^63 and integers above 2^53 are 400s naming the input, never silently rounded', async () => {
    for (const raw of ['9223372036854775808', '9007199254740993']) {
      const body = `{"inputs":[{"name":"dep_hour","shape":[1,1],"datatype":"INT64","data":[${raw}]}]}`;
      const res = await postJson(`${server.url}/v2/models/flights/infer`, body);
      assert.equal(res.status, 400, raw);
      assert.match(res.json.error, /dep_hour/, raw);
      assert.match(res.json.error, /2\^53|out of range/, raw);
    }
    const asString = await postJson(`${server.url}/v2/models/flights/infer`, {
      inputs: [{ name: 'dep_hour', shape: [1, 1], datatype: 'INT64', data: ['9223372036854775808'] }],
    });
    assert.equal(asString.status, 400);
    assert.match(asString.json.error, /dep_hour.*out of range for int64/);
  });
});

describe('element counts and nesting (breast_cancer: FP32 [batch,30])', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/breast-cancer/breast_cancer.onnx'));
  });
  after(() => server.close());
  const infer = (body: unknown) => postJson(`${server.url}/v2/models/breast_cancer/infer`, body);

  test('shape [1e8,30] is a 400 naming the input, in JSON and in the binary extension', async () => {
    const json = await infer({ inputs: [{ name: 'input', shape: [1e8, 30], datatype: 'FP32', data: [1] }] });
    assert.equal(json.status, 400);
    assert.match(json.json.error, /input 'input'.*more than 16777216 elements/);
    const binary = await binaryRequest(`${server.url}/v2/models/breast_cancer/infer`, {
      inputs: [{ name: 'input', shape: [1e8, 30], datatype: 'FP32', parameters: { binary_data_size: 0 } }],
    });
    assert.equal(binary.status, 400);
  });

  test('data nested 12,000 levels deep is a 400, in OIP data and v1 inputs', async () => {
    const oip = `{"inputs":[{"name":"input","shape":[1,30],"datatype":"FP32","data":${deeplyNested(12_000)}}]}`;
    const res = await infer(oip);
    assert.equal(res.status, 400);
    assert.match(res.json.error, /input 'input'/);
    const v1 = await postJson(`${server.url}/v1/models/breast_cancer:predict`, `{"inputs":${deeplyNested(12_000)}}`);
    assert.equal(v1.status, 400);
    const instances = await postJson(`${server.url}/v1/models/breast_cancer:predict`, `{"instances":[${deeplyNested(12_000)}]}`);
    assert.equal(instances.status, 400);
  });

  test('FP32 values beyond float32 range are a 400 naming the field, not null probabilities', async () => {
    const data = Array.from({ length: 30 }, (_, i) => (i === 3 ? 1e39 : 1));
    const res = await infer({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data }] });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /input\[3\].*out of range for float32/);
    const v1 = await postJson(`${server.url}/v1/models/breast_cancer:predict`, { instances: [data.map((v) => -v)] });
    assert.equal(v1.status, 400);
  });

  test('a 20 MB CSV header sent to /invocations is a 400 whose body is under 1 KB', async () => {
    const header = Array.from({ length: 2_000_000 }, (_, i) => `c${i}`).join(',');
    const res = await fetch(`${server.url}/invocations`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `${header}\n1,2,3\n`,
      signal: AbortSignal.timeout(HANG),
    });
    assert.equal(res.status, 400);
    const text = await res.text();
    assert.ok(text.length < 1024, `error body is ${text.length} bytes`);
    assert.match(JSON.parse(text).error, /header row is longer than/);
  });

  test('a 20 MB key in a v1 instance is quoted, not echoed', async () => {
    const res = await fetch(`${server.url}/v1/models/breast_cancer:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [{ ['x'.repeat(20_000_000)]: 1 }] }),
      signal: AbortSignal.timeout(HANG),
    });
    assert.equal(res.status, 400);
    assert.ok((await res.text()).length < 2048);
  });

  test('the job routes refuse a 1 MiB body with 413 while reading it', async () => {
    const body = JSON.stringify({ source: 'files', reference: 'a.csv', current: 'b.csv', pad: 'x'.repeat(1024 * 1024) });
    for (const path of ['/api/jobs/drift', '/api/jobs/perf']) {
      const res = await postJson(server.url + path, body, server.ownerHeaders);
      assert.equal(res.status, 413, path);
      assert.match(res.json.error, /larger than the limit/, path);
    }
  });
});

describe('the element limit is configurable', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/breast-cancer/breast_cancer.onnx'), { app: { maxElements: 100 } });
  });
  after(() => server.close());

  test('4 rows × 30 features exceed a limit of 100 elements on every route', async () => {
    const row = Array.from({ length: 30 }, () => 1);
    const oip = await postJson(`${server.url}/v2/models/breast_cancer/infer`, {
      inputs: [{ name: 'input', shape: [4, 30], datatype: 'FP32', data: [row, row, row, row] }],
    });
    assert.equal(oip.status, 400);
    assert.match(oip.json.error, /more than 100 elements/);
    const v1 = await postJson(`${server.url}/v1/models/breast_cancer:predict`, { instances: [row, row, row, row] });
    assert.equal(v1.status, 400);
    assert.match(v1.json.error, /100 elements/);
    const ok = await postJson(`${server.url}/v1/models/breast_cancer:predict`, { instances: [row, row, row] });
    assert.equal(ok.status, 200);
  });
});

describe('server faults leak nothing', () => {
  let server: TestServer;
  const logged: string[] = [];
  before(async () => {
    server = await startTestServer(repoPath('samples/breast-cancer/breast_cancer.onnx'), {
      app: {
        logError: (m) => {
          logged.push(m);
        },
      },
    });
  });
  after(() => server.close());

  test('a 5xx says "internal server error" with an id; the details (paths, stack) only reach the log', async () => {
    const original = server.host.infer.bind(server.host);
    server.host.infer = async () => {
      throw new Error('boom at /home/someone/secret/model.onnx concatbase.h:133');
    };
    try {
      const row = Array.from({ length: 30 }, () => 1);
      const res = await postJson(`${server.url}/v1/models/breast_cancer:predict`, { instances: [row] });
      assert.equal(res.status, 500);
      assert.match(res.json.error, /^internal server error \(error id ([0-9a-f]+)/);
      assert.doesNotMatch(res.json.error, /secret|concatbase|boom/);
      const id = /error id ([0-9a-f]+)/.exec(res.json.error)![1];
      assert.ok(
        logged.some((line) => line.includes(id) && line.includes('boom')),
        'the log has the details under the same id',
      );
    } finally {
      server.host.infer = original;
    }
  });
});
