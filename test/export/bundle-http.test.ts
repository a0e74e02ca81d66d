/**
 * The Export tab's HTTP routes on a real server: pre-check, the export job streamed as server-sent
 * events, the last result, folder names confined to the export root (no traversal), and refusals.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

/** Reads an SSE response body into [event, data] pairs. */
async function readEvents(res: Response): Promise<[string, any][]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.includes('data:'))
    .map((b) => [
      /^event: ?(.*)$/m.exec(b)![1],
      JSON.parse(
        b
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n'),
      ),
    ]);
}

describe('export routes', () => {
  let server: TestServer;
  let root: string;
  const previous = process.env.MODEL_LAB_EXPORT_ROOT;
  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'model-lab-export-root-'));
    process.env.MODEL_LAB_EXPORT_ROOT = root;
    server = await startTestServer(repoPath('samples/diabetes/diabetes.onnx'), {
      host: { referenceCsv: repoPath('samples/diabetes/reference.csv') },
    });
  });
  after(async () => {
    await server.close();
    if (previous === undefined) delete process.env.MODEL_LAB_EXPORT_ROOT;
    else process.env.MODEL_LAB_EXPORT_ROOT = previous;
    rmSync(root, { recursive: true, force: true });
  });

  test('GET /api/export names the root and has no result yet', async () => {
    const body = await (await fetch(`${server.url}/api/export?token=${server.ownerToken}`)).json();
    const { variants, ...rest } = body as { variants: { id: string; saved: boolean }[] };
    assert.deepEqual(rest, { exportRoot: root, running: false, last: null, lastJob: null, servedVariant: null });
    assert.deepEqual(
      variants.map((v) => `${v.id}:${v.saved}`),
      ['int8:false', 'int8-pc:false', 'int8-weights:false', 'int8-weights-pc:false', 'fp16:false', 'prune50:false', 'prune80:false'],
      'the Variant dropdown offers what the compress engine makes; none saved yet',
    );
  });

  test('POST /api/export/precheck reports per target', async () => {
    const { status, json } = await postJson(`${server.url}/api/export/precheck?token=${server.ownerToken}`, {
      targets: ['docker', 'tfjs'],
    });
    assert.equal(status, 200);
    assert.equal(json.model, 'diabetes');
    assert.deepEqual(
      json.targets.map((t: { target: string }) => t.target),
      ['onnx', 'docker', 'tfjs'],
    );
    assert.equal(json.targets[1].ok, true);
    const bad = await postJson(`${server.url}/api/export/precheck?token=${server.ownerToken}`, { targets: ['helm'] });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /unknown target 'helm'/);
  });

  test('an export job reports progress then the verified result, kept as the last one', async () => {
    const started = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, {
      targets: ['docker', 'k8s'],
      folder: 'diabetes-bundle',
    });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const res = await fetch(`${server.url}/api/jobs/${started.json.id}/events?token=${server.ownerToken}`);
    assert.match(res.headers.get('content-type')!, /text\/event-stream/);
    const events = await readEvents(res);
    const progress = events.filter(([e]) => e === 'progress').map(([, d]) => d.progress);
    assert.ok(progress.length >= 2);
    assert.ok(
      progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done),
      'progress only moves forward',
    );
    const [event, finished] = events.at(-1)!;
    assert.equal(event, 'finished');
    assert.equal(finished.state.status, 'done', JSON.stringify(finished.state.error));
    const result = finished.state.result;
    assert.equal(result.ok, true);
    assert.equal(result.outDir, join(root, 'diabetes-bundle'));
    assert.equal(result.checks.find((c: { name: string }) => c.name === 'server-parity').status, 'pass');
    assert.ok(existsSync(join(root, 'diabetes-bundle', 'MANIFEST.json')));
    const last = await (await fetch(`${server.url}/api/export?token=${server.ownerToken}`)).json();
    assert.equal(last.last.outDir, result.outDir);
  });

  test('cancelling an export job leaves no bundle folder behind', async () => {
    const started = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, {
      targets: ['docker', 'k8s', 'tfjs'],
      folder: 'cancelled-bundle',
    });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const busy = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, { targets: ['k8s'], folder: 'second' });
    assert.equal(busy.status, 409, 'one export at a time');
    const cancel = await fetch(`${server.url}/api/jobs/${started.json.id}?token=${server.ownerToken}`, { method: 'DELETE' });
    assert.equal(cancel.status, 202);
    const events = await readEvents(await fetch(`${server.url}/api/jobs/${started.json.id}/events?token=${server.ownerToken}`));
    assert.equal(events.at(-1)![1].state.status, 'cancelled');
    assert.equal(existsSync(join(root, 'cancelled-bundle')), false);
  });

  test('folder names cannot leave the root; a non-empty folder is refused before the job starts', async () => {
    for (const folder of ['../escape', '/etc', 'a/b', '..', '.hidden']) {
      const { status, json } = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, { folder, targets: ['k8s'] });
      assert.equal(status, 400, folder);
      assert.match(json.error, /plain folder name/);
    }
    assert.deepEqual(
      readdirSync(join(root, '..')).filter((f) => f === 'escape'),
      [],
    );
    mkdirSync(join(root, 'taken'));
    writeFileSync(join(root, 'taken', 'x'), 'x');
    const taken = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, { folder: 'taken', targets: ['k8s'] });
    assert.equal(taken.status, 409);
    assert.match(taken.json.error, /taken is not empty/);
    const wrongType = await postJson(`${server.url}/api/jobs/export?token=${server.ownerToken}`, { targets: 'docker' });
    assert.equal(wrongType.status, 400);
  });
});

describe('export routes behind share links', () => {
  test('a share-link token gets 403; the owner (admin credential) may export', async () => {
    const adminToken = 'a'.repeat(43);
    const server = await startTestServer(repoPath('samples/diabetes/diabetes.onnx'), { app: { auth: { adminToken, requireToken: true } } });
    try {
      const admin = { authorization: `Bearer ${adminToken}` };
      const minted = await postJson(`${server.url}/api/share`, { expiresInMinutes: 5 }, admin);
      assert.equal(minted.status, 201, JSON.stringify(minted.json));
      const shared = await postJson(
        `${server.url}/api/export/precheck`,
        { targets: ['k8s'] },
        { authorization: `Bearer ${minted.json.token}` },
      );
      assert.equal(shared.status, 403);
      assert.match(shared.json.error, /not for shared links/);
      assert.equal((await fetch(`${server.url}/api/export`, { headers: { authorization: `Bearer ${minted.json.token}` } })).status, 403);
      assert.equal((await postJson(`${server.url}/api/export/precheck`, { targets: ['k8s'] }, admin)).status, 200);
      assert.equal((await postJson(`${server.url}/api/export/precheck`, { targets: ['k8s'] })).status, 401, 'no token at all');
    } finally {
      await server.close();
    }
  });
});
