/**
 * The local server is not open to every web page (issue 9 §3), on a real server on an ephemeral port:
 * a foreign `Host` (DNS rebinding) → 403; a job route with a missing or non-JSON `Content-Type` → 415;
 * a foreign `Origin` on a state-changing route → 403; the `/api/*` job routes need the owner token even
 * without `--require-token`, while prediction and metadata stay open to plain curl on loopback; a share
 * token cannot start, read, list or cancel jobs and sees no absolute path; drift reads only `.csv`
 * files (and `.onnx` models) — a `.env` beside the model is refused.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { redactPaths } from '../../server/serve/share-view';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

/** A request with exactly the headers given (fetch may not set `Host`, and adds a Content-Type to string bodies). */
function rawRequest(
  url: string,
  options: { method?: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers ?? {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const IRIS_INFER = { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] };

describe('local access rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-access-'));
  const model = join(dir, 'iris.onnx');
  const reference = join(dir, 'reference.csv');
  let server: TestServer;
  let port = '';

  before(async () => {
    copyFileSync(repoPath('samples/iris/iris.onnx'), model);
    copyFileSync(repoPath('samples/iris/reference.csv'), reference);
    writeFileSync(join(dir, '.env'), 'SECRET_KEY=do-not-read-me\n');
    writeFileSync(join(dir, 'notes.txt'), 'a\n1\n2\n');
    symlinkSync(join(dir, '.env'), join(dir, 'looks-like-data.csv'));
    server = await startTestServer(model, {
      host: { referenceCsv: reference, watch: false },
      app: { uiAssetsDir: repoPath('dist/webview'), driftRoots: [dir] },
    });
    port = new URL(server.url).port;
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a foreign Host header is refused with 403 on every route; loopback names with any port pass', async () => {
    for (const path of ['/v2/health/ready', '/api/model', '/v2/models/iris', '/']) {
      const res = await rawRequest(server.url, { path, headers: { host: `rebind.evil.example:${port}` } });
      assert.equal(res.status, 403, path);
      assert.match(JSON.parse(res.text).error, /Host header/);
    }
    const infer = await rawRequest(server.url, {
      method: 'POST',
      path: '/v2/models/iris/infer',
      headers: { host: `rebind.evil.example:${port}`, 'content-type': 'application/json' },
      body: JSON.stringify(IRIS_INFER),
    });
    assert.equal(infer.status, 403);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, 'localhost']) {
      assert.equal((await rawRequest(server.url, { path: '/v2/health/ready', headers: { host } })).status, 200, host);
    }
  });

  test('job routes refuse a missing or non-JSON Content-Type with 415, owner token or not', async () => {
    for (const path of ['/api/jobs/export', '/api/jobs/perf', '/api/jobs/drift', '/api/export/precheck']) {
      for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded']) {
        for (const auth of [{}, server.ownerHeaders]) {
          const headers: Record<string, string> = { host: `127.0.0.1:${port}`, ...auth, ...(type ? { 'content-type': type } : {}) };
          const res = await rawRequest(server.url, { method: 'POST', path, headers, body: '{"targets":["onnx"]}' });
          assert.equal(res.status, 415, `${path} ${type ?? '(no Content-Type)'}`);
          assert.match(JSON.parse(res.text).error, /application\/json/);
        }
      }
    }
  });

  test('a foreign Origin on a state-changing route is refused with 403; allowed and own origins pass', async () => {
    const evil = { origin: 'https://evil.example', 'content-type': 'application/json' };
    assert.equal((await postJson(`${server.url}/v2/models/iris/infer`, IRIS_INFER, evil)).status, 403);
    const job = await postJson(`${server.url}/api/jobs/perf`, { variants: ['fp16'] }, evil);
    assert.equal(job.status, 403);
    assert.match(job.json.error, /other origins/);
    assert.equal((await postJson(`${server.url}/v2/models/iris/infer`, IRIS_INFER, { origin: server.url })).status, 200);
    assert.equal((await postJson(`${server.url}/v2/models/iris/infer`, IRIS_INFER, { origin: 'vscode-webview://panel' })).status, 200);
  });

  test('without --require-token: job and file routes need the owner token; prediction and metadata need none', async () => {
    const refused = [
      ['GET', '/api/perf'],
      ['GET', '/api/drift/files'],
      ['GET', '/api/drift/live'],
      ['GET', '/api/export'],
      ['GET', '/api/share'],
      ['GET', '/api/jobs'],
      ['GET', '/api/jobs?kind=drift'],
      ['GET', '/api/jobs/some-job'],
      ['GET', '/api/jobs/some-job/events'],
      ['DELETE', '/api/jobs/some-job'],
    ] as const;
    for (const [method, path] of refused) {
      const res = await fetch(server.url + path, { method });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.match(((await res.json()) as { error: string }).error, /owner token/);
    }
    for (const path of ['/api/jobs/export', '/api/jobs/perf', '/api/jobs/drift', '/api/export/precheck', '/api/share']) {
      assert.equal((await postJson(server.url + path, {})).status, 401, path);
    }
    assert.equal((await fetch(`${server.url}/api/no-such-route`)).status, 404, 'no route: a 404 for everyone');
    assert.equal((await postJson(`${server.url}/v2/models/iris/infer`, IRIS_INFER)).status, 200);
    for (const path of ['/v2/models/iris', '/v2/health/ready', '/api/model', '/metrics', '/openapi.json', '/docs', '/']) {
      assert.equal((await fetch(server.url + path)).status, 200, path);
    }
    // The owner's token, as a header or in the URL the CLI prints, opens them.
    assert.equal((await fetch(`${server.url}/api/perf`, { headers: server.ownerHeaders })).status, 200);
    assert.equal((await fetch(`${server.url}/api/drift/files?token=${server.ownerToken}`)).status, 200);
  });

  test('the UI page embeds the owner token only when it was opened with it', async () => {
    const withToken = await (await fetch(`${server.url}/?token=${server.ownerToken}`)).text();
    assert.ok(withToken.includes(server.ownerToken));
    const without = await (await fetch(`${server.url}/`)).text();
    assert.ok(!without.includes(server.ownerToken));
    const wrong = await (await fetch(`${server.url}/?token=${'x'.repeat(43)}`)).text();
    assert.ok(!wrong.includes('x'.repeat(43)), 'an invalid token is not echoed into the page');
  });

  test('drift reads only .csv/.parquet files the owner named, and only .onnx models: .env and symlinks to it are refused', async () => {
    const start = (body: object) => postJson(`${server.url}/api/jobs/drift`, { source: 'files', ...body }, server.ownerHeaders);
    for (const [field, body] of [
      ['reference', { reference: join(dir, '.env'), current: reference }],
      ['current', { reference, current: join(dir, 'notes.txt') }],
      ['current', { reference, current: join(dir, 'looks-like-data.csv') }],
      ['options.model', { reference, current: reference, options: { model: reference } }],
      ['options.model', { reference, current: reference, options: { model: join(dir, '.env') } }],
    ] as const) {
      const res = await start(body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.json.error, new RegExp(`^${field.replace('.', '\\.')}: .* is not a (\\.csv, .* or \\.parquet|\\.onnx) file`));
      assert.doesNotMatch(JSON.stringify(res.json), /do-not-read-me/);
    }
    const files = (await (await fetch(`${server.url}/api/drift/files`, { headers: server.ownerHeaders })).json()) as {
      files: { relative: string }[];
    };
    assert.ok(!files.files.some((f) => f.relative === '.env' || f.relative === 'notes.txt'));
    assert.equal((await start({ reference, current: reference, options: { model } })).status, 202);
  });
});

describe('share-link scope', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-share-scope-'));
  const model = join(dir, 'iris.onnx');
  const reference = join(dir, 'reference.csv');
  let server: TestServer;
  let share: Record<string, string>;

  before(async () => {
    copyFileSync(repoPath('samples/iris/iris.onnx'), model);
    copyFileSync(repoPath('samples/iris/reference.csv'), reference);
    server = await startTestServer(model, {
      host: { referenceCsv: reference, watch: false },
      app: { uiAssetsDir: repoPath('dist/webview'), driftRoots: [dir] },
    });
    const minted = await postJson(`${server.url}/api/share`, { expiresInMinutes: 5 }, server.ownerHeaders);
    assert.equal(minted.status, 201, JSON.stringify(minted.json));
    share = { authorization: `Bearer ${minted.json.token}` };
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a share token cannot start, read, list or cancel jobs (/api/jobs*) nor use the lab routes', async () => {
    const job = await postJson(`${server.url}/api/jobs/drift`, { source: 'files', reference, current: reference }, server.ownerHeaders);
    assert.equal(job.status, 202, JSON.stringify(job.json));
    const id = job.json.id as string;
    const refused = [
      ['GET', '/api/jobs'],
      ['GET', '/api/jobs?kind=drift'],
      ['GET', '/api/jobs?kind=perf'],
      ['GET', `/api/jobs/${id}`],
      ['GET', `/api/jobs/${id}/events`],
      ['DELETE', `/api/jobs/${id}`],
      ['GET', '/api/jobs/any'],
      ['DELETE', '/api/jobs/any'],
      ['GET', '/api/perf'],
      ['GET', '/api/drift/files'],
      ['GET', '/api/drift/live'],
      ['GET', '/api/export'],
      ['GET', '/api/share'],
    ] as const;
    for (const [method, path] of refused) {
      const res = await fetch(server.url + path, { method, headers: share });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.match(((await res.json()) as { error: string }).error, /not for shared links/);
    }
    for (const [path, body] of [
      ['/api/jobs/perf', { variants: ['fp16'] }],
      ['/api/jobs/drift', { source: 'files', reference, current: reference }],
      ['/api/jobs/export', {}],
      ['/api/jobs/drift', { source: 'live' }],
      ['/api/export/precheck', {}],
      ['/api/perf/save', { id, variant: 'fp16' }],
      ['/api/share', {}],
    ] as const) {
      assert.equal((await postJson(server.url + path, body, share)).status, 403, path);
    }
    assert.equal((await fetch(`${server.url}/metrics`, { headers: share })).status, 403, "process details are the owner's");
    const owned = (await (await fetch(`${server.url}/api/jobs/${id}`, { headers: server.ownerHeaders })).json()) as { status: string };
    assert.notEqual(owned.status, 'cancelled', "the share token's DELETE did not cancel it");
    assert.equal(
      (await fetch(`${server.url}/api/jobs?kind=drift`, { headers: server.ownerHeaders })).status,
      200,
      'the owner still lists it',
    );
  });

  test('a share token sees no absolute path: model description, page, metadata, docs', async () => {
    const description = (await (await fetch(`${server.url}/api/model`, { headers: share })).json()) as {
      info: { path: string };
      reference: { path: string };
    };
    assert.equal(description.info.path, 'iris.onnx');
    assert.equal(description.reference.path, 'reference.csv');
    for (const path of ['/api/model', '/v2/models/iris', '/docs', '/openapi.json', `/?token=${share.authorization.slice(7)}`]) {
      const text = await (await fetch(server.url + path, { headers: share })).text();
      assert.ok(!text.includes(dir), `${path} shows ${dir}`);
    }
    // The owner (the editor's own panel, the drift tab) still gets the full path.
    const owned = (await (await fetch(`${server.url}/api/model`, { headers: server.ownerHeaders })).json()) as { info: { path: string } };
    assert.equal(owned.info.path, model);
  });

  test('paths inside event messages are cut to their file names', () => {
    assert.equal(
      redactPaths('cannot load /home/ana/models/iris.onnx: ENOENT (see C:\\Users\\ana\\x.csv)'),
      'cannot load …/iris.onnx: ENOENT (see …/x.csv)',
    );
    assert.equal(redactPaths('see http://127.0.0.1:8080/docs and rows 1/2'), 'see http://127.0.0.1:8080/docs and rows 1/2');
  });
});
