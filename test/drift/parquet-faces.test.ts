/**
 * Parquet through the faces: the CLI's exit codes (0, 1 with --fail-on-drift, 2 for a file it cannot
 * read) and the HTTP drift job on a real server (owner token, real files): `.parquet` accepted for the
 * owner and giving the engine's report, listed for the Drift tab, refused without the token, other
 * extensions and a `.parquet` link to another file still refused, a corrupt file a failed job in words.
 * And the built CLI, whose Parquet reader is a bundle apart: loaded only for Parquet, same report, same
 * exit code for a bad file whichever thread reads it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parquetWriteBuffer } from 'hyparquet-writer';
import drift from '../../server/cli/commands/drift';
import { PARALLEL_MIN_BYTES, runDrift } from '../../server/drift';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';
import { fixture } from './helpers';

const pq = (name: string) => fixture(join('parquet', name));
const BUILT_DIR = repoPath('dist/server');
const BUILT_CLI = join(BUILT_DIR, 'cli.js');
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

/**
 * The built CLI (dist/server/cli.js): there the Parquet reader is a bundle of its own, drift-parquet.js,
 * loaded only for a Parquet file and with its own copies of the error classes (scripts/build.mjs).
 */
describe('built CLI', { skip: !existsSync(BUILT_CLI) && 'dist/ not built' }, () => {
  const loadedBundles = (record: string) =>
    (JSON.parse(readFileSync(record, 'utf8')) as string[]).filter((p) => p.startsWith(BUILT_DIR)).map((p) => p.slice(BUILT_DIR.length + 1));
  /** Runs the built CLI; `loaded`: the dist/server bundles this process (not its worker) loaded. */
  function builtDrift(...args: string[]) {
    const record = join(dir, 'loaded.json');
    const preload = join(dir, 'loaded.cjs');
    const onExit = `require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache)))`;
    writeFileSync(preload, `process.on('exit', () => ${onExit});`);
    const r = spawnSync(process.execPath, ['--require', preload, BUILT_CLI, 'drift', ...args], { encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: loadedBundles(record).sort() };
  }

  test('loads the Parquet reader only for a Parquet file, and gives the report the engine gives from source', async () => {
    const csv = builtDrift(pq('twin_reference.csv'), pq('twin_current.csv'), '--quiet');
    assert.equal(csv.status, 0, csv.stderr);
    assert.deepEqual(csv.loaded, ['cli-drift.js', 'cli.js']);
    const built = builtDrift(pq('twin_reference.parquet'), pq('twin_current.parquet'), '--quiet', '--format', 'json');
    assert.equal(built.status, 0, built.stderr);
    assert.deepEqual(built.loaded, ['cli-drift.js', 'cli.js', 'drift-parquet.js']);
    const fromSource = await runDrift({ reference: pq('twin_reference.parquet'), current: pq('twin_current.parquet') });
    const decisions = (r: { columns: { name: string; test: string; score: number | null; drift: boolean }[] }) =>
      r.columns.map((c) => [c.name, c.test, c.score, c.drift]);
    assert.deepEqual(decisions(JSON.parse(built.stdout)), decisions(fromSource));
  });

  test('a bad Parquet file is still bad input (exit 2, its message) read here or in the worker thread', () => {
    for (const [ref, cur] of [
      ['truncated.parquet', 'twin_current.parquet'],
      ['twin_reference.parquet', 'corrupt_page.parquet'],
    ]) {
      const r = builtDrift(pq(ref), pq(cur), '--quiet');
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, /^model-lab drift: .*(not a Parquet file|row group 1, column "cont_a": cannot be decoded)/);
    }
    // Files of ≥ 2 MiB each are read on two threads, the current one in the worker: a page of it spoilt.
    const rows = 300_000;
    const values = (seed: number) => Float64Array.from({ length: rows }, (_, i) => Math.sin(i * 12.9898 + seed) * 43758.5453);
    const write = (name: string, data: Float64Array) => {
      const bytes = parquetWriteBuffer({ columnData: [{ name: 'x', data, type: 'DOUBLE', nullable: false }], codec: 'UNCOMPRESSED' });
      writeFileSync(join(dir, name), new Uint8Array(bytes));
      return new Uint8Array(bytes);
    };
    write('big_reference.parquet', values(1));
    const current = write('big_current.parquet', values(2));
    current.fill(0xff, 4, 64); // the first page's header, right after the leading "PAR1"
    writeFileSync(join(dir, 'big_current.parquet'), current);
    assert.ok(statSync(join(dir, 'big_current.parquet')).size >= PARALLEL_MIN_BYTES);
    const r = builtDrift(join(dir, 'big_reference.parquet'), join(dir, 'big_current.parquet'), '--quiet');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /^model-lab drift: .*big_current\.parquet, row group 1, column "x"/);
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
