/**
 * The extension's server supervision without VS Code: real `dist/server/cli.js serve` children started
 * the way the extension starts them (admin credential in the environment, tokens required).
 */
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ServerSupervisor } from '../../extension/model-server/supervisor';
import type { ServerSettings } from '../../extension/model-server/cli-contract';
import { repoPath } from '../helpers/server';

const settings = (): ServerSettings => ({
  port: 0,
  host: '127.0.0.1',
  batching: { enabled: true, maxBatchSize: 64, maxDelayMs: 2 },
  shareExpiryMinutes: 60,
  corsOrigins: [],
});

function makeSupervisor(maxRestarts: number, lines: string[] = []): ServerSupervisor {
  return new ServerSupervisor({
    cliPath: repoPath('dist/server/cli.js'),
    nodePath: process.execPath,
    log: (l) => lines.push(l),
    maxRestarts,
  });
}

/** True when nothing listens on the port any more (we can bind it ourselves). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('supervised model server (real child processes)', () => {
  const supervisor = makeSupervisor(2);
  const model = repoPath('samples/iris/iris.onnx');
  after(() => supervisor.stopAll());

  test('starts from the ready line, requires tokens, mints them with the admin credential', async () => {
    const server = await supervisor.ensure(model, settings);
    const snap = server.snapshot();
    assert.equal(snap.state, 'running');
    assert.ok(snap.pid && snap.port, JSON.stringify(snap));
    assert.equal((await fetch(`${snap.url}/v2/health/ready`)).status, 200);
    assert.equal((await fetch(`${snap.url}/api/model`)).status, 401);
    const { token } = await server.mintToken(null, 'test');
    assert.equal((await fetch(`${snap.url}/api/model`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.ok((await server.requestCount()) >= 1);
    assert.equal(supervisor.mostRecent(), server);
  });

  test('a killed server is restarted on the same port with a new pid', async () => {
    const server = supervisor.get(model)!;
    const before = server.snapshot();
    process.kill(before.pid!, 'SIGKILL');
    await server.waitForState('restarting', 10_000);
    const after = await server.waitForState('running', 30_000);
    assert.notEqual(after.pid, before.pid);
    assert.equal(after.port, before.port);
    assert.equal(after.restarts, 1);
    assert.equal((await fetch(`${after.url}/v2/health/ready`)).status, 200);
  });

  test('shared links survive a crash: live tokens are re-installed into the restarted child; a revoked one is not', async () => {
    const server = supervisor.get(model)!;
    const shared = await server.mintToken(5, 'shared link');
    const revoked = await server.mintToken(5, 'revoked link');
    await server.revokeToken(revoked.id);
    const before = server.snapshot();
    const get = (token?: string) =>
      fetch(`${server.url}/api/model`, token ? { headers: { authorization: `Bearer ${token}` } } : {}).then((r) => r.status);
    assert.equal(await get(shared.token), 200);
    process.kill(before.pid!, 'SIGKILL');
    await server.waitForState('restarting', 10_000);
    const after = await server.waitForState('running', 30_000);
    assert.notEqual(after.pid, before.pid);
    assert.equal(await get(shared.token), 200, 'the link minted before the crash');
    assert.equal(await get(revoked.token), 401, 'a revoked link stays revoked');
    assert.equal(await get(), 401, 'no token');
    assert.ok(server.rememberedTokenIds().includes(shared.id));
  });

  test('stopping frees the port and does not restart', async () => {
    const server = supervisor.get(model)!;
    const { port } = server.snapshot();
    await server.stop();
    assert.equal(server.state, 'stopped');
    assert.equal(await portIsFree(port!), true);
  });
});

describe('supervision failures', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-sup-'));
  after(() => rmSync(temp, { recursive: true, force: true }));

  test("a model that cannot load fails the start with the server's own message", async () => {
    const bad = join(temp, 'broken.onnx');
    writeFileSync(bad, 'this is not an onnx file');
    const supervisor = makeSupervisor(3);
    await assert.rejects(supervisor.ensure(bad, settings), (err: Error) =>
      /did not start: .*broken\.onnx|did not start: .+/.test(err.message),
    );
    assert.equal(supervisor.get(bad)!.state, 'stopped');
  });

  test('a start can be cancelled', async () => {
    const supervisor = makeSupervisor(3);
    const abort = new AbortController();
    const starting = supervisor.ensure(repoPath('samples/iris/iris.onnx'), settings, abort.signal);
    abort.abort();
    await assert.rejects(starting, /cancelled/);
    await supervisor.stopAll();
  });

  test('with maxRestarts 0 a killed server ends up failed, not restarted', async () => {
    const supervisor = makeSupervisor(0);
    const server = await supervisor.ensure(repoPath('samples/iris/iris.onnx'), settings);
    process.kill(server.snapshot().pid!, 'SIGKILL');
    const snap = await server.waitForState('failed', 10_000);
    assert.equal(snap.pid, undefined);
  });
});
