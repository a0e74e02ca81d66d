/**
 * The prediction fast path (server/serve/fast-path.ts) answers exactly as Hono does: one app (real iris
 * session), two real HTTP servers — Hono's listener alone, and the fast path in front of it, as
 * startServer builds it — the same good and bad requests to both, and status, headers and body compared.
 * Requests the fast path must leave to Hono (an Origin, a token, a foreign Host, share mode…) are
 * checked to be left, and still answered alike.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Registry } from 'prom-client';
import { createApp, fastPathOf } from '../../server/serve/app';
import { withFastPath } from '../../server/serve/fast-path';
import { createModelHost, type ModelHostImpl } from '../../server/serve/host-impl';
import { createMetrics } from '../../server/serve/metrics';
import type { ModelHost } from '../../server/serve/host';
import { mountLabRoutes } from '../../server/serve/lab-routes';
import { repoPath } from '../helpers/server';

const ADMIN = 'a'.repeat(43);
const ROW = [5.1, 3.5, 1.4, 0.2];
const OIP = JSON.stringify({ id: 'req-1', inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: ROW }] });

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Sent {
  method?: string;
  path: string;
  /** Raw header lines, sent as they are (repeated names allowed). `host` defaults to the server's. */
  headers?: [string, string][];
  body?: string | Buffer;
}

function send(port: number, sent: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lines = sent.headers ?? [['content-type', 'application/json']];
    const flat: string[] = [];
    if (!lines.some(([k]) => k.toLowerCase() === 'host')) flat.push('host', `127.0.0.1:${port}`);
    for (const [k, v] of lines) flat.push(k, v);
    const body = sent.body ?? '';
    flat.push('content-length', String(Buffer.byteLength(body)));
    const req = request(
      { host: '127.0.0.1', port, method: sent.method ?? 'POST', path: sent.path, headers: flat, setHost: false, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What must be equal: everything but the date, the timing figures and random error ids. */
function comparable(a: Answer): Answer {
  const headers = { ...a.headers };
  delete headers.date;
  if (headers['server-timing'] !== undefined) headers['server-timing'] = String(headers['server-timing']).replace(/[\d.]+/g, 'N');
  const body = a.body.replace(/error id [0-9a-f]+/g, 'error id X');
  // Content-Length follows the body, whose error ids differ in nothing but their digits.
  return { status: a.status, headers, body };
}

async function listen(listener: (req: IncomingMessage, res: ServerResponse) => unknown): Promise<Server> {
  const server = createServer((req, res) => void listener(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const portOf = (s: Server) => (s.address() as AddressInfo).port;

describe('prediction fast path vs Hono', () => {
  let host: ModelHostImpl;
  let registry: Registry;
  let honoOnly: Server;
  let withFast: Server;
  /** Whether the fast path took each request sent to `withFast`. */
  const taken: boolean[] = [];
  let failNext = false;

  before(async () => {
    registry = new Registry();
    const metrics = createMetrics(registry);
    host = await createModelHost(repoPath('samples/iris/iris.onnx'), { log: () => undefined, metrics });
    // A host whose next inference fails with a plain Error: the 500 answer (with its logged id) of both paths.
    const failing: ModelHost = Object.create(host) as ModelHost;
    failing.infer = (inputs, outputs) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('session exploded'));
      }
      return host.infer(inputs, outputs);
    };
    const app = createApp(failing, { logError: () => undefined, registry, auth: { adminToken: ADMIN }, bodyLimitBytes: 4096 });
    const fast = fastPathOf(app);
    assert.ok(fast, 'createApp registers a fast path');
    const hono = getRequestListener(app.fetch);
    honoOnly = await listen(hono);
    withFast = await listen(
      withFastPath((req, res) => {
        const took = fast(req, res);
        taken.push(took);
        return took;
      }, hono),
    );
  });
  after(async () => {
    honoOnly.close();
    withFast.close();
    await host.close();
  });

  /** Sends to both servers; asserts equal answers and whether the fast path took it; returns Hono's answer. */
  async function both(sent: Sent, expectFast: boolean, fail = false): Promise<Answer> {
    failNext = fail;
    const viaHono = await send(portOf(honoOnly), sent);
    failNext = fail;
    const before = taken.length;
    const viaFast = await send(portOf(withFast), sent);
    assert.equal(taken.length, before + 1);
    assert.equal(taken[before], expectFast, `fast path ${expectFast ? 'should take' : 'should leave'} ${sent.path}`);
    assert.deepEqual(comparable(viaFast), comparable(viaHono), `${sent.method ?? 'POST'} ${sent.path}`);
    return viaHono;
  }

  const json: [string, string][] = [['content-type', 'application/json']];

  test('good requests on the three routes: taken, and answered alike', async () => {
    const oip = await both({ path: '/v2/models/iris/infer', body: OIP }, true);
    assert.equal(oip.status, 200);
    assert.equal(JSON.parse(oip.body).id, 'req-1');
    assert.equal(oip.headers['x-content-type-options'], 'nosniff');
    assert.match(String(oip.headers['server-timing']), /^infer;dur=[\d.]+, handler;dur=[\d.]+$/);
    const v1 = await both({ path: '/v1/models/iris:predict', body: JSON.stringify({ instances: [ROW] }) }, true);
    assert.equal(v1.status, 200);
    assert.equal(JSON.parse(v1.body).predictions[0].label, 'setosa');
    const mlflow = await both({ path: '/invocations', body: JSON.stringify({ dataframe_split: { data: [ROW] } }) }, true);
    assert.equal(mlflow.status, 200);
    const csv = 'sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n5.1,3.5,1.4,0.2\n';
    assert.equal((await both({ path: '/invocations', headers: [['content-type', 'text/csv']], body: csv }, true)).status, 200);
    // No Content-Type is JSON on these routes; a charset parameter changes nothing; curl -d's form type from a tool is JSON too.
    assert.equal((await both({ path: '/v2/models/iris/infer', headers: [], body: OIP }, true)).status, 200);
    const form: [string, string][] = [['content-type', 'application/x-www-form-urlencoded']];
    assert.equal((await both({ path: '/v2/models/iris/infer', headers: form, body: OIP }, true)).status, 200);
    // Outputs asked in binary (Triton's client): the same bytes after the JSON on both paths.
    const binaryOip = JSON.stringify({ ...JSON.parse(OIP), parameters: { binary_data_output: true } });
    const binary = await both({ path: '/v2/models/iris/infer', body: binaryOip }, true);
    assert.equal(binary.status, 200);
    assert.equal(binary.headers['content-type'], 'application/octet-stream');
    assert.ok(Number(binary.headers['inference-header-content-length']) < Number(binary.headers['content-length']));
    assert.equal(
      (await both({ path: '/v2/models/iris/infer', headers: [['Content-Type', 'application/json; charset=utf-8']], body: OIP }, true))
        .status,
      200,
    );
  });

  test('bad requests: same status and error body', async () => {
    const cases: [Sent, number][] = [
      [{ path: '/v2/models/other/infer', body: OIP }, 404],
      [{ path: '/v2/models/iris/infer', body: '{"inputs": [' }, 400],
      [{ path: '/v2/models/iris/infer', body: '' }, 400],
      [
        {
          path: '/v2/models/iris/infer',
          body: '{"inputs": [{"name": "float_input", "shape": [1, 4], "datatype": "FP32", "data": [NaN, 1, 2, 3]}]}',
        },
        400,
      ],
      [{ path: '/v2/models/iris/infer', body: JSON.stringify({ inputs: [] }) }, 400],
      [
        { path: '/v2/models/iris/infer', body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 4], datatype: 'FP32', data: ROW }] }) },
        400,
      ],
      [
        {
          path: '/v2/models/iris/infer',
          body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: ROW }] }),
        },
        400,
      ],
      [{ path: '/v2/models/iris/infer', headers: [['content-type', 'application/xml']], body: OIP }, 415],
      [
        {
          path: '/v2/models/iris/infer',
          body: JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: new Array(2000).fill(1.5) }] }),
        },
        413,
      ],
      [
        {
          path: '/v2/models/iris/infer',
          headers: [
            ['content-type', 'application/octet-stream'],
            ['inference-header-content-length', '9999'],
          ],
          body: OIP,
        },
        400,
      ],
      [{ path: '/v1/models/iris:explain', body: '{}' }, 404],
      [{ path: '/v1/models/iris', body: '{}' }, 404],
      [{ path: '/v1/models/other:predict', body: JSON.stringify({ instances: [ROW] }) }, 404],
      [{ path: '/v1/models/iris:predict', body: '{}' }, 400],
      [{ path: '/v1/models/iris:predict', body: JSON.stringify({ instances: [[1, 2]] }) }, 400],
      [{ path: '/invocations', body: JSON.stringify({ dataframe_split: { data: [ROW] }, instances: [ROW] }) }, 400],
      [{ path: '/invocations', headers: [['content-type', 'text/csv']], body: 'a,b\n1,2\n' }, 400],
      [{ path: '/invocations', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'a=1' }, 415],
    ];
    for (const [sent, status] of cases) {
      const answer = await both(sent, true);
      assert.equal(answer.status, status, `${sent.path} ${String(sent.body).slice(0, 60)}: ${answer.body}`);
      assert.ok(JSON.parse(answer.body).error, answer.body);
      assert.equal(answer.headers['content-type'], 'application/json');
      assert.equal(answer.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('a server fault is a 500 with an error id on both', async () => {
    const answer = await both({ path: '/v2/models/iris/infer', body: OIP }, true, true);
    assert.equal(answer.status, 500);
    assert.match(JSON.parse(answer.body).error, /^internal server error \(error id [0-9a-f]{12};/);
  });

  test('requests some middleware acts on are left to Hono', async () => {
    const left: Sent[] = [
      // CORS: an allowed origin gets Access-Control-Allow-Origin; a foreign one is refused by the Origin check.
      { path: '/v2/models/iris/infer', headers: [...json, ['origin', 'http://localhost:3000']], body: OIP },
      { path: '/v2/models/iris/infer', headers: [...json, ['Origin', 'https://evil.example']], body: OIP },
      // A token (valid or not) is classified; a query string may carry one.
      { path: '/v2/models/iris/infer', headers: [...json, ['authorization', `Bearer ${ADMIN}`]], body: OIP },
      { path: '/v2/models/iris/infer?token=nope', body: OIP },
      // The Host check refuses foreign names; unusual forms and repeated Host headers go the long way.
      { path: '/v2/models/iris/infer', headers: [...json, ['host', 'evil.example']], body: OIP },
      { path: '/v2/models/iris/infer', headers: [...json, ['host', 'LOCALHOST']], body: OIP },
      { path: '/v2/models/iris/infer', headers: [...json, ['host', '[::1]:8080']], body: OIP },
      { path: '/v2/models/iris/infer', headers: [...json, ['host', 'localhost'], ['host', 'evil.example']], body: OIP },
      // Paths the adapter or the router would rewrite or decode.
      { path: '/v2/models/ir%69s/infer', body: OIP },
      { path: '/v2/models/../models/iris/infer', body: OIP },
      { path: '/v2/models/iris/infer/', body: OIP },
      { path: '/V2/models/iris/infer', body: OIP },
      // Other methods and routes.
      { method: 'PUT', path: '/v2/models/iris/infer', body: OIP },
      { path: '/predict', body: JSON.stringify({ instances: [ROW] }) },
      { path: '/v2/models/iris/versions/1/infer', body: OIP },
    ];
    for (const sent of left) await both(sent, false);
    const cors = await both(left[0], false);
    assert.equal(cors.headers['access-control-allow-origin'], 'http://localhost:3000');
    assert.equal((await both(left[1], false)).status, 403);
    assert.equal((await both(left[4], false)).status, 403);
  });

  test('repeated Content-Type headers are read as Hono reads them', async () => {
    const answer = await both(
      {
        path: '/v2/models/iris/infer',
        headers: [
          ['content-type', 'application/json'],
          ['content-type', 'text/plain'],
        ],
        body: OIP,
      },
      true,
    );
    assert.equal(answer.status, 415);
  });

  test('metrics count fast-path requests under the route pattern', async () => {
    const count = async (route: string, status: string) => {
      const metric = await registry.getSingleMetric('http_requests_total')!.get();
      return (
        metric.values.find((v) => v.labels.route === route && v.labels.method === 'POST' && String(v.labels.status) === status)?.value ?? 0
      );
    };
    const oip = await count('/v2/models/:model/infer', '200');
    const v1 = await count('/v1/models/:target', '404');
    await send(portOf(withFast), { path: '/v2/models/iris/infer', body: OIP });
    await send(portOf(withFast), { path: '/v1/models/iris:explain', body: '{}' });
    assert.equal(taken.at(-1), true);
    assert.equal(await count('/v2/models/:model/infer', '200'), oip + 1);
    assert.equal(await count('/v1/models/:target', '404'), v1 + 1);
  });

  test('what runs on the three paths in Hono is what the fast path stands in for', () => {
    // The fast path skips every middleware of the app. A middleware or route added later that matches these
    // paths would be skipped too: this fails then, to make its author teach fast-path.ts (or fall back to Hono).
    const app = createApp(host, { logError: () => undefined, labRoutes: mountLabRoutes });
    const matches = (pattern: string, path: string) =>
      new RegExp(
        `^${pattern
          .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/:\w+/g, '[^/]+')}$`,
      ).test(path);
    const on = (path: string) =>
      app.routes.filter((r) => (r.method === 'ALL' || r.method === 'POST') && matches(r.path, path)).map((r) => `${r.method} ${r.path}`);
    // The metrics and nosniff middleware, CORS + token classification, the Host check, the Origin check.
    const middleware = ['ALL /*', 'ALL /*', 'ALL /*', 'ALL /*'];
    assert.deepEqual(on('/v2/models/iris/infer'), [...middleware, 'POST /v2/models/:model/infer']);
    assert.deepEqual(on('/v1/models/iris:predict'), [...middleware, 'POST /v1/models/:target']);
    assert.deepEqual(on('/invocations'), [...middleware, 'POST /invocations']);
  });

  // Last: once a link is minted the server stays in share mode.
  test('share mode: everything goes through the token check', async () => {
    const minted = await send(portOf(honoOnly), {
      path: '/api/share',
      headers: [...json, ['authorization', `Bearer ${ADMIN}`]],
      body: '{}',
    });
    assert.equal(minted.status, 201, minted.body);
    const answer = await both({ path: '/v2/models/iris/infer', body: OIP }, false);
    assert.equal(answer.status, 401);
    const token = JSON.parse(minted.body).token as string;
    assert.equal(
      (await both({ path: '/v2/models/iris/infer', headers: [...json, ['authorization', `Bearer ${token}`]], body: OIP }, false)).status,
      200,
    );
  });
});
