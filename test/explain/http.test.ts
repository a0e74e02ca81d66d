/**
 * The explain job on the real dev server (real host and onnxruntime session, Hono on an ephemeral
 * 127.0.0.1 port, owner-only /api routes): POST /api/jobs/explain → SSE progress → GET the report, the
 * same report as the engine's; the form's input explained ("Why?"); refusals; cancel.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { explainModel } from '../../server/explain/index';
import { loadModel } from '../../server/model/index';
import type { ExplainReport } from '../../server/protocol/explain';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

/** Reads the SSE stream to its `finished` event: the event names in order, the progress seen and the final state. */
async function follow(server: TestServer, id: string): Promise<{ events: string[]; progress: number[]; finished: any }> {
  const res = await fetch(`${server.url}/api/jobs/${id}/events`, { headers: server.ownerHeaders });
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'text/event-stream');
  const text = await res.text();
  const events = [...text.matchAll(/^event: (\w+)$/gm)].map((m) => m[1]);
  const data = [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
  return { events, progress: data.filter((d) => d.progress).map((d) => d.progress.done / d.progress.total), finished: data.at(-1).state };
}

describe('POST /api/jobs/explain on the breast-cancer model', () => {
  let server: TestServer;
  const model = repoPath('samples/breast-cancer/breast_cancer.onnx');
  const reference = repoPath('samples/breast-cancer/reference.csv');
  before(async () => {
    server = await startTestServer(model, { host: { referenceCsv: reference } });
  });
  after(() => server.close());
  const start = (body: unknown, headers = server.ownerHeaders) => postJson(`${server.url}/api/jobs/explain`, body, headers);

  it('needs the owner token', async () => {
    const res = await start({ methods: ['permutation'] }, {});
    assert.ok(res.status === 401 || res.status === 403, `status ${res.status}`);
  });

  it('runs on the reference CSV by default: progress events, then the same report as the engine', async () => {
    const body = {
      methods: ['permutation', 'pdp'],
      target: 'diagnosis',
      metric: 'roc_auc',
      nRepeats: 3,
      features: ['mean radius', 'worst area'],
      seed: 4,
    };
    const started = await start(body);
    assert.equal(started.status, 202, JSON.stringify(started.json));
    assert.equal(started.json.kind, 'explain');
    assert.match(started.json.summary, /breast_cancer\.onnx on reference\.csv/);
    const { events, progress, finished } = await follow(server, started.json.id);
    assert.equal(events.at(-1), 'finished');
    assert.ok(progress.length >= 2 && progress.every((p, i) => i === 0 || p >= progress[i - 1]), `progress ${progress.join(', ')}`);
    assert.equal(finished.status, 'done', JSON.stringify(finished.error));
    const job = (await (await fetch(`${server.url}/api/jobs/${started.json.id}`, { headers: server.ownerHeaders })).json()) as {
      result: ExplainReport;
    };
    const loaded = await loadModel(model, { referenceCsv: reference });
    try {
      const { target, metric, nRepeats, features, seed } = body;
      const direct = await explainModel({
        model: loaded,
        data: reference,
        methods: ['permutation', 'pdp'],
        target,
        metric: metric as 'roc_auc',
        nRepeats,
        features,
        seed,
      });
      assert.deepEqual(job.result.permutation, JSON.parse(JSON.stringify(direct.permutation)));
      assert.deepEqual(job.result.partialDependence, JSON.parse(JSON.stringify(direct.partialDependence)));
      assert.equal(job.result.permutation?.metricLabel, 'ROC AUC');
    } finally {
      await loaded.dispose();
    }
  });

  it("explains the form's input (a record) with SHAP: local values add up to its prediction", async () => {
    const record = Object.fromEntries(server.host.current().signature.features.map((f) => [f.name, f.example ?? f.min ?? 1]));
    const started = await start({ methods: ['shap'], record, globalRows: 0, background: 20, kernelSamples: 200 });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const { finished } = await follow(server, started.json.id);
    assert.equal(finished.status, 'done', JSON.stringify(finished.error));
    const job = (await (await fetch(`${server.url}/api/jobs/${started.json.id}`, { headers: server.ownerHeaders })).json()) as {
      result: ExplainReport;
    };
    const shap = job.result.shap!;
    assert.equal(shap.method, 'kernel');
    const local = shap.local!;
    assert.equal(local.row, null);
    assert.deepEqual(local.values, Object.values(record));
    local.shap.forEach((values, o) =>
      assert.ok(Math.abs(values.reduce((a, b) => a + b, 0) - (local.prediction[o] - shap.expectedValue[o])) < 1e-6),
    );
  });

  it('a finished explanation downloads as the CLI report (HTML, JSON, text); owner only; 404 and 400 in words', async () => {
    const started = await start({ methods: ['permutation'], target: 'diagnosis', nRepeats: 2, seed: 1 });
    assert.equal(started.status, 202, JSON.stringify(started.json));
    const { finished } = await follow(server, started.json.id);
    assert.equal(finished.status, 'done', JSON.stringify(finished.error));
    const url = (format: string) => `${server.url}/api/explain/reports/${started.json.id}?format=${format}`;
    const html = await fetch(url('html'), { headers: server.ownerHeaders });
    assert.equal(html.status, 200);
    assert.match(html.headers.get('content-type')!, /^text\/html/);
    assert.match(html.headers.get('content-disposition')!, /^attachment; filename="explain-report-.+\.html"$/);
    const page = await html.text();
    assert.match(page, /<svg/);
    assert.doesNotMatch(page, /<script|src="http|href="http/);
    const json = await fetch(url('json'), { headers: server.ownerHeaders });
    const report = (await json.json()) as ExplainReport;
    assert.equal(report.permutation?.features.length, 30);
    assert.equal(report.permutation?.target, 'diagnosis');
    const text = await (await fetch(url('text'), { headers: server.ownerHeaders })).text();
    assert.match(text, /Permutation importance/i);
    assert.ok([401, 403].includes((await fetch(url('html'))).status), 'no token, no report');
    const bad = await fetch(url('pdf'), { headers: server.ownerHeaders });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /format/);
    const missing = await fetch(`${server.url}/api/explain/reports/nope`, { headers: server.ownerHeaders });
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no finished explanation/);
  });

  it('refuses bad requests naming the field: unknown option, a path outside the allowed folders, a wrong target', async () => {
    const unknown = await start({ methods: ['permutation'], colour: 'red' });
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(unknown.json), /colour/);
    const badMethod = await start({ methods: ['lime'] });
    assert.equal(badMethod.status, 400);
    const outside = await start({ data: '/etc/passwd' });
    assert.equal(outside.status, 403);
    assert.match(outside.json.error, /data: .* outside the folders/);
    const started = await start({ methods: ['permutation'], target: 'nope' });
    assert.equal(started.status, 202);
    const { finished } = await follow(server, started.json.id);
    assert.equal(finished.status, 'failed');
    assert.equal(finished.error.field, 'target');
    assert.match(finished.error.message, /no column 'nope'/);
  });

  it('DELETE cancels a running explanation', async () => {
    const started = await start({ methods: ['shap'], shapMethod: 'kernel', kernelSamples: 20_000, globalRows: 200 });
    assert.equal(started.status, 202);
    const cancelled = await fetch(`${server.url}/api/jobs/${started.json.id}`, { method: 'DELETE', headers: server.ownerHeaders });
    assert.equal(cancelled.status, 202);
    const { finished } = await follow(server, started.json.id);
    assert.equal(finished.status, 'cancelled');
    assert.equal(finished.result, null);
  });
});
