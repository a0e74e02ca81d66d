/**
 * Files that vanish while serving, through the real server, chokidar and onnxruntime: deleting the
 * reference CSV and then the model file must not end the process (the reference used to: an unhandled
 * ENOENT on a read stream); each is a `file-removed` event on SSE, and the last good model keeps
 * answering health and predictions. Putting the files back is an ordinary reload.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

/** Reads an SSE response until an event matching `pattern` arrives; returns the text read so far. */
function sseReader(res: Response): (pattern: RegExp, timeoutMs?: number) => Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  return async (pattern, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(text)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${pattern} on /api/events within ${timeoutMs} ms; got: ${text}`);
      const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), left))]);
      if (next === null) continue;
      if (next.done) throw new Error(`event stream ended before ${pattern}: ${text}`);
      text += decoder.decode(next.value, { stream: true });
    }
    return text;
  };
}

describe('served files that vanish', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-vanish-'));
  const model = join(dir, 'flights.onnx');
  const reference = join(dir, 'reference.csv');
  let server: TestServer;
  const controller = new AbortController();
  let readUntil: (pattern: RegExp, timeoutMs?: number) => Promise<string>;

  before(async () => {
    copyFileSync(repoPath('samples/flights/flights.onnx'), model);
    copyFileSync(repoPath('samples/flights/reference.csv'), reference);
    server = await startTestServer(model, { host: { referenceCsv: reference, watch: true, watchDebounceMs: 100 } });
    const res = await fetch(`${server.url}/api/events`, { headers: server.ownerHeaders, signal: controller.signal });
    assert.equal(res.status, 200);
    readUntil = sseReader(res);
    await readUntil(/event: model-loaded\n/);
  });
  after(async () => {
    controller.abort();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const predicts = async (what: string): Promise<void> => {
    assert.equal((await fetch(`${server.url}/v2/health/ready`)).status, 200, `${what}: ready`);
    const infer = await postJson(`${server.url}/v1/models/flights:predict`, { instances: [['DL', 'DEN', 526, 22, 0]] });
    assert.equal(infer.status, 200, `${what}: ${JSON.stringify(infer.json)}`);
    assert.equal(infer.json.predictions.length, 1);
  };

  test('reference CSV deleted: an event names it, the server keeps answering from the loaded copy', async () => {
    const referenceText = readFileSync(reference);
    unlinkSync(reference);
    const text = await readUntil(/event: file-removed\ndata: [^\n]*reference\.csv/);
    const event = JSON.parse(/event: file-removed\ndata: ([^\n]*)/.exec(text)![1]);
    assert.equal(event.file, 'reference');
    assert.equal(event.path, reference);
    assert.match(event.message, /reference file reference\.csv was removed/);
    assert.equal(event.keptGeneration, 1);
    await predicts('after the reference was deleted');
    const description = (await (await fetch(`${server.url}/api/model`, { headers: server.ownerHeaders })).json()) as {
      reference: { rows: unknown[] } | null;
    };
    assert.ok(description.reference && description.reference.rows.length > 0, 'the form still has the last loaded sample rows');
    assert.equal(server.host.generation(), 1);
    // Live drift reads the file: a clear 409, not a 500 from an ENOENT.
    await postJson(`${server.url}/v1/models/flights:predict`, {
      instances: [
        ['UA', 'LAS', 2356, 17, 4],
        ['DL', 'DEN', 526, 22, 0],
      ],
    });
    const live = await postJson(`${server.url}/api/jobs/drift`, { source: 'live', options: {} }, server.ownerHeaders);
    assert.equal(live.status, 409, JSON.stringify(live.json));
    assert.match(JSON.stringify(live.json), /reference CSV reference\.csv was removed while serving/);

    // Back, with a changed row: an ordinary reload to generation 2.
    writeFileSync(reference, `${referenceText.toString('utf8').trimEnd()}\nDL,DEN,600,10,0,0\n`);
    await readUntil(/event: model-loaded\ndata: [^\n]*"generation":2/);
    await predicts('after the reference came back');
  });

  test('model file deleted: an event, and the last good model keeps serving', async () => {
    const generation = server.host.generation();
    unlinkSync(model);
    const text = await readUntil(/event: file-removed\ndata: [^\n]*flights\.onnx/);
    const event = JSON.parse([...text.matchAll(/event: file-removed\ndata: ([^\n]*)/g)].at(-1)![1]);
    assert.equal(event.file, 'model');
    assert.match(event.message, /model file flights\.onnx was removed; still serving the last good model/);
    assert.equal(event.keptGeneration, generation);
    await predicts('after the model was deleted');
    // A second pass (e.g. the sidecar changing) does not repeat the event.
    await server.host.reload('test');
    assert.equal(server.host.recentEvents().filter((e) => e.type === 'file-removed' && e.file === 'model').length, 1);
    assert.equal(server.host.generation(), generation);
    await predicts('after another reload pass');
  });
});
