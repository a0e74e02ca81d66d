/**
 * startServer in-process: the returned handle serves real HTTP on an ephemeral port, batch sizes reach
 * /metrics, a reload reaches an open SSE stream, and close() completes even with that stream open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startServer } from '../../server/serve/start';
import { linearModel, tempDirWith } from './host-fixtures';

test('startServer: serves, exports batch sizes, streams reload events, and closes with an SSE client attached', async () => {
  const dir = tempDirWith({ 'lin.onnx': linearModel() });
  const path = join(dir, 'lin.onnx');
  const server = await startServer({
    modelPath: path,
    port: 0,
    watch: false,
    printReadyLine: false,
    shutdownGraceMs: 200,
    log: () => undefined,
  });
  let closed = false;
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200);

    const infer = (i: number) =>
      fetch(`${server.url}/v2/models/lin/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [i, 0, 0] }] }),
      }).then(async (r) => {
        assert.equal(r.status, 200, await r.clone().text());
        return r.json() as Promise<{ outputs: { data: number[] }[] }>;
      });
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => infer(i)));
    answers.forEach((a, i) => assert.ok(Math.abs(a.outputs[0].data[0] - (i + 0.1)) < 1e-5, JSON.stringify(a)));
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const rows = Number(/^inference_batch_size_sum (\S+)$/m.exec(metrics)?.[1]);
    assert.equal(rows, 10, 'every row counted once in inference_batch_size');

    // An SSE client sees the reload, and stays connected until shutdown cuts it.
    const events = await fetch(`${server.url}/api/events`);
    assert.equal(events.status, 200);
    const reader = events.body!.getReader();
    writeFileSync(path, linearModel({ scale: 2 }));
    assert.equal(await server.host.reload('test'), 2);
    let text = '';
    while (!/event: model-loaded[\s\S]*"generation":2/.test(text)) {
      const { value, done } = await reader.read();
      assert.ok(!done, `stream ended early: ${text}`);
      text += new TextDecoder().decode(value);
    }
    await server.close();
    closed = true;
    await assert.rejects(fetch(`${server.url}/v2/health/ready`), 'no longer listening');
    await reader.cancel().catch(() => undefined);
  } finally {
    if (!closed) await server.close();
  }
});
