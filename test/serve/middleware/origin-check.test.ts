/**
 * The Origin check on its own: state-changing requests from foreign web pages are refused; requests
 * without Origin (curl, scripts), safe methods, allowed origins and the server's own origin pass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { isOwnOrigin, originCheck } from '../../../server/serve/middleware/origin-check/index';

function appWith(options: Parameters<typeof originCheck>[0] = {}): Hono {
  const app = new Hono();
  app.use('*', originCheck(options));
  app.all('*', (c) => c.text('ok'));
  return app;
}

const send = async (app: Hono, method: string, headers: Record<string, string>) =>
  (await app.request('/api/export', { method, headers: { host: '127.0.0.1:8080', ...headers } })).status;

describe('originCheck', () => {
  test('own origin = same host and port as the Host header, whatever the scheme', () => {
    assert.ok(isOwnOrigin('http://127.0.0.1:8080', '127.0.0.1:8080'));
    assert.ok(isOwnOrigin('https://box.example', 'box.example'));
    assert.ok(!isOwnOrigin('http://127.0.0.1:9999', '127.0.0.1:8080'));
    assert.ok(!isOwnOrigin('null', '127.0.0.1:8080'));
    assert.ok(!isOwnOrigin('http://evil.example', undefined));
  });

  test('foreign origins are refused on POST, PUT, PATCH and DELETE with 403 JSON', async () => {
    const app = appWith();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      assert.equal(await send(app, method, { origin: 'https://evil.example' }), 403, method);
    }
    const res = await app.request('/api/export', { method: 'POST', headers: { origin: 'null' } });
    assert.equal(res.status, 403);
    assert.match(((await res.json()) as { error: string }).error, /other origins/);
  });

  test('no Origin, GET, VS Code webviews, loopback pages, configured and own origins pass', async () => {
    const app = appWith({ corsOrigins: ['https://notebooks.example.org'] });
    assert.equal(await send(app, 'POST', {}), 200);
    assert.equal(await send(app, 'GET', { origin: 'https://evil.example' }), 200);
    for (const origin of ['vscode-webview://abc', 'http://localhost:5173', 'https://notebooks.example.org', 'http://127.0.0.1:8080']) {
      assert.equal(await send(app, 'POST', { origin }), 200, origin);
    }
  });

  test('trusted requests pass whatever their Origin', async () => {
    const app = appWith({ trusted: (c) => c.req.header('authorization') === 'Bearer ok' });
    assert.equal(await send(app, 'POST', { origin: 'https://box.example', authorization: 'Bearer ok' }), 200);
    assert.equal(await send(app, 'POST', { origin: 'https://box.example' }), 403);
  });
});
