/**
 * The Performance tab's HTTP API on a real server: a comparison job with SSE progress, one job at a time,
 * cancel, save beside the model (path computed by the server; never over an existing file unasked) and
 * switching the served model to the saved variant and back through the reload path.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComparisonReportSchema } from '../../server/bench/index';
import { postJson, startTestServer, type TestServer } from '../helpers/server';

const root = join(__dirname, '..', '..');

/** Reads an SSE stream to its end, returning the events as {event, data}. */
async function readEvents(url: string): Promise<{ event: string; data: any }[]> {
  const text = await (await fetch(url)).text();
  return text
    .split('\n\n')
    .filter((b) => b.includes('data:'))
    .map((block) => ({
      event: /^event: (.*)$/m.exec(block)?.[1] ?? 'message',
      data: JSON.parse(/^data: (.*)$/m.exec(block)![1]),
    }));
}

describe('perf routes', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-perf-'));
  const model = join(dir, 'breast_cancer.onnx');

  before(async () => {
    copyFileSync(join(root, 'samples/breast-cancer/breast_cancer.onnx'), model);
    copyFileSync(join(root, 'samples/breast-cancer/reference.csv'), join(dir, 'reference.csv'));
    server = await startTestServer(model, { host: { referenceCsv: join(dir, 'reference.csv') } });
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('GET /api/perf offers the variants and describes the machine', async () => {
    const info = await (await fetch(`${server.url}/api/perf?token=${server.ownerToken}`)).json();
    assert.ok(info.variants.some((v: { id: string }) => v.id === 'int8-weights'));
    assert.deepEqual(info.defaults, ['int8', 'int8-weights', 'fp16', 'prune50']);
    assert.equal(typeof info.machine.flags.avx2, 'boolean');
    assert.equal(info.model.path, model);
  });

  it('refuses bad requests with a message naming the problem', async () => {
    let r = await postJson(`${server.url}/api/jobs/perf?token=${server.ownerToken}`, { variants: ['int4'] });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /unknown variant 'int4'/);
    r = await postJson(`${server.url}/api/jobs/perf?token=${server.ownerToken}`, { variants: [], path: '/etc/passwd' });
    assert.equal(r.status, 400);
    r = await postJson(`${server.url}/api/perf/save?token=${server.ownerToken}`, { id: 'nope', variant: 'int8' });
    assert.equal(r.status, 404);
    r = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'fp16' });
    assert.equal(r.status, 404, 'nothing saved yet');
    assert.match(r.json.error, /the fp16 variant is not saved \(breast_cancer\.fp16\.onnx\) and no recent comparison made it/);
    r = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: '../../etc' });
    assert.equal(r.status, 400);
  });

  it('runs a job with progress over SSE, one at a time, then saves and serves a variant', async () => {
    const start = await postJson(`${server.url}/api/jobs/perf?token=${server.ownerToken}`, {
      variants: ['int8', 'fp16'],
      batches: [1, 8],
      iterations: 5,
      warmup: 1,
      rows: 32,
    });
    assert.equal(start.status, 202, JSON.stringify(start.json));
    const id = start.json.id as string;
    const busy = await postJson(`${server.url}/api/jobs/perf?token=${server.ownerToken}`, { variants: ['fp16'] });
    assert.equal(busy.status, 409);
    assert.match(busy.json.error, /one perf job is already running/);

    const events = await readEvents(`${server.url}/api/jobs/${id}/events?token=${server.ownerToken}`);
    assert.equal(events.at(-1)!.event, 'finished');
    assert.ok(events.filter((e) => e.event === 'progress').length >= 1);
    const state = await (await fetch(`${server.url}/api/jobs/${id}?token=${server.ownerToken}`)).json();
    assert.equal(state.status, 'done');
    ComparisonReportSchema.parse(state.result);
    const late = await readEvents(`${server.url}/api/jobs/${id}/events?token=${server.ownerToken}`);
    assert.deepEqual(
      late.map((e) => e.event),
      ['finished'],
      'a finished job answers at once',
    );

    const saved = await postJson(`${server.url}/api/perf/save?token=${server.ownerToken}`, { id, variant: 'int8' });
    assert.equal(saved.status, 200, JSON.stringify(saved.json));
    assert.equal(saved.json.path, join(dir, 'breast_cancer.int8.onnx'));
    assert.ok(existsSync(saved.json.path));
    const again = await postJson(`${server.url}/api/perf/save?token=${server.ownerToken}`, { id, variant: 'int8' });
    assert.equal(again.status, 409);
    assert.equal(
      (await postJson(`${server.url}/api/perf/save?token=${server.ownerToken}`, { id, variant: 'int8', overwrite: true })).status,
      200,
    );

    const served = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'int8' });
    assert.equal(served.status, 200, JSON.stringify(served.json));
    assert.equal(served.json.generation, 2);
    const described = await (await fetch(`${server.url}/api/model`)).json();
    assert.equal(described.info.path, join(dir, 'breast_cancer.int8.onnx'));
    assert.ok(described.info.opHistogram.MatMulInteger, 'the int8 graph is what runs now');
    assert.equal(described.batching.enabled, false, 'the host turns batching off for dynamic quantisation');
    assert.equal(described.info.name, 'breast_cancer', 'a served variant keeps the published name');
    const infer = await postJson(`${server.url}/v2/models/breast_cancer/infer`, {
      inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: Array.from({ length: 30 }, () => 1) }],
    });
    assert.equal(infer.status, 200, JSON.stringify(infer.json));
    assert.equal(infer.json.model_version, 'int8');
    const back = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'original' });
    assert.equal(back.status, 200);
    assert.equal((await (await fetch(`${server.url}/api/model`)).json()).info.path, model);
  });

  it('DELETE cancels a running job', async () => {
    const start = await postJson(`${server.url}/api/jobs/perf?token=${server.ownerToken}`, {
      variants: ['fp16'],
      iterations: 10_000,
      budgetMs: 30_000,
    });
    assert.equal(start.status, 202);
    const cancel = await fetch(`${server.url}/api/jobs/${start.json.id}?token=${server.ownerToken}`, { method: 'DELETE' });
    assert.equal(cancel.status, 202);
    const events = await readEvents(`${server.url}/api/jobs/${start.json.id}/events?token=${server.ownerToken}`);
    assert.equal(events.at(-1)!.data.state.status, 'cancelled');
    assert.equal((await fetch(`${server.url}/api/jobs/does-not-exist?token=${server.ownerToken}`)).status, 404);
  });
});
