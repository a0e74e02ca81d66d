/**
 * Node's HTTP server runs with Model Lab's limits (server/serve/http-limits.ts), not Node's defaults: a
 * client that sends its headers and then trickles the body is cut by `requestTimeout` (408 + close), so it
 * cannot hold a connection slot; an SSE stream, a long response to a complete request, is not cut.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { repoPath } from '../helpers/server';
import { startServer, type ServerHandle } from '../../server/serve/start';
import { DEFAULT_HTTP_LIMITS, httpServerOptions, resolveHttpLimits } from '../../server/serve/http-limits';

/** Sends `head` and a first body byte, then nothing: resolves with what the server wrote before closing. */
function trickle(port: number, head: string): Promise<{ received: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    // Only to fail instead of hanging when the server never cuts the connection.
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ received, closed: false });
    }, 20_000);
    socket.on('connect', () => socket.write(head + '{'));
    socket.on('data', (d) => {
      received += d.toString();
    });
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ received, closed: true });
    });
    socket.on('error', (err) => {
      clearTimeout(guard);
      reject(err);
    });
  });
}

describe('HTTP server limits', () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer({
      modelPath: repoPath('samples/breast-cancer/breast_cancer.onnx'),
      port: 0,
      watch: false,
      printReadyLine: false,
      log: () => undefined,
      http: { requestTimeoutMs: 500 },
    });
  });
  after(() => server.close());

  test('a body trickled slower than requestTimeout is answered 408 and the connection closed', async () => {
    const head =
      `POST /v2/models/breast_cancer/infer HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n';
    const { received, closed } = await trickle(server.port, head);
    assert.ok(closed, 'the server must close the connection');
    assert.match(received, /^HTTP\/1\.1 408/);
  });

  test('an SSE stream outlives requestTimeout (it only covers receiving the request)', async () => {
    const res = await fetch(`${server.url}/api/events`, { headers: { authorization: `Bearer ${server.ownerToken}` } });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 1200));
    const health = await fetch(`${server.url}/v2/health/ready`);
    assert.equal(health.status, 200);
    // Still open: cancelling succeeds without the stream having ended by itself.
    const next = await Promise.race([
      reader.read().then((r) => (r.done ? 'closed' : 'data')),
      new Promise((r) => setTimeout(() => r('open'), 200)),
    ]);
    assert.notEqual(next, 'closed');
    await reader.cancel();
  });

  test('defaults: timeouts set, headersTimeout never above requestTimeout, checks frequent enough', () => {
    assert.ok(DEFAULT_HTTP_LIMITS.requestTimeoutMs > 0 && DEFAULT_HTTP_LIMITS.maxConnections > 0);
    const short = resolveHttpLimits({ requestTimeoutMs: 500 });
    assert.equal(short.headersTimeoutMs, 500);
    assert.ok(httpServerOptions(short).connectionsCheckingInterval! <= 250);
  });
});
