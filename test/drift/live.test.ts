/**
 * Live drift on a real server (real onnxruntime session, real HTTP): rows served through v1, OIP and
 * the CSV route are logged as feature records; a `drift` job with `source: "live"` checks them against the reference
 * and agrees with the engine run on a CSV of the same rows; the log is bounded.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDrift } from '../../server/drift';
import { recordsFromTensors, ServedRows } from '../../server/serve/served-rows';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const MODEL = repoPath('samples/flights/flights.onnx');
const REFERENCE = repoPath('samples/flights/reference.csv');
const temp = mkdtempSync(join(tmpdir(), 'drift-live-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/** The first `n` rows of samples/flights/current.csv as typed records (no quoted cells in that file). */
function currentRows(n: number): Record<string, string | number>[] {
  const [header, ...lines] = readFileSync(repoPath('samples/flights/current.csv'), 'utf8').trim().split(/\r?\n/);
  const names = header.split(',');
  return lines.slice(0, n).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(names.map((name, i) => [name, /^-?\d+(\.\d+)?$/.test(cells[i]) ? Number(cells[i]) : cells[i]]));
  });
}

async function waitForJob(server: TestServer, id: string): Promise<any> {
  const owner = { headers: server.ownerHeaders }; // the drift routes are the owner's
  await (await fetch(`${server.url}/api/jobs/${id}/events`, owner)).text(); // the stream ends after `finished`
  return (await fetch(`${server.url}/api/jobs/${id}`, owner)).json();
}

test("200 served v1 rows → GET /api/drift/live says 200 → POST gives the engine's verdicts on those rows", async () => {
  const server = await startTestServer(MODEL, { host: { referenceCsv: REFERENCE } });
  try {
    const rows = currentRows(200);
    for (let i = 0; i < rows.length; i += 50) {
      // v1 instances as objects; the target column is not a feature and is dropped by the server.
      const instances = rows.slice(i, i + 50).map(({ delayed: _t, ...features }) => features);
      const res = await postJson(`${server.url}/v1/models/flights:predict`, { instances });
      assert.equal(res.status, 200, JSON.stringify(res.json));
    }
    const status = await (await fetch(`${server.url}/api/drift/live?token=${server.ownerToken}`)).json();
    assert.equal(status.rows, 200);
    assert.equal(status.total, 200);
    assert.equal(status.capacity, 10_000);
    assert.deepEqual(status.columns, ['carrier', 'origin', 'distance', 'dep_hour', 'day_of_week']);
    assert.ok(status.since);

    const started = await postJson(`${server.url}/api/jobs/drift?token=${server.ownerToken}`, { source: 'live', options: {} });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const job = await waitForJob(server, started.json.id);
    assert.equal(job.status, 'done', JSON.stringify(job.error));

    // The same rows as a CSV, through the engine directly.
    const csv = join(temp, 'served.csv');
    writeFileSync(
      csv,
      [
        'carrier,origin,distance,dep_hour,day_of_week',
        ...rows.map((r) => [r.carrier, r.origin, r.distance, r.dep_hour, r.day_of_week].join(',')),
      ].join('\n') + '\n',
    );
    const expected = await runDrift({ reference: REFERENCE, current: csv, columns: status.columns });
    const verdicts = (report: any) => report.columns.map((c: any) => [c.name, c.test, c.score, c.drift]);
    assert.deepEqual(verdicts(job.result), verdicts(expected));
    assert.deepEqual(job.result.dataset, expected.dataset);
    assert.equal(job.result.current.rows, 200);
    assert.equal(existsSync(job.result.current.file), false, 'the temp CSV of served rows is deleted after the check');
    assert.ok(
      job.result.columns.some((c: any) => c.drift),
      'current.csv has drifted columns: the check must find some',
    );
  } finally {
    await server.close();
  }
});

test('OIP and CSV requests are logged too, failed requests are not', async () => {
  const server = await startTestServer(MODEL, { host: { referenceCsv: REFERENCE } });
  try {
    const oip = {
      inputs: [
        { name: 'carrier', datatype: 'BYTES', shape: [2, 1], data: ['AA', 'DL'] },
        { name: 'origin', datatype: 'BYTES', shape: [2, 1], data: ['ATL', 'BOS'] },
        { name: 'distance', datatype: 'FP32', shape: [2, 1], data: [100.5, 2000.1] },
        { name: 'dep_hour', datatype: 'INT64', shape: [2, 1], data: [7, 22] },
        { name: 'day_of_week', datatype: 'INT64', shape: [2, 1], data: [1, 6] },
      ],
    };
    assert.equal((await postJson(`${server.url}/v2/models/flights/infer`, oip)).status, 200);
    const csv = await fetch(`${server.url}/v2/models/flights/predict-csv`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'carrier,origin,distance,dep_hour,day_of_week\nUA,DEN,526,22,0\n',
    });
    assert.equal(csv.status, 200);
    await csv.text();
    const status = await (await fetch(`${server.url}/api/drift/live?token=${server.ownerToken}`)).json();
    assert.equal(status.rows, 3);
    // A failed request (bad value) is not logged.
    const bad = await postJson(`${server.url}/v1/models/flights:predict`, {
      instances: [{ carrier: 'AA', origin: 'ATL', distance: 'far', dep_hour: 1, day_of_week: 1 }],
    });
    assert.equal(bad.status, 400);
    assert.equal((await (await fetch(`${server.url}/api/drift/live?token=${server.ownerToken}`)).json()).rows, 3);
  } finally {
    await server.close();
  }
});

test('recordsFromTensors inverts packed and per-column inputs; float32 values read back short', () => {
  const signature = {
    source: 'csv',
    task: 'regression',
    features: [
      { name: 'a', kind: 'number', input: 'x', column: 0 },
      { name: 'b', kind: 'number', input: 'x', column: 1 },
      { name: 'c', kind: 'category', input: 'c' },
    ],
    inputs: [
      { tensor: 'x', dtype: 'float32', dims: [null, 2], kind: 'packed', features: ['a', 'b'] },
      { tensor: 'c', dtype: 'string', dims: [null, 1], kind: 'column', features: ['c'] },
    ],
    outputs: [],
    batch: { dynamic: true },
    notes: [],
  } as any;
  const rows = recordsFromTensors(signature, [
    { name: 'x', dtype: 'float32', dims: [2, 2], data: Float32Array.from([0.1, 2, 3.25, -4]) },
    { name: 'c', dtype: 'string', dims: [2, 1], data: ['p', 'q'] },
  ]);
  assert.deepEqual(rows, [
    { a: 0.1, b: 2, c: 'p' },
    { a: 3.25, b: -4, c: 'q' },
  ]);
  // Shapes that do not match the signature are not guessed at.
  assert.equal(recordsFromTensors(signature, [{ name: 'x', dtype: 'float32', dims: [1, 3], data: new Float32Array(3) }]), null);
});

test('the log keeps the newest rows up to its capacity and appends every row to the JSONL file', async () => {
  const jsonl = join(temp, 'served.jsonl');
  const log = new ServedRows({ capacity: 50, jsonlFile: jsonl });
  for (let i = 0; i < 120; i++) log.add([{ n: i, s: i % 2 ? 'a,b' : 'c' }], ['n', 's']);
  const status = log.status();
  assert.equal(status.rows, 50);
  assert.equal(status.total, 120);
  assert.deepEqual(
    log.snapshot().map((r) => r.n),
    Array.from({ length: 50 }, (_, i) => 70 + i),
  );
  const csv = join(temp, 'log.csv');
  assert.equal(await log.writeCsv(csv), 50);
  const lines = readFileSync(csv, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'n,s');
  assert.equal(lines[1], '70,c');
  assert.equal(lines[2], '71,"a,b"');
  await log.close();
  const written = readFileSync(jsonl, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(written.length, 120);
  assert.deepEqual(written[119].row, { n: 119, s: 'a,b' });
});

test('live drift without a reference or without rows is a 400 that says what to do', async () => {
  const server = await startTestServer(MODEL);
  try {
    const noReference = await postJson(`${server.url}/api/jobs/drift?token=${server.ownerToken}`, { source: 'live' });
    assert.equal(noReference.status, 400);
    assert.match(noReference.json.error, /--reference/);
  } finally {
    await server.close();
  }
  const withRef = await startTestServer(MODEL, { host: { referenceCsv: REFERENCE } });
  try {
    const empty = await postJson(`${withRef.url}/api/jobs/drift?token=${withRef.ownerToken}`, { source: 'live' });
    assert.equal(empty.status, 400);
    assert.match(empty.json.error, /served 0 row/);
    const files = await (await fetch(`${withRef.url}/api/drift/files?token=${withRef.ownerToken}`)).json();
    assert.ok(
      files.files.some((f: any) => f.path === REFERENCE),
      "the model folder's reference.csv is listed",
    );
    assert.ok(files.statTests.some((t: any) => t.name === 'ks'));
  } finally {
    await withRef.close();
  }
});
