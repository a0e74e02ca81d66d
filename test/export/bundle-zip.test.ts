/**
 * The bundle as a download: a finished export job's folder streams as a zip (fflate) that unpacks to the
 * very files MANIFEST.json lists (checked by SHA-256), its README reads as plain text, a share link or a
 * request without a token gets neither, and a folder past the size limits is refused before any byte.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { zipBundle } from '../../server/export/index';
import { ModelLabError } from '../../server/protocol/errors';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

describe('bundle zip download', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-bundle-zip-'));
  let server: TestServer;
  let previous: string | undefined;
  let job: string;

  before(async () => {
    previous = process.env.MODEL_LAB_EXPORT_ROOT;
    process.env.MODEL_LAB_EXPORT_ROOT = join(temp, 'exports');
    server = await startTestServer(repoPath('samples/iris/iris.onnx'), { host: { referenceCsv: repoPath('samples/iris/reference.csv') } });
    const start = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, {
      targets: ['onnx', 'k8s'],
      folder: 'iris-zip',
    });
    assert.equal(start.status, 202, JSON.stringify(start.json));
    job = start.json.id as string;
    await (await fetch(`${server.url}/api/jobs/${job}/events?token=${server.ownerToken}`)).text();
  });
  after(async () => {
    await server?.close();
    if (previous === undefined) delete process.env.MODEL_LAB_EXPORT_ROOT;
    else process.env.MODEL_LAB_EXPORT_ROOT = previous;
    rmSync(temp, { recursive: true, force: true });
  });

  it('streams the bundle as a zip holding exactly the files of its manifest', async () => {
    const status = await (await fetch(`${server.url}/api/export?token=${server.ownerToken}`)).json();
    assert.equal(status.lastJob, job);
    assert.ok(status.variants.some((v: { id: string; saved: boolean }) => v.id === 'int8' && v.saved === false));
    const response = await fetch(`${server.url}/api/export/bundle/${job}/zip?token=${server.ownerToken}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/zip');
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="iris-zip.zip"');
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const manifest = JSON.parse(new TextDecoder().decode(files['iris-zip/MANIFEST.json'])) as {
      files: { path: string; sha256: string }[];
    };
    const names = Object.keys(files).sort();
    assert.deepEqual(names, [...manifest.files.map((f) => `iris-zip/${f.path}`), 'iris-zip/MANIFEST.json'].sort());
    for (const f of manifest.files) {
      assert.equal(createHash('sha256').update(files[`iris-zip/${f.path}`]).digest('hex'), f.sha256, f.path);
    }
    assert.ok(files['iris-zip/model/iris.onnx'].length > 100);
  });

  it('shows the README as plain text, and refuses callers without the owner token', async () => {
    const readme = await fetch(`${server.url}/api/export/bundle/${job}/readme?token=${server.ownerToken}`);
    assert.equal(readme.status, 200);
    assert.match(readme.headers.get('content-type') ?? '', /^text\/plain/);
    assert.match(await readme.text(), /iris/);
    for (const what of ['zip', 'readme']) {
      const anonymous = await fetch(`${server.url}/api/export/bundle/${job}/${what}`);
      assert.ok([401, 403].includes(anonymous.status), `${what} without a token: ${anonymous.status}`);
    }
    const unknown = await fetch(`${server.url}/api/export/bundle/nope/zip?token=${server.ownerToken}`);
    assert.equal(unknown.status, 404);
    assert.match(((await unknown.json()) as { error: string }).error, /click Export bundle again/);
  });

  it('leaves out symbolic links, refuses a folder past the limits before streaming, and stops when cancelled', async () => {
    const dir = join(temp, 'folder');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    writeFileSync(join(dir, 'a.txt'), 'alpha\n'.repeat(1000));
    writeFileSync(join(dir, 'sub', 'b.onnx'), new Uint8Array(4096).fill(7));
    symlinkSync('/etc/passwd', join(dir, 'link'));
    const zip = await zipBundle(dir, 'top');
    assert.equal(zip.files, 2);
    const files = unzipSync(await readAll(zip.stream));
    assert.deepEqual(Object.keys(files).sort(), ['top/a.txt', 'top/sub/b.onnx']);
    assert.equal(new TextDecoder().decode(files['top/a.txt']), 'alpha\n'.repeat(1000));
    assert.deepEqual(files['top/sub/b.onnx'], new Uint8Array(4096).fill(7));

    await assert.rejects(zipBundle(dir, 'top', { maxBytes: 1000, maxFiles: 10 }), (err: unknown) => {
      assert.ok(err instanceof ModelLabError);
      assert.equal(err.status, 413);
      assert.match(err.message, /too large to download as a zip/);
      return true;
    });
    await assert.rejects(zipBundle(dir, 'top', { maxBytes: 1e9, maxFiles: 1 }), /more than 1 files/);

    const cancelled = await zipBundle(dir, 'top');
    const reader = cancelled.stream.getReader();
    await reader.read();
    await reader.cancel();
  });
});
