/**
 * The drift job on a real HTTP server (Hono on an ephemeral 127.0.0.1 port, the one job runner and its
 * routes): a job from POST /api/jobs/drift to report, SSE progress, cancellation, and paths outside the
 * allowed folders refused before any read.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { runDrift } from '../../server/drift';
import { ModelLabError } from '../../server/protocol/errors';
import { mountJobRoutes } from '../../server/serve/jobs/routes';
import { createJobRunner } from '../../server/serve/jobs/runner';
import { registerDriftRoutes } from '../../server/serve/routes/drift';
import { FIXTURES, fixture } from './helpers';

let server: ServerType;
let url = '';
const big = mkdtempSync(join(tmpdir(), 'drift-http-'));
const outsideDir = mkdtempSync(join(tmpdir(), 'drift-outside-'));

before(async () => {
  const app = new Hono();
  const jobs = createJobRunner({ log: () => undefined });
  app.onError((err, c) => (err instanceof ModelLabError ? c.json({ error: err.message }, err.status) : c.json({ error: 'internal' }, 500)));
  mountJobRoutes(app, jobs);
  registerDriftRoutes(app, jobs, { allowedRoots: [FIXTURES, big] });
  server = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const d of [big, outsideDir]) rmSync(d, { recursive: true, force: true });
});

const post = async (body: Record<string, unknown>) => {
  const res = await fetch(`${url}/api/jobs/drift`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'files', ...body }),
  });
  return { status: res.status, json: await res.json() };
};

/** Reads the SSE stream to its `finished` event; returns the event names in order and the final job state. */
async function followEvents(id: string): Promise<{ events: string[]; finished: any }> {
  const res = await fetch(`${url}/api/jobs/${id}/events`);
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'text/event-stream');
  const text = await res.text(); // the server ends the stream after `finished`
  const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  const data = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
  return { events, finished: data.at(-1).state };
}

test('POST → SSE → GET gives the same report as the engine', async () => {
  const body = { reference: fixture('large_reference.csv'), current: fixture('large_current.csv'), options: { mmd: false } };
  const started = await post(body);
  assert.equal(started.status, 202);
  assert.equal(started.json.status, 'running');
  const { events, finished } = await followEvents(started.json.id);
  assert.equal(events.at(-1), 'finished');
  assert.equal(finished.status, 'done');
  const res = await fetch(`${url}/api/jobs/${started.json.id}`);
  const job = await res.json();
  const direct = await runDrift({ reference: fixture('large_reference.csv'), current: fixture('large_current.csv'), mmd: false });
  assert.deepEqual(job.result.columns, JSON.parse(JSON.stringify(direct.columns)));
  assert.deepEqual(job.result.dataset, JSON.parse(JSON.stringify(direct.dataset)));
});

test('paths outside the allowed folders are refused (absolute, ../ traversal, symlink out)', async () => {
  const inside = fixture('small_reference.csv');
  const outside = join(outsideDir, 'secret.csv');
  writeFileSync(outside, 'a\n1\n');
  const link = join(big, 'link.csv');
  symlinkSync(outside, link);
  for (const bad of [outside, `${FIXTURES}/../../../package.json`, link]) {
    const r = await post({ reference: inside, current: bad });
    assert.equal(r.status, 403, `${bad}: ${JSON.stringify(r.json)}`);
    assert.match(r.json.error, /^current: .* outside the folders/);
  }
  const model = await post({ reference: inside, current: inside, options: { model: outside } });
  assert.equal(model.status, 403);
  assert.equal((await post({ reference: join(FIXTURES, 'nope.csv'), current: inside })).status, 404);
  assert.equal((await post({ reference: inside })).status, 400);
  assert.equal((await post({ reference: inside, current: inside, options: { driftShare: 3 } })).status, 400);
});

test('a malformed CSV fails the job with the line and column, not the server', async () => {
  const bad = join(big, 'bad.csv');
  writeFileSync(bad, 'a,b\n1,2\n3\n');
  const started = await post({ reference: bad, current: bad });
  const { finished } = await followEvents(started.json.id);
  assert.equal(finished.status, 'failed');
  assert.match(finished.error.message, /line 3, column 2/);
});

test('DELETE cancels a running check', async () => {
  const file = join(big, 'big.csv');
  const out = createWriteStream(file);
  out.write('x,y\n');
  let chunk = '';
  for (let i = 0; i < 1_500_000; i++) {
    chunk += `${(i * 7919) % 1000003},${i % 97}\n`;
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = '';
    }
  }
  out.write(chunk);
  await new Promise<void>((resolve) => out.end(() => resolve()));
  const started = await post({ reference: file, current: file });
  const del = await fetch(`${url}/api/jobs/${started.json.id}`, { method: 'DELETE' });
  assert.equal(del.status, 202);
  const { finished } = await followEvents(started.json.id);
  assert.equal(finished.status, 'cancelled');
  assert.equal((await fetch(`${url}/api/jobs/not-a-job`)).status, 404);
});

test("relative paths are read from the first allowed folder (the model's); '../' out of it is refused", async () => {
  const started = await post({ reference: 'small_reference.csv', current: 'small_current.csv', options: { mmd: false } });
  assert.equal(started.status, 202, JSON.stringify(started.json));
  const { finished } = await followEvents(started.json.id);
  assert.equal(finished.status, 'done');
  assert.equal(finished.result.reference.file, fixture('small_reference.csv'));
  const out = await post({ reference: 'small_reference.csv', current: '../../../etc/passwd.csv' });
  assert.equal(out.status, 403);
  assert.match(out.json.error, /Pick a file from the suggestions under the field, or type a path inside one of those folders/);
  const missing = await post({ reference: 'small_reference.csv', current: 'nope.csv' });
  assert.equal(missing.status, 404);
  assert.match(missing.json.error, /^current: no such file 'nope\.csv' in .*; pick one from the suggestions/);
});

test('the target the tab sends is tested apart when the files have it, and ignored when they do not', async () => {
  const withTarget = await post({
    reference: 'target_reference.csv',
    current: 'target_current.csv',
    options: { target: 'label', mmd: false },
  });
  const done = (await followEvents(withTarget.json.id)).finished;
  assert.equal(done.result.target.name, 'label');
  assert.deepEqual(
    done.result.columns.map((c: { name: string }) => c.name),
    ['x', 'y'],
  );
  const without = await post({ reference: 'small_reference.csv', current: 'small_current.csv', options: { target: 'label', mmd: false } });
  const other = (await followEvents(without.json.id)).finished;
  assert.equal(other.status, 'done');
  assert.equal(other.result.target, null);
  assert.equal(other.result.options.target, null);
});

test('GET /api/drift/reports/{id} downloads a finished check as HTML or JSON; unknown ids and formats are 4xx', async () => {
  const started = await post({
    reference: 'target_reference.csv',
    current: 'target_current.csv',
    options: { target: 'label', mmd: false },
  });
  const { finished } = await followEvents(started.json.id);
  const html = await fetch(`${url}/api/drift/reports/${started.json.id}?format=html`);
  assert.equal(html.status, 200);
  assert.match(html.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(html.headers.get('content-disposition') ?? '', /^attachment; filename="drift-report-.+\.html"$/);
  const page = await html.text();
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /Target drift: <code>label<\/code>/);
  const json = await fetch(`${url}/api/drift/reports/${started.json.id}?format=json`);
  assert.deepEqual(await json.json(), finished.result);
  assert.equal((await fetch(`${url}/api/drift/reports/not-a-job?format=html`)).status, 404);
  assert.equal((await fetch(`${url}/api/drift/reports/${started.json.id}?format=pdf`)).status, 400);
});
