/**
 * A short real load test: the generator process against a real server (onnxruntime, Hono, ephemeral
 * port), through the engine and through the `loadtest` job. Asserts structure and sanity, never timing.
 */
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { runLoadTest, startGenerator } from '../../server/loadtest/index';
import { CancelledError } from '../../server/protocol/errors';
import type { LoadTestReport } from '../../server/protocol/loadtest';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const alive = (pid: number | undefined) => {
  try {
    process.kill(pid!, 0);
    return true;
  } catch {
    return false;
  }
};

describe('load test against a real server', () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer(repoPath('samples/breast-cancer/breast_cancer.onnx'), {
      host: { referenceCsv: repoPath('samples/breast-cancer/reference.csv') },
    });
  });
  after(() => server.close());

  const options = () => {
    const model = server.host.current();
    return { url: server.url, model: model.info.name, signature: model.signature, rows: model.reference!.rows };
  };

  test('a concurrency sweep: one step per level, every request answered, figures consistent', async () => {
    const progress: string[] = [];
    const report = await runLoadTest({
      ...options(),
      concurrency: [1, 4],
      stepSeconds: 0.5,
      rowsPerRequest: 2,
      p99TargetMs: 60_000,
      onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.step}`),
    });
    assert.equal(report.kind, 'model-lab-loadtest');
    assert.equal(report.mode, 'concurrency');
    assert.equal(report.target.route, '/v2/models/breast_cancer/infer');
    assert.ok(report.target.distinctBodies > 1, 'rows of the reference CSV, not one repeated body');
    assert.deepEqual(
      report.steps.map((s) => s.concurrency),
      [1, 4],
    );
    for (const s of report.steps) {
      assert.ok(s.ok > 0, 'requests were answered');
      assert.equal(s.errors, 0, JSON.stringify(s.statuses));
      assert.deepEqual(Object.keys(s.statuses), ['200']);
      assert.ok(s.p50Ms > 0 && s.p50Ms <= s.p90Ms && s.p90Ms <= s.p99Ms && s.p99Ms <= s.maxMs, JSON.stringify(s));
      assert.equal(s.rowsPerSecond, s.throughput * 2);
    }
    // A generous target: some step must be sustainable, and it is one of the measured steps.
    assert.ok(report.sustainable);
    assert.equal(report.sustainable.throughput, report.steps[report.sustainable.step].throughput);
    assert.ok(progress[0].includes('warming up'));
    assert.ok(
      progress.some((p) => p.startsWith('2/2 4 clients:')),
      progress.join('\n'),
    );
  });

  test('a fixed rate: open-loop steps report the offered rate', async () => {
    const report = await runLoadTest({ ...options(), rates: [50], stepSeconds: 0.5 });
    assert.equal(report.mode, 'rate');
    assert.equal(report.steps[0].offeredRate, 50);
    assert.equal(report.steps[0].concurrency, null);
    // 50 req/s for 0.5 s: 25 requests are due; each is sent once, answered or counted.
    assert.equal(report.steps[0].requests, 25);
  });

  test('a server that refuses the body is reported before any load, naming the URL', async () => {
    const model = server.host.current();
    await assert.rejects(
      runLoadTest({ ...options(), model: 'no-such-model', signature: model.signature, concurrency: [1], stepSeconds: 0.5 }),
      (e: Error & { field?: string }) => e.field === 'url' && /refused a sample request \(404\)/.test(e.message),
    );
  });

  test('cancel stops the test and kills the generator process', async () => {
    const controller = new AbortController();
    const generator = startGenerator(controller.signal);
    const pid = generator.pid;
    const model = server.host.current();
    const step = generator.runStep({
      url: `${server.url}/v2/models/${model.info.name}/infer`,
      bodies: ['{}'],
      headers: {},
      seconds: 30,
      concurrency: 1,
      rate: null,
      timeoutMs: 1000,
    });
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(step, (e: unknown) => e instanceof CancelledError);
    assert.ok(pid);
    // SIGKILL is delivered by now; give the OS the exit.
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(alive(pid), false, 'the generator process is gone');

    const running = runLoadTest({ ...options(), concurrency: [1, 2, 4], stepSeconds: 30, signal: controller.signal });
    await assert.rejects(running, (e: unknown) => e instanceof CancelledError);
  });

  test('the loadtest job: owner only, loopback only, progress per step, report as result', async () => {
    const body = { url: server.url, concurrency: [1, 2], stepSeconds: 0.5 };
    const anonymous = await postJson(`${server.url}/api/jobs/loadtest`, body);
    assert.ok(anonymous.status === 401 || anonymous.status === 403, `no token → ${anonymous.status}`);
    const remote = await postJson(`${server.url}/api/jobs/loadtest`, { ...body, url: 'http://example.com' }, server.ownerHeaders);
    assert.equal(remote.status, 400);
    assert.match(JSON.stringify(remote.json), /only runs against this machine/);
    const both = await postJson(`${server.url}/api/jobs/loadtest`, { ...body, rate: 10 }, server.ownerHeaders);
    assert.equal(both.status, 400);

    const start = await postJson(`${server.url}/api/jobs/loadtest`, body, server.ownerHeaders);
    assert.equal(start.status, 202, JSON.stringify(start.json));
    const events = await (await fetch(`${server.url}/api/jobs/${start.json.id}/events`, { headers: server.ownerHeaders })).text();
    assert.match(events, /event: progress/);
    const state = (await (await fetch(`${server.url}/api/jobs/${start.json.id}`, { headers: server.ownerHeaders })).json()) as {
      status: string;
      result: LoadTestReport;
    };
    assert.equal(state.status, 'done', JSON.stringify(state));
    assert.deepEqual(
      state.result.steps.map((s) => s.concurrency),
      [1, 2],
    );
    assert.ok(state.result.steps.every((s) => s.ok > 0 && s.errors === 0));
  });

  test('the loadtest job without a URL loads this server itself, also when the page comes through a path proxy', async () => {
    // A proxy like code-server's /proxy/PORT/: the page's origin is the proxy's, not the server's.
    const proxy: Server = createServer((req, res) => {
      const forward = httpRequest(
        {
          host: '127.0.0.1',
          port: new URL(server.url).port,
          path: req.url!.replace(/^\/proxy\/\d+/, ''),
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode!, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.destroy());
      req.pipe(forward);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const through = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/proxy/1234`;
      const start = await postJson(`${through}/api/jobs/loadtest`, { concurrency: [1], stepSeconds: 0.5 }, server.ownerHeaders);
      assert.equal(start.status, 202, JSON.stringify(start.json));
      let state: { status: string; result?: LoadTestReport } = { status: 'running' };
      for (let i = 0; i < 300 && state.status === 'running'; i++) {
        await new Promise((r) => setTimeout(r, 100));
        state = (await (await fetch(`${server.url}/api/jobs/${start.json.id}`, { headers: server.ownerHeaders })).json()) as typeof state;
      }
      assert.equal(state.status, 'done', JSON.stringify(state));
      assert.equal(state.result!.target.url, server.url, 'the generator loaded the server, not the proxy');
      assert.ok(state.result!.steps[0].ok > 0 && state.result!.steps[0].errors === 0);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
