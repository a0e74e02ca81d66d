/**
 * Server supervision, observed from outside: the child process answers /v2/health/ready, a killed child
 * is restarted (a new pid answers), stopping frees the port and leaves no process behind.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { activate, waitFor, workspaceFile, type ModelLabTestApi, type ServerSnapshot } from './model-lab';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function healthReady(url: string): Promise<number> {
  return (await fetch(`${url}/v2/health/ready`)).status;
}

/** True when something can listen on host:port again. */
async function canBind(host: string, port: number): Promise<boolean> {
  return await new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** A snapshot of a running server, with the fields a running one must have checked. */
type Running = ServerSnapshot & { url: string; port: number; pid: number };
function running(s: ServerSnapshot): Running {
  assert.equal(s.state, 'running');
  assert.ok(s.url && s.port && s.pid, `a running server has url, port and pid: ${JSON.stringify(s)}`);
  return s as Running;
}

describe('server supervision', () => {
  const model = workspaceFile('iris', 'iris.onnx');
  let api: ModelLabTestApi;
  let first: Running;

  before(async () => {
    const exported = await activate();
    assert.ok(exported?.servers, 'activate() returns no test API (see extension/TESTING.md)');
    api = exported;
  });
  after(async () => {
    await api?.servers.stop(model.fsPath).catch(() => undefined);
  });

  it('"Start Server" brings up a child process that answers /v2/health/ready', async () => {
    await vscode.commands.executeCommand(CommandId.startServer, model);
    first = running(await api.servers.waitForState(model.fsPath, 'running', 30_000));
    assert.ok(first.pid > 0 && first.pid !== process.pid, `server pid ${first.pid} must be a child, not the extension host`);
    assert.ok(isAlive(first.pid), `no process with pid ${first.pid}`);
    assert.equal(first.host, '127.0.0.1', 'servers listen on loopback by default');
    assert.equal(await healthReady(first.url), 200);
  });

  it('restarts a killed server: a new pid answers', async () => {
    process.kill(first.pid, 'SIGKILL');
    const restarted = running(
      await waitFor(
        'a restarted server with a new pid',
        () => {
          const s = api.servers.list().find((x) => x.modelPath === model.fsPath);
          return s && s.state === 'running' && s.pid !== first.pid ? s : undefined;
        },
        30_000,
      ),
    );
    assert.ok(restarted.restarts >= 1, `restarts = ${restarted.restarts}`);
    assert.equal(isAlive(first.pid), false, 'the killed pid is gone');
    assert.equal(await healthReady(restarted.url), 200);
    first = restarted;
  });

  it('"Stop Server" ends the child and frees the port', async () => {
    await vscode.commands.executeCommand(CommandId.stopServer, model);
    await api.servers.waitForState(model.fsPath, 'stopped', 15_000);
    await waitFor(`pid ${first.pid} to exit`, () => (isAlive(first.pid) ? undefined : true), 10_000);
    await assert.rejects(fetch(`${first.url}/v2/health/ready`), 'the old URL must refuse connections');
    assert.equal(await canBind(first.host, first.port), true, `port ${first.port} is still taken`);
  });
});
