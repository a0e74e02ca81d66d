/**
 * The Host allowlist on its own (Hono's in-memory `app.request`, no socket): loopback names and
 * addresses with any port pass, names the owner allowed pass, anything else is a 403 JSON answer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Hono } from 'hono';
import { hostCheck, hostnameOf, isLoopbackHost } from '../../../server/serve/middleware/host-check/index';

function appWith(options: Parameters<typeof hostCheck>[0]): Hono {
  const app = new Hono();
  app.use('*', hostCheck(options));
  app.get('*', (c) => c.text('ok'));
  return app;
}

const statusFor = async (app: Hono, host: string | undefined, path = '/v2/health/ready') =>
  (await app.request(path, { headers: host === undefined ? {} : { host } })).status;

describe('hostCheck', () => {
  test('host names are read without port, brackets or trailing dot', () => {
    assert.equal(hostnameOf('LocalHost:8080'), 'localhost');
    assert.equal(hostnameOf('[::1]:41234'), '::1');
    assert.equal(hostnameOf('127.0.0.1'), '127.0.0.1');
    assert.equal(hostnameOf('localhost.:80'), 'localhost');
    assert.ok(isLoopbackHost('127.8.9.10'));
    assert.ok(isLoopbackHost('app.localhost'));
    assert.ok(!isLoopbackHost('127.0.0.1.evil.example'));
    assert.ok(!isLoopbackHost('localhost.evil.example'));
    assert.ok(!isLoopbackHost('128.0.0.1'));
  });

  test('loopback with any port passes; foreign names get 403 JSON', async () => {
    const app = appWith({});
    for (const host of ['localhost', 'localhost:5173', '127.0.0.1:8080', '127.1.2.3', '[::1]:9000']) {
      assert.equal(await statusFor(app, host), 200, host);
    }
    for (const host of ['evil.example', 'evil.example:8080', '127.0.0.1.nip.io', '192.168.1.20:8080', '']) {
      const res = await app.request('/v2/health/ready', { headers: { host } });
      assert.equal(res.status, 403, host);
      assert.match(((await res.json()) as { error: string }).error, /Host header/);
    }
  });

  test('names the owner allowed pass (IPv6 with or without brackets); the error does not list them', async () => {
    const app = appWith({ allowedHosts: ['192.168.1.20', 'fe80::1', 'box.lan'] });
    for (const host of ['192.168.1.20:8080', '[fe80::1]:8080', 'BOX.lan']) assert.equal(await statusFor(app, host), 200, host);
    const res = await app.request('/', { headers: { host: 'evil.example' } });
    assert.equal(res.status, 403);
    assert.doesNotMatch(await res.text(), /192\.168/);
  });

  test("'any' turns the check off; trusted requests and /assets/* pass from any name", async () => {
    assert.equal(await statusFor(appWith({ allowedHosts: 'any' }), 'svc.cluster.local'), 200);
    const trusted = appWith({ trusted: (c) => c.req.header('authorization') === 'Bearer ok' });
    assert.equal((await trusted.request('/', { headers: { host: 'proxy.example', authorization: 'Bearer ok' } })).status, 200);
    assert.equal((await trusted.request('/', { headers: { host: 'proxy.example', authorization: 'Bearer no' } })).status, 403);
    assert.equal(await statusFor(trusted, 'proxy.example', '/assets/main.js'), 200);
  });
});
