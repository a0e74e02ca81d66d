/**
 * The planner's routes on a real server after a real (short) load test job: plan from the job, refuse bad
 * input with a 4xx naming the field, save beside the model and plan from the saved plan without a job
 * id, download the report; owner only.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { JobState } from '../../server/protocol/jobs';
import type { CapacityPlan, LoadTestReport, SavedPlanInfo } from '../../server/protocol/loadtest';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const input = { averageTps: 10, peakTps: 100, p99TargetMs: 60_000, targetVcpus: 2, hourlyPrice: 0.1 };

describe('capacity planner routes', () => {
  let server: TestServer;
  let jobId: string;
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-capacity-routes-'));
  const model = join(dir, 'breast_cancer.onnx');

  before(async () => {
    copyFileSync(repoPath('samples/breast-cancer/breast_cancer.onnx'), model);
    server = await startTestServer(model, { host: { referenceCsv: repoPath('samples/breast-cancer/reference.csv') } });
    const started = await postJson(
      `${server.url}/api/jobs/loadtest`,
      { url: server.url, concurrency: [1, 2], stepSeconds: 0.5, p99TargetMs: 60_000 },
      server.ownerHeaders,
    );
    assert.equal(started.status, 202, JSON.stringify(started.json));
    jobId = (started.json as JobState).id;
    for (;;) {
      const state = (await (await fetch(`${server.url}/api/jobs/${jobId}`, { headers: server.ownerHeaders })).json()) as JobState;
      if (state.status !== 'running') {
        assert.equal(state.status, 'done', JSON.stringify(state.error));
        break;
      }
      await sleep(200);
    }
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('plans from a finished load test', async () => {
    const r = await postJson(`${server.url}/api/perf/capacity`, { id: jobId, input }, server.ownerHeaders);
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const plan = (r.json as { plan: CapacityPlan }).plan;
    assert.ok(plan.perReplicaTps > 0);
    assert.ok(plan.replicasAtPeak >= plan.replicasAtAverage);
    assert.ok(plan.costPer1M.autoscaled > plan.costPer1000.autoscaled);
  });

  it('refuses bad input with a 4xx naming the field, and an unknown load test with a 404', async () => {
    const missing = await postJson(
      `${server.url}/api/perf/capacity`,
      { id: jobId, input: { ...input, hourlyPrice: undefined } },
      server.ownerHeaders,
    );
    assert.equal(missing.status, 400);
    assert.match(JSON.stringify(missing.json), /hourlyPrice/);
    const backwards = await postJson(
      `${server.url}/api/perf/capacity`,
      { id: jobId, input: { ...input, peakTps: 1 } },
      server.ownerHeaders,
    );
    assert.equal(backwards.status, 400);
    assert.match(JSON.stringify(backwards.json), /peak traffic must be at least the average/);
    const unknown = await postJson(`${server.url}/api/perf/capacity`, { id: 'nope', input }, server.ownerHeaders);
    assert.equal(unknown.status, 404);
    assert.match(JSON.stringify(unknown.json), /no finished load test 'nope'/);
    const noPlan = await postJson(`${server.url}/api/perf/capacity`, { input }, server.ownerHeaders);
    assert.equal(noPlan.status, 404);
    assert.match(JSON.stringify(noPlan.json), /run the load test first/);
  });

  it('is the owner’s: no token, no plan, no save, no report', async () => {
    assert.ok((await postJson(`${server.url}/api/perf/capacity`, { id: jobId, input })).status >= 401);
    assert.ok((await postJson(`${server.url}/api/perf/capacity/save`, { id: jobId, input })).status >= 401);
    assert.ok((await fetch(`${server.url}/api/perf/loadtest/report/${jobId}`)).status >= 401);
    assert.equal(existsSync(join(dir, 'breast_cancer.capacity-plan.json')), false);
  });

  it('saves the plan beside the model; later plans need no job id', async () => {
    const none = (await (await fetch(`${server.url}/api/perf/capacity`, { headers: server.ownerHeaders })).json()) as SavedPlanInfo;
    assert.deepEqual(none, { file: 'breast_cancer.capacity-plan.json', saved: null, problem: null });
    const saved = await postJson(`${server.url}/api/perf/capacity/save`, { id: jobId, input }, server.ownerHeaders);
    assert.equal(saved.status, 200, JSON.stringify(saved.json));
    assert.equal((saved.json as { file: string }).file, 'breast_cancer.capacity-plan.json');
    assert.ok(existsSync(join(dir, 'breast_cancer.capacity-plan.json')));
    const info = (await (await fetch(`${server.url}/api/perf/capacity`, { headers: server.ownerHeaders })).json()) as SavedPlanInfo;
    assert.equal(info.saved?.plan.input.peakTps, 100);
    assert.equal(info.saved?.report.steps.length, 2);
    const again = await postJson(`${server.url}/api/perf/capacity`, { input: { ...input, peakTps: 1e6 } }, server.ownerHeaders);
    assert.equal(again.status, 200);
    assert.ok((again.json as { plan: CapacityPlan }).plan.replicasAtPeak > info.saved.plan.replicasAtPeak);
  });

  it('downloads the report as a JSON attachment', async () => {
    const res = await fetch(`${server.url}/api/perf/loadtest/report/${jobId}`, { headers: server.ownerHeaders });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="breast_cancer-loadtest-\d+T\d+\.json"/);
    const report = (await res.json()) as LoadTestReport;
    assert.deepEqual(
      report.steps.map((s) => s.concurrency),
      [1, 2],
    );
  });
});
