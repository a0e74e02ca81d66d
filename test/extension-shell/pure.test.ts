/** Pure parts of the extension: the serve contract, ready line, back-off, metrics count, overview page, CLI runner. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { cliErrorMessage, runCli } from '../../extension/cli-run';
import { parseReadyLine, requestCountFromMetrics, restartDelayMs, serveArguments } from '../../extension/model-server/cli-contract';
import { formatShape, renderOverviewPage, type ModelOverview } from '../../extension/views/overview-html';
import { repoPath } from '../helpers/server';

const cli = { nodePath: process.execPath, cliPath: repoPath('dist/server/cli.js') };

describe('server contract', () => {
  test('serve arguments always require tokens and carry the settings', () => {
    const args = serveArguments('/m/a b.onnx', {
      port: 0,
      host: '127.0.0.1',
      referenceCsv: '/m/ref.csv',
      batching: { enabled: false, maxBatchSize: 8, maxDelayMs: 1 },
      shareExpiryMinutes: 30,
      corsOrigins: ['https://x.example'],
    });
    assert.deepEqual(args, [
      'serve',
      '/m/a b.onnx',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--require-token',
      '--share-expiry-minutes',
      '30',
      '--reference',
      '/m/ref.csv',
      '--no-batching',
      '--cors-origin',
      'https://x.example',
    ]);
  });

  test('ready line parsing', () => {
    assert.deepEqual(parseReadyLine('{"event":"ready","url":"http://127.0.0.1:4321","model":"iris","pid":7}'), {
      url: 'http://127.0.0.1:4321',
      port: 4321,
      model: 'iris',
      pid: 7,
    });
    assert.equal(parseReadyLine('{"event":"ready","url":"http://0.0.0.0:8080"}')!.url, 'http://127.0.0.1:8080');
    for (const line of ['', 'model-lab: serving', '{"event":"other"}', '{bad json', '{"event":"ready","url":"nope"}'])
      assert.equal(parseReadyLine(line), undefined, line);
  });

  test('restart back-off doubles and is capped', () => {
    assert.deepEqual([1, 2, 3, 4, 10].map(restartDelayMs), [1000, 2000, 4000, 8000, 30000]);
  });

  test('request count from Prometheus text ignores the metrics scrapes', () => {
    const text = [
      '# HELP http_requests_total x',
      '# TYPE http_requests_total counter',
      'http_requests_total{route="/api/model",method="GET",status="200"} 3',
      'http_requests_total{route="/metrics",method="GET",status="200"} 50',
      'http_requests_total{route="/v2/models/:model/infer",method="POST",status="200"} 4',
      'http_request_duration_seconds_count 9',
    ].join('\n');
    assert.equal(requestCountFromMetrics(text), 7);
  });
});

describe('model overview page (custom editor)', () => {
  test('renders the real `info --json` of a sample with escaping and a strict CSP', async () => {
    const result = await runCli(['info', repoPath('samples/iris/iris.onnx'), '--json'], cli);
    assert.equal(result.code, 0, result.stderr);
    const overview = JSON.parse(result.stdout) as ModelOverview;
    overview.info.docString = '<script>alert(1)</script>';
    overview.signature.notes.push('<img src=x onerror=alert(1)>');
    const html = renderOverviewPage(overview, { nonce: 'abcdefghijklmnop1234', cspSource: 'vscode-resource:' });
    assert.match(html.replace(/&#39;/g, "'"), /script-src 'nonce-abcdefghijklmnop1234'/);
    assert.ok(!html.includes('<img src=x'), 'notes are escaped');
    assert.match(html, /Start server and open the lab/);
    for (const t of overview.info.inputs) assert.ok(html.includes(t.name) && html.includes(formatShape(t.dims)), t.name);
    assert.match(html, /ZipMap|Identity|LinearClassifier|class="bar"/);
    assert.ok(html.includes(overview.info.parameterCount.toLocaleString('en-US')));
    // Where each part of the signature came from (signature.origins), not one "from metadata" label.
    const text = html.replace(/&#39;/g, "'");
    assert.match(text, /<dt>Inputs from<\/dt><dd>'float_input' \(4\) named by the model's metadata_props<\/dd>/);
    assert.match(text, /<dt>Task from<\/dt><dd>the outputs \('output_label' label/);
    assert.match(text, /<dt>Class names from<\/dt><dd>the ZipMap's labels<\/dd>/);
    assert.doesNotMatch(text, /Signature from/);
  });

  test("an unreadable model shows the CLI's own message", async () => {
    const result = await runCli(['info', repoPath('package.json'), '--json'], cli);
    assert.notEqual(result.code, 0);
    const html = renderOverviewPage(undefined, { nonce: 'abcdefghijklmnop1234', cspSource: 'x', error: cliErrorMessage(result) });
    assert.match(html, /Cannot read this model/);
    assert.ok(cliErrorMessage(result).length > 5);
  });

  test('formatShape shows unknown dimensions as ?', () => {
    assert.equal(formatShape([null, 4, 'batch', -1]), '[?, 4, batch, ?]');
  });

  test('a CLI run can be cancelled', async () => {
    const abort = new AbortController();
    const run = runCli(['serve', repoPath('samples/iris/iris.onnx'), '--port', '0'], { ...cli, signal: abort.signal });
    setImmediate(() => abort.abort());
    await assert.rejects(run, /cancelled/);
  });
});
