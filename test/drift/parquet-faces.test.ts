/**
 * Parquet through the faces: the CLI's exit codes (0, 1 with --fail-on-drift, 2 for a file it cannot
 * read) and the HTTP drift job on a real server (owner token, real files): `.parquet` accepted for the
 * owner and giving the engine's report, listed for the Drift tab, refused without the token, other
 * extensions and a `.parquet` link to another file still refused, a corrupt file a failed job in words.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import drift from '../../server/cli/commands/drift';
import { runDrift } from '../../server/drift';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';
import { fixture } from './helpers';

const pq = (name: string) => fixture(join('parquet', name));
const dir = mkdtempSync(join(tmpdir(), 'drift-parquet-faces-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('CLI', () => {
  const quiet = ['--quiet', '--no-mmd', '-o', join(dir, 'report.txt')];
  test('a drifting Parquet pair exits 1 with --fail-on-drift, 0 without; a file against itself exits 0', async () => {
    assert.equal(await drift.run([pq('twin_reference.parquet'), pq('twin_current.parquet'), ...quiet, '--fail-on-drift']), 1);
    assert.equal(await drift.run([pq('twin_reference.parquet'), pq('twin_current.parquet'), ...quiet]), 0);
    assert.equal(await drift.run([pq('twin_reference.parquet'), pq('twin_reference.parquet'), ...quiet, '--fail-on-drift']), 0);
    assert.equal(await drift.run([pq('twin_reference.csv'), pq('twin_current.parquet'), ...quiet, '--fail-on-drift']), 1);
  });
  test('a corrupt or unsupported Parquet file exits 2 (bad input, not "drift")', async (t) => {
    let said = '';
    t.mock.method(process.stderr, 'write', (chunk: string) => {
      said += chunk;
      return true;
    });
    assert.equal(await drift.run([pq('twin_reference.parquet'), pq('corrupt_page.parquet'), ...quiet, '--fail-on-drift']), 2);
    assert.equal(await drift.run([pq('lzo.parquet'), pq('lzo.parquet'), ...quiet]), 2);
    t.mock.restoreAll();
    assert.match(said, /corrupt_page\.parquet, row group 1, column "cont_a"/);
    assert.match(said, /lzo\.parquet, row group 1, column "y": compressed with LZO/);
  });
});

describe('HTTP drift job', () => {
  let server: TestServer;
  before(async () => {
    // The model's folder is a folder the drift routes may read: put the data beside it.
    copyFileSync(repoPath('samples/iris/iris.onnx'), join(dir, 'iris.onnx'));
    for (const name of ['twin_reference.parquet', 'twin_current.parquet', 'corrupt_page.parquet']) copyFileSync(pq(name), join(dir, name));
    writeFileSync(join(dir, 'secret.env'), 'TOKEN=x\n');
    symlinkSync(join(dir, 'secret.env'), join(dir, 'looks-like.parquet'));
    writeFileSync(join(dir, 'data.txt'), 'a,b\n1,2\n');
    server = await startTestServer(join(dir, 'iris.onnx'));
  });
  after(async () => {
    await server?.close();
  });

  async function finish(id: string): Promise<any> {
    await (await fetch(`${server.url}/api/jobs/${id}/events`, { headers: server.ownerHeaders })).text();
    return (await fetch(`${server.url}/api/jobs/${id}`, { headers: server.ownerHeaders })).json();
  }

  test("the owner checks a Parquet pair: the job gives the engine's report", async () => {
    const body = { source: 'files', reference: 'twin_reference.parquet', current: 'twin_current.parquet', options: { mmd: false } };
    const started = await postJson(`${server.url}/api/jobs/drift`, body, server.ownerHeaders);
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const job = await finish(started.json.id);
    assert.equal(job.status, 'done', JSON.stringify(job.error));
    const direct = await runDrift({ reference: pq('twin_reference.parquet'), current: pq('twin_current.parquet'), mmd: false });
    assert.deepEqual(job.result.columns, JSON.parse(JSON.stringify(direct.columns)));
    assert.equal(job.result.dataset.share.drift, direct.dataset.share.drift);
  });

  test("the Drift tab's file list has the Parquet files", async () => {
    const list = await (await fetch(`${server.url}/api/drift/files`, { headers: server.ownerHeaders })).json();
    const names = (list.files as { relative: string }[]).map((f) => f.relative);
    assert.ok(names.includes('twin_current.parquet'), names.join(', '));
    assert.ok(!names.includes('data.txt'));
  });

  test('without the owner token a Parquet check is refused; other extensions and a .parquet link to a secret too', async () => {
    const body = { source: 'files', reference: 'twin_reference.parquet', current: 'twin_current.parquet' };
    const anonymous = await postJson(`${server.url}/api/jobs/drift`, body);
    assert.equal(anonymous.status, 401, JSON.stringify(anonymous.json));
    const txt = await postJson(`${server.url}/api/jobs/drift`, { ...body, current: 'data.txt' }, server.ownerHeaders);
    assert.equal(txt.status, 400);
    assert.match(txt.json.error, /current: 'data\.txt' is not a \.csv, \.tsv, \.csv\.gz, \.tsv\.gz or \.parquet file/);
    const link = await postJson(`${server.url}/api/jobs/drift`, { ...body, current: 'looks-like.parquet' }, server.ownerHeaders);
    assert.equal(link.status, 400, JSON.stringify(link.json));
    assert.match(link.json.error, /not a \.csv, .* or \.parquet file/);
  });

  test('a corrupt Parquet file fails the job with the file, row group and column (no 500, no internals)', async () => {
    const body = { source: 'files', reference: 'twin_reference.parquet', current: 'corrupt_page.parquet', options: { mmd: false } };
    const started = await postJson(`${server.url}/api/jobs/drift`, body, server.ownerHeaders);
    assert.equal(started.status, 202);
    const job = await finish(started.json.id);
    assert.equal(job.status, 'failed');
    assert.match(job.error.message, /corrupt_page\.parquet, row group 1, column "cont_a": cannot be decoded/);
    assert.doesNotMatch(job.error.message, /node_modules|at .*\.js:\d+/);
  });
});
