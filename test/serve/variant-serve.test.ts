/**
 * "Serve this variant" on a real server with real onnxruntime: the variant becomes a new version of the
 * same published model (every URL a user copied keeps answering), a variant nobody saved yet is saved
 * and served in one call, and the Open Inference Protocol version routes answer per version.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { postJson, startTestServer, type TestServer } from '../helpers/server';

const root = join(__dirname, '..', '..');
const row = { inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: Array.from({ length: 30 }, () => 1) }] };

async function finishedJob(server: TestServer, variants: string[]): Promise<string> {
  const start = await postJson(`${server.url}/api/jobs/perf?token=${server.ownerToken}`, {
    variants,
    batches: [1],
    iterations: 3,
    warmup: 1,
    rows: 16,
  });
  assert.equal(start.status, 202, JSON.stringify(start.json));
  const id = start.json.id as string;
  await (await fetch(`${server.url}/api/jobs/${id}/events?token=${server.ownerToken}`)).text();
  return id;
}

describe('serving a variant keeps the model name (OIP versions)', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-variant-serve-'));
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

  it('lists one version before any variant is saved', async () => {
    const meta = await (await fetch(`${server.url}/v2/models/breast_cancer`)).json();
    assert.deepEqual(meta.versions, ['1']);
    assert.equal((await fetch(`${server.url}/v2/models/breast_cancer/versions/1/ready`)).status, 200);
    assert.equal((await fetch(`${server.url}/v2/models/breast_cancer/versions/fp16/ready`)).status, 404);
  });

  it('saves and serves an unsaved variant in one call, under the same name, as version fp16', async () => {
    const id = await finishedJob(server, ['fp16']);
    const fp16File = join(dir, 'breast_cancer.fp16.onnx');
    assert.equal(existsSync(fp16File), false, 'not saved yet');
    const served = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'fp16', id });
    assert.equal(served.status, 200, JSON.stringify(served.json));
    assert.equal(served.json.saved, fp16File);
    assert.ok(existsSync(fp16File));
    assert.equal(served.json.name, 'breast_cancer');
    assert.equal(served.json.version, 'fp16');
    assert.equal(served.json.previousVersion, '1');
    assert.deepEqual(served.json.versions, ['1', 'fp16']);

    // The URL the user copied before still answers, now with the variant.
    const plain = await postJson(`${server.url}/v2/models/breast_cancer/infer`, row);
    assert.equal(plain.status, 200, JSON.stringify(plain.json));
    assert.equal(plain.json.model_name, 'breast_cancer');
    assert.equal(plain.json.model_version, 'fp16');
    const pinned = await postJson(`${server.url}/v2/models/breast_cancer/versions/fp16/infer`, row);
    assert.equal(pinned.status, 200, JSON.stringify(pinned.json));
    assert.equal(pinned.json.model_version, 'fp16');
    assert.equal((await postJson(`${server.url}/v2/models/breast_cancer.fp16/infer`, row)).status, 404, 'no renamed model');
    assert.equal((await fetch(`${server.url}/v1/models/breast_cancer`)).status, 200, 'v1 keeps the name too');

    const meta = await (await fetch(`${server.url}/v2/models/breast_cancer`)).json();
    assert.equal(meta.name, 'breast_cancer');
    assert.deepEqual(meta.versions, ['1', 'fp16']);
    assert.equal((await fetch(`${server.url}/v2/models/breast_cancer/versions/fp16`)).status, 200);
    assert.equal((await fetch(`${server.url}/v2/models/breast_cancer/versions/fp16/ready`)).status, 200);
    // The original exists but is not loaded: not ready (4xx), with a message saying what to do.
    const notLoaded = await postJson(`${server.url}/v2/models/breast_cancer/versions/1/infer`, row);
    assert.equal(notLoaded.status, 400);
    assert.match(notLoaded.json.error, /version '1' of model 'breast_cancer' exists but is not loaded; version 'fp16' is served now/);
    assert.equal((await fetch(`${server.url}/v2/models/breast_cancer/versions/1/ready`)).status, 400);
    const unknown = await fetch(`${server.url}/v2/models/breast_cancer/versions/7/ready`);
    assert.equal(unknown.status, 404);
    assert.equal(await unknown.text(), '', 'OIP readiness answers carry no body');
    const unknownInfer = await postJson(`${server.url}/v2/models/breast_cancer/versions/int4/infer`, row);
    assert.equal(unknownInfer.status, 404);
    assert.match(unknownInfer.json.error, /has no version 'int4'; version 'fp16' is served now \(versions: '1', 'fp16'\)/);

    const back = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'original' });
    assert.equal(back.status, 200, JSON.stringify(back.json));
    assert.equal(back.json.version, '1');
    assert.equal(back.json.previousVersion, 'fp16');
    assert.equal((await postJson(`${server.url}/v2/models/breast_cancer/versions/1/infer`, row)).json.model_version, '1');
  });

  it('refuses a share link, an unknown variant and a variant no job made, naming what to do', async () => {
    let r = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'int4' });
    assert.equal(r.status, 400);
    assert.match(r.json.error, /unknown variant 'int4'/);
    r = await postJson(`${server.url}/api/perf/serve?token=${server.ownerToken}`, { variant: 'int8', id: 'no-such-job' });
    assert.equal(r.status, 404);
    assert.match(r.json.error, /run a comparison with int8, then serve it/);
    r = await postJson(`${server.url}/api/perf/serve`, { variant: 'original' });
    assert.ok(r.status === 401 || r.status === 403, `no token: ${r.status}`);
  });

  it('downloads the comparison as JSON and CSV (owner only)', async () => {
    const id = await finishedJob(server, ['fp16']);
    const json = await fetch(`${server.url}/api/perf/report/${id}?format=json&token=${server.ownerToken}`);
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-disposition') ?? '', /attachment; filename="breast_cancer-performance-\d+T\d+\.json"/);
    const report = await json.json();
    assert.equal(report.schema, 'model-lab.perf/1');
    const csv = await fetch(`${server.url}/api/perf/report/${id}?format=csv&token=${server.ownerToken}`);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await csv.text()).trim().split('\n');
    assert.match(lines[0], /^variant,label,batch,file_bytes,gzip_bytes,size_ratio,p50_us/);
    assert.equal(lines.length, 3, 'original and fp16 at batch 1');
    assert.match(lines[2], /^fp16,fp16 weights,1,/);
    assert.equal((await fetch(`${server.url}/api/perf/report/${id}?format=xml&token=${server.ownerToken}`)).status, 400);
    assert.equal((await fetch(`${server.url}/api/perf/report/nope?token=${server.ownerToken}`)).status, 404);
    assert.ok([401, 403].includes((await fetch(`${server.url}/api/perf/report/${id}`)).status));
  });
});
