/**
 * UI page and assets (CSP, no traversal), /api/model, /api/events (SSE replay + live reload event),
 * /metrics, /openapi.json, /docs and unknown routes — on a real server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';
import { ROUTE_DOCS } from '../../server/serve/openapi/routes-table';

describe('UI, events and operations routes on flights', () => {
  let server: TestServer;
  let temp: string;
  before(async () => {
    temp = mkdtempSync(join(tmpdir(), 'model-lab-ui-'));
    const assets = join(temp, 'webview');
    mkdirSync(assets);
    writeFileSync(join(assets, 'main.js'), 'console.log("ui");');
    writeFileSync(join(assets, 'main.css'), 'body{}');
    writeFileSync(join(assets, '.secret.js'), 'hidden');
    writeFileSync(join(temp, 'outside.js'), 'outside');
    symlinkSync(join(temp, 'outside.js'), join(assets, 'link.js'));
    // A private copy, so the SSE test can change the reference CSV to make a real reload happen.
    copyFileSync(repoPath('samples/flights/flights.onnx'), join(temp, 'flights.onnx'));
    copyFileSync(repoPath('samples/flights/reference.csv'), join(temp, 'reference.csv'));
    server = await startTestServer(join(temp, 'flights.onnx'), {
      host: { referenceCsv: join(temp, 'reference.csv') },
      app: { uiAssetsDir: assets },
    });
  });
  after(async () => {
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  test('GET / serves the UI page with a nonce-based CSP that matches its script tag', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy')!;
    assert.match(
      csp,
      /default-src 'none'; script-src 'nonce-[^']+'; style-src 'self' 'nonce-[^']+'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'/,
    );
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    const html = await res.text();
    assert.ok(html.includes(`<script nonce="${nonce}" src="assets/main.js">`), html);
    const again = (await fetch(`${server.url}/`)).headers.get('content-security-policy');
    assert.notEqual(again, csp, 'a fresh nonce per response');
  });

  test('assets: files of the bundle only — no traversal, dotfiles, symlinks out or unknown types', async () => {
    const js = await fetch(`${server.url}/assets/main.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(js.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await js.text(), 'console.log("ui");');
    for (const path of [
      '/assets/..%2Foutside.js',
      '/assets/%2E%2E%2Foutside.js',
      '/assets/.secret.js',
      '/assets/link.js',
      '/assets/missing.js',
      '/assets/main.exe',
      '/assets/../outside.js',
    ]) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 404, path);
      assert.equal(typeof (await res.json()).error, 'string', path);
    }
  });

  test('GET /api/model describes the model for the UI', async () => {
    const body = await (await fetch(`${server.url}/api/model`)).json();
    assert.equal(body.info.name, 'flights');
    assert.deepEqual(
      body.signature.features.map((f: { name: string }) => f.name),
      ['carrier', 'origin', 'distance', 'dep_hour', 'day_of_week'],
    );
    assert.equal(body.inferPath, '/v2/models/flights/infer');
    assert.equal(body.generation, 1);
    assert.ok(!Number.isNaN(Date.parse(body.loadedAt)));
    assert.equal(typeof body.batching.enabled, 'boolean');
    assert.ok(body.reference.rows.length > 0);
  });

  test('GET /api/events replays recent events, then delivers a live reload', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/events`, { signal: controller.signal });
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { done, value } = await reader.read();
        if (done) throw new Error(`stream ended before ${pattern}: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    };
    await readUntil(/event: model-loaded\ndata: \{[^\n]*"generation":1/);
    const firstRow = readFileSync(join(temp, 'reference.csv'), 'utf8').split('\n')[1];
    appendFileSync(join(temp, 'reference.csv'), `${firstRow}\n`); // a changed file is what makes a reload real
    const reloaded = server.host.reload('test');
    await readUntil(/event: model-loaded\ndata: \{[^\n]*"generation":2/);
    assert.equal(await reloaded, 2);
    controller.abort();
    await reader.cancel().catch(() => undefined);
    const model = await (await fetch(`${server.url}/api/model`)).json();
    assert.equal(model.generation, 2);
  });

  test('GET /metrics after requests: http, inference, batch size, model info and process metrics', async () => {
    const infer = await postJson(`${server.url}/v1/models/flights:predict`, { instances: [['DL', 'DEN', 526, 22, 0]] });
    assert.equal(infer.status, 200);
    await fetch(`${server.url}/v2/models/nope`);
    const res = await fetch(`${server.url}/metrics`);
    assert.match(res.headers.get('content-type')!, /^text\/plain/);
    const text = await res.text();
    assert.match(text, /http_requests_total\{route="\/v1\/models\/:target",method="POST",status="200"\} [1-9]/);
    assert.match(text, /http_requests_total\{route="\/v2\/models\/:model",method="GET",status="404"\} 1/);
    assert.match(text, /http_request_duration_seconds_bucket\{le="[^"]+",route="\/v1\/models\/:target"/);
    assert.match(text, /inference_duration_seconds_count\{route="\/v1\/models\/:model:predict"\} [1-9]/);
    assert.match(text, /inference_batch_size_count [1-9]/);
    assert.match(text, /model_load_seconds_count [1-9]/);
    assert.match(text, /model_info\{name="flights",opset="13",producer="[^"]*",generation="\d+"\} 1/);
    assert.match(text, /process_cpu_user_seconds_total/);
    assert.doesNotMatch(text, /route="\/v2\/models\/nope"/, 'raw paths never become labels');
  });

  test('GET /openapi.json is OpenAPI 3.1 listing every route with its schemas', async () => {
    const doc = await (await fetch(`${server.url}/openapi.json`)).json();
    assert.equal(doc.openapi, '3.1.0');
    for (const route of ROUTE_DOCS) assert.ok(doc.paths[route.path]?.[route.method], `${route.method} ${route.path}`);
    const infer = doc.paths['/v2/models/{model}/infer'].post;
    assert.equal(infer.requestBody.content['application/json'].schema.$ref, '#/components/schemas/OipInferRequest');
    assert.equal(doc.components.schemas.OipInferRequest.properties.inputs.items.$ref, '#/components/schemas/OipRequestTensor');
    assert.ok(doc.components.schemas.OipRequestTensor.properties.datatype.enum.includes('FP16'));
    assert.ok(doc.paths['/v1/models/{model}:predict'].post.requestBody.content['application/json']);
    assert.deepEqual(
      infer.parameters.map((p: { name: string }) => p.name),
      ['model'],
    );
  });

  test('every documented GET route answers (docs cannot drift from the app)', async () => {
    // A job id exists only once a job has started: the job routes have their own tests.
    for (const route of ROUTE_DOCS.filter((r) => r.method === 'get' && r.path !== '/api/events' && !r.path.includes('{id}'))) {
      // The owner's token: the /api job routes need it (the others ignore it).
      const res = await fetch(server.url + route.path.replace('{model}', 'flights').replace('{version}', '1'), {
        headers: server.ownerHeaders,
      });
      assert.equal(res.status, 200, route.path);
      await res.arrayBuffer();
    }
  });

  test('GET /docs is a self-contained page with examples for this model that actually work', async () => {
    const res = await fetch(`${server.url}/docs`);
    assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
    const html = await res.text();
    assert.doesNotMatch(html, /<script/);
    assert.match(html, /\/v2\/models\/flights\/infer/);
    assert.match(html, /carrier/);
    // The OIP example is real: pull it out of the page and send it.
    const match = /-d &#39;(\{&quot;inputs&quot;.*?)&#39;/.exec(html);
    assert.ok(match, 'OIP example present');
    const entities: Record<string, string> = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
    const body = match[1].replace(/&(quot|#39|lt|gt|amp);/g, (entity) => entities[entity]);
    const infer = await postJson(`${server.url}/v2/models/flights/infer`, body);
    assert.equal(infer.status, 200, JSON.stringify(infer.json));
  });

  test('unknown routes and methods are JSON 404s', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/v2/models/flights'],
      ['GET', '/v2/models/flights/infer'],
    ] as const) {
      const res = await fetch(server.url + path, { method });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.match((await res.json()).error, /no route for/);
    }
  });
});

describe('GET / without a built UI bundle', () => {
  test('explains how to build it, still under a strict CSP', async () => {
    const server = await startTestServer(repoPath('samples/iris/iris.onnx'), {
      app: { uiAssetsDir: join(tmpdir(), 'model-lab-no-such-dir') },
    });
    try {
      const res = await fetch(`${server.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-security-policy')!, /^default-src 'none'/);
      const html = await res.text();
      assert.match(html, /npm run build/);
      assert.doesNotMatch(html, /<script/);
      assert.equal((await fetch(`${server.url}/assets/main.js`)).status, 404);
    } finally {
      await server.close();
    }
  });
});
