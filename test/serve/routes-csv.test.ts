/**
 * Streaming CSV batch route on real models: CSV / JSON array / NDJSON output, a bad row in the middle,
 * malformed CSV before and after the first chunk, column matching, and no body limit.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { repoPath, startTestServer, type TestServer } from '../helpers/server';

const irisCsv = readFileSync(repoPath('samples/iris/reference.csv'), 'utf8');
const irisLines = irisCsv.trim().split('\n');
const HEADER = irisLines[0];

/** Header + the first `n` data rows, with row `bad` (1-based data row) given a non-number width. */
function csvWithBadRow(n: number, bad: number): string {
  const rows = irisLines.slice(1, n + 1).map((line, i) => (i + 1 === bad ? line.replace(/^([^,]+),([^,]+)/, '$1,abc') : line));
  return [HEADER, ...rows].join('\n') + '\n';
}

async function postCsv(url: string, body: string, accept?: string): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'text/csv', ...(accept ? { accept } : {}) }, body });
}

describe('CSV batch on iris (chunks of 4 rows)', () => {
  let server: TestServer;
  // A tiny body limit proves the streaming route is exempt from it; small chunks exercise chunking.
  before(async () => {
    server = await startTestServer(repoPath('samples/iris/iris.onnx'), { app: { csvChunkRows: 4, bodyLimitBytes: 1024 } });
  });
  after(() => server.close());

  test('CSV out: input columns + label + p_<class> + error; a bad row does not stop the stream', async () => {
    const res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, csvWithBadRow(10, 6));
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    const rows: string[][] = parse(await res.text());
    assert.deepEqual(rows[0], [...HEADER.split(','), 'label', 'p_setosa', 'p_versicolor', 'p_virginica', 'error']);
    assert.equal(rows.length, 11);
    const data = rows.slice(1);
    data.forEach((row, i) => {
      if (i === 5) {
        assert.equal(row[5], '');
        assert.equal(row[9], 'line 7, column sepal width (cm): expected a float32 number, got "abc"');
      } else {
        assert.equal(row[9], '', `row ${i}: ${row[9]}`);
        assert.equal(row[5], row[4], `row ${i}: predicted ${row[5]}, species ${row[4]}`); // iris is easy: first rows are right
        const sum = Number(row[6]) + Number(row[7]) + Number(row[8]);
        assert.ok(Math.abs(sum - 1) < 1e-5);
      }
    });
  });

  test('JSON array out (Accept: application/json) parses as one array', async () => {
    const res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, csvWithBadRow(9, 2), 'application/json');
    assert.equal(res.status, 200);
    const items = JSON.parse(await res.text());
    assert.equal(items.length, 9);
    assert.equal(items[0].line, 2);
    assert.equal(items[0].input.species, 'versicolor');
    assert.equal(items[0].prediction.label, 'versicolor');
    assert.equal(items[1].prediction, undefined);
    assert.match(items[1].error, /^line 3, column sepal width \(cm\): expected a float32 number/);
  });

  test('NDJSON out: one object per line', async () => {
    const res = await postCsv(`${server.url}/predict`, csvWithBadRow(5, 99), 'application/x-ndjson');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/x-ndjson/);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 5);
    assert.deepEqual(
      lines.map((l) => l.line),
      [2, 3, 4, 5, 6],
    );
    assert.ok(lines.every((l) => typeof l.prediction.label === 'string'));
  });

  test('a whole reference file (150 rows, ≫ the 1 KiB body limit) streams through', async () => {
    const res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, irisCsv);
    assert.equal(res.status, 200);
    const rows: Record<string, string>[] = parse(await res.text(), { columns: true });
    assert.equal(rows.length, 150);
    const correct = rows.filter((r) => r.label === r.species).length;
    assert.ok(correct >= 140, `accuracy ${correct}/150`);
  });

  test('malformed CSV after the first chunk ends the stream with an error row', async () => {
    const body = [HEADER, ...irisLines.slice(1, 9), '6.1,"2.8,4,1.3,versicolor', ...irisLines.slice(9, 12)].join('\n');
    const res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, body, 'application/x-ndjson');
    assert.equal(res.status, 200);
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 9);
    assert.ok(lines.slice(0, 8).every((l) => l.prediction));
    assert.match(lines[8].error, /^malformed CSV in the record starting at line 10: Quote Not Closed/);
  });

  test('problems before anything is streamed are a plain 400', async () => {
    let res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, `${HEADER}\n6.1,"2.8,4,1.3,versicolor\n`);
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /^malformed CSV in the record starting at line 2: /);
    res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, '');
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /empty/);
    res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, 'a,b,c\n1,2,3\n');
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, /no column for feature\(s\) sepal length \(cm\)/);
    res = await fetch(`${server.url}/v2/models/iris/predict-csv`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(res.status, 415);
    res = await postCsv(`${server.url}/v2/models/roses/predict-csv`, irisCsv);
    assert.equal(res.status, 404);
  });

  test('columns are matched by position when the names differ but the width fits; wrong-width rows are errors', async () => {
    const res = await postCsv(`${server.url}/v2/models/iris/predict-csv`, 'a,b,c,d\n6.1,2.8,4,1.3\n6.1,2.8\n', 'application/json');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-model-lab-columns'), 'position');
    const items = JSON.parse(await res.text());
    assert.equal(items[0].prediction.label, 'versicolor');
    assert.equal(items[1].error, 'line 3: expected 4 columns like the header, got 2');
  });
});

describe('CSV batch on a fixed-batch model', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('test/fixtures/models/fixed_batch.onnx'), { app: { csvChunkRows: 8 } });
  });
  after(() => server.close());

  test('runs one row per session.run (batch size 1) and still reports a bad row alone', async () => {
    const body = 'feature_0,feature_1,feature_2\n1,2,3\n4,5,6\nx,0,0\n7,8,9\n';
    const res = await postCsv(`${server.url}/v2/models/fixed_batch/predict-csv`, body);
    assert.equal(res.status, 200);
    const rows: string[][] = parse(await res.text());
    assert.deepEqual(rows[0].slice(0, 3), ['feature_0', 'feature_1', 'feature_2']);
    const errorAt = rows[0].indexOf('error');
    assert.equal(rows.length, 5);
    assert.equal(rows[1][errorAt], '');
    assert.equal(rows[2][errorAt], '');
    assert.match(rows[3][errorAt], /line 4, column feature_0: expected a float32 number, got "x"/);
    assert.equal(rows[4][errorAt], '');
    assert.notEqual(rows[1][3], rows[2][3], 'each row got its own prediction');
  });
});
