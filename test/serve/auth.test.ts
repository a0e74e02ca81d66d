/**
 * Share-link auth and CORS on a real server (real model host, real HTTP), plus the CLI flags the VS Code
 * extension uses (`serve --require-token` with the admin credential in the environment).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, describe, test } from 'node:test';
import { MIN_ADMIN_TOKEN_LENGTH, newToken, secretsEqual } from '../../server/serve/auth';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const ADMIN = newToken();
const admin = { authorization: `Bearer ${ADMIN}` };

describe('share-link auth on a server that requires tokens', () => {
  let server: TestServer;
  let clock = Date.now();
  before(async () => {
    server = await startTestServer(repoPath('samples/iris/iris.onnx'), {
      app: { uiAssetsDir: repoPath('dist/webview'), auth: { adminToken: ADMIN, requireToken: true, now: () => clock } },
    });
  });
  after(() => server.close());

  const mint = async (body: unknown = {}) => {
    const res = await postJson(`${server.url}/api/share`, body, admin);
    assert.equal(res.status, 201, JSON.stringify(res.json));
    return res.json as { id: string; token: string; expiresAt: string | null };
  };

  test('no token → 401 JSON naming what to do; health routes stay open', async () => {
    for (const path of ['/api/model', '/', '/metrics', '/v2/models/iris', '/openapi.json', '/v1/models/iris/metadata']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 401, path);
      assert.match(((await res.json()) as { error: string }).error, /needs an access token/);
    }
    const infer = await postJson(`${server.url}/v2/models/iris/infer`, { inputs: [] });
    assert.equal(infer.status, 401);
    for (const path of ['/v2/health/live', '/v2/health/ready', '/ping', '/health']) {
      assert.equal((await fetch(server.url + path)).status, 200, path);
    }
  });

  test('a minted token works as a Bearer header and as ?token=, and the page embeds it', async () => {
    const share = await mint();
    assert.ok(share.token.length >= 43, 'at least 256 bits in base64url');
    assert.equal((await fetch(`${server.url}/api/model`, { headers: { authorization: `Bearer ${share.token}` } })).status, 200);
    assert.equal((await fetch(`${server.url}/api/model?token=${share.token}`)).status, 200);
    const page = await fetch(`${server.url}/?token=${share.token}`);
    assert.equal(page.status, 200);
    assert.ok((await page.text()).includes(share.token), 'the UI page carries the token in its config meta');
    const wrong = await fetch(`${server.url}/api/model`, { headers: { authorization: `Bearer ${newToken()}` } });
    assert.equal(wrong.status, 401);
    assert.match(((await wrong.json()) as { error: string }).error, /not valid/);
  });

  test("owner tokens (the editor's own panel) may start lab jobs; share links may not", async () => {
    const body = { source: 'files', reference: repoPath('samples/iris/reference.csv'), current: repoPath('samples/iris/current.csv') };
    const share = await mint();
    const owner = await mint({ role: 'owner', expiresInMinutes: null });
    const asShare = await postJson(`${server.url}/api/jobs/drift`, body, { authorization: `Bearer ${share.token}` });
    assert.equal(asShare.status, 403, JSON.stringify(asShare.json));
    const asOwner = await postJson(`${server.url}/api/jobs/drift`, body, { authorization: `Bearer ${owner.token}` });
    assert.equal(asOwner.status, 202, JSON.stringify(asOwner.json));
    assert.equal((await postJson(`${server.url}/api/share`, { role: 'admin' }, admin)).status, 400);
  });

  test('an expired token is rejected', async () => {
    const share = await mint({ expiresInMinutes: 1 });
    const get = () => fetch(`${server.url}/api/model`, { headers: { authorization: `Bearer ${share.token}` } });
    assert.equal((await get()).status, 200);
    clock += 61_000;
    assert.equal((await get()).status, 401);
  });

  test('a revoked token is rejected; only the admin may mint, list and revoke', async () => {
    const share = await mint({ expiresInMinutes: null, label: 'panel' });
    assert.equal(share.expiresAt, null);
    const asShare = { authorization: `Bearer ${share.token}` };
    assert.equal((await postJson(`${server.url}/api/share`, {}, asShare)).status, 403);
    assert.equal((await fetch(`${server.url}/api/share/${share.id}`, { method: 'DELETE', headers: asShare })).status, 403);
    const list = (await (await fetch(`${server.url}/api/share`, { headers: admin })).json()) as { shares: { id: string }[] };
    assert.ok(list.shares.some((s) => s.id === share.id));
    assert.equal((await fetch(`${server.url}/api/share/${share.id}`, { method: 'DELETE', headers: admin })).status, 200);
    assert.equal((await fetch(`${server.url}/api/model`, { headers: asShare })).status, 401);
    assert.equal((await fetch(`${server.url}/api/share/${share.id}`, { method: 'DELETE', headers: admin })).status, 404);
  });

  test('bad mint requests are 400 with the field named', async () => {
    for (const body of [{ expiresInMinutes: 'soon' }, { expiresInMinutes: -5 }, { expiresInMinutes: 10 ** 9 }, '{not json']) {
      const res = await postJson(`${server.url}/api/share`, body, admin);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.json.error, /expiresInMinutes|JSON/);
    }
  });

  test('tokens are compared with crypto.timingSafeEqual on the request path', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require('node:crypto') as typeof import('node:crypto');
    const original = crypto.timingSafeEqual;
    let calls = 0;
    crypto.timingSafeEqual = (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      calls += 1;
      return original(a, b);
    };
    try {
      // A different length must not short-circuit either: both sides are hashed first.
      for (const token of ['x', newToken()]) {
        const before = calls;
        assert.equal((await fetch(`${server.url}/api/model`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
        assert.ok(calls > before, `timingSafeEqual used for a ${token.length}-character token`);
      }
    } finally {
      crypto.timingSafeEqual = original;
    }
    assert.equal(secretsEqual('a', 'a'), true);
    assert.equal(secretsEqual('a', 'ab'), false);
  });

  test('CORS: a vscode-webview origin gets its preflight answered; others are refused', async () => {
    const preflight = (origin: string, method = 'POST', headers = 'authorization,content-type') =>
      fetch(`${server.url}/v2/models/iris/infer`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
      });
    const webview = 'vscode-webview://1a2b3c4d5e';
    const ok = await preflight(webview);
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), webview);
    assert.match(ok.headers.get('access-control-allow-methods')!, /GET, POST, DELETE/);
    assert.match(ok.headers.get('access-control-allow-headers')!, /Authorization, Content-Type/);
    assert.equal((await preflight('https://evil.example')).status, 403);
    assert.equal((await preflight(webview, 'PUT')).status, 403);
    assert.equal((await preflight(webview, 'POST', 'x-custom')).status, 403);
    // The actual request (and its 401) carries the header, so the webview can read the error.
    const denied = await fetch(`${server.url}/api/model`, { headers: { origin: webview } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('access-control-allow-origin'), webview);
    const foreign = await fetch(`${server.url}/v2/health/ready`, { headers: { origin: 'https://evil.example' } });
    assert.equal(foreign.headers.get('access-control-allow-origin'), null);
  });
});

describe('share mode off by default', () => {
  test('a server without tokens is open until the first token is minted', async () => {
    const server = await startTestServer(repoPath('samples/iris/iris.onnx'), { app: { auth: { adminToken: ADMIN } } });
    try {
      assert.equal((await fetch(`${server.url}/api/model`)).status, 200);
      const res = await postJson(`${server.url}/api/share`, {}, admin);
      assert.equal(res.status, 201);
      assert.equal((await fetch(`${server.url}/api/model`)).status, 401);
    } finally {
      await server.close();
    }
  });

  test('without an admin credential the owner token made at start is the only one the share routes take', async () => {
    const server = await startTestServer(repoPath('samples/iris/iris.onnx'));
    try {
      const res = await postJson(`${server.url}/api/share`, {}, admin);
      assert.equal(res.status, 401);
      assert.match(res.json.error, /owner token/);
      assert.equal((await fetch(`${server.url}/api/model`)).status, 200);
      assert.equal((await postJson(`${server.url}/api/share`, {}, server.ownerHeaders)).status, 201);
    } finally {
      await server.close();
    }
  });
});

describe('CLI serve --require-token (how the extension starts servers)', () => {
  test('admin credential from MODEL_LAB_ADMIN_TOKEN mints a link whose page and API work', async () => {
    const child = spawn(
      process.execPath,
      [repoPath('dist/server/cli.js'), 'serve', repoPath('samples/iris/iris.onnx'), '--port', '0', '--require-token', '--no-watch'],
      {
        env: { ...process.env, MODEL_LAB_ADMIN_TOKEN: ADMIN },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    try {
      let url = '';
      for await (const line of createInterface({ input: child.stdout })) {
        const ready = JSON.parse(line) as { event: string; url: string };
        if (ready.event === 'ready') {
          url = ready.url;
          break;
        }
      }
      assert.ok(url, `no ready line; stderr: ${stderr}`);
      assert.equal((await fetch(`${url}/api/model`)).status, 401);
      const share = await postJson(`${url}/api/share`, { expiresInMinutes: 5 }, admin);
      assert.equal(share.status, 201);
      const page = await fetch(`${url}/?token=${share.json.token}`);
      assert.equal(page.status, 200);
      assert.ok((await page.text()).includes(share.json.token));
      assert.equal((await fetch(`${url}/api/model?token=${share.json.token}`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
  });

  test('a short admin credential is refused with a clear message', async () => {
    const child = spawn(process.execPath, [repoPath('dist/server/cli.js'), 'serve', repoPath('samples/iris/iris.onnx'), '--port', '0'], {
      env: { ...process.env, MODEL_LAB_ADMIN_TOKEN: 'short' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, new RegExp(`at least ${MIN_ADMIN_TOKEN_LENGTH} characters`));
  });
});
