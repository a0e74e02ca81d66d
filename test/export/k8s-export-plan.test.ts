/**
 * The export picks up the capacity plan saved beside the model: `exportBundle` with the k8s and kserve
 * targets writes replicas, HPA bounds, CPU and KServe concurrency from the plan, commented with the
 * measurement, and its own schema checks pass; the same export without a plan keeps the defaults and
 * says how to make a plan.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments, parseDocument } from 'yaml';
import { planCapacity, savePlan } from '../../server/capacity/index';
import { exportBundle } from '../../server/export/index';
import type { LoadStep, LoadTestReport } from '../../server/protocol/loadtest';
import { repoPath } from '../helpers/server';

const step = (concurrency: number, throughput: number, p99Ms: number): LoadStep => ({
  concurrency,
  offeredRate: null,
  seconds: 1,
  requests: throughput,
  ok: throughput,
  errors: 0,
  errorRate: 0,
  throughput,
  rowsPerSecond: throughput,
  p50Ms: p99Ms / 3,
  p90Ms: p99Ms / 2,
  p99Ms,
  maxMs: p99Ms,
  statuses: { '200': throughput },
  firstError: null,
});

const report: LoadTestReport = {
  kind: 'model-lab-loadtest',
  schemaVersion: 1,
  date: '2026-12-01T19:02:11.408Z',
  target: {
    url: 'http://127.0.0.1:1',
    model: 'breast_cancer',
    route: '/v2/models/breast_cancer/infer',
    rowsPerRequest: 1,
    distinctBodies: 1,
  },
  machine: { cpu: 'Test CPU', cores: 2, node: 'v20' },
  mode: 'concurrency',
  stepSeconds: 1,
  p99TargetMs: 10,
  steps: [step(1, 200, 1.5), step(2, 380, 3), step(8, 400, 9.5)],
  knee: { step: 1, concurrency: 2, offeredRate: null, throughput: 380, p99Ms: 3, reason: 'test' },
  sustainable: { step: 2, throughput: 400, rowsPerSecond: 400, p99Ms: 9.5, concurrency: 8, offeredRate: null },
  notes: [],
};

const docOf = (text: string) => parseAllDocuments(text)[0].toJS();
const commentAt = (text: string, path: (string | number)[]) =>
  (parseDocument(text).getIn(path, true) as { comment?: string } | undefined)?.comment;

describe('Kubernetes / KServe export and the saved capacity plan', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-k8s-plan-'));
  const withPlan = join(dir, 'planned', 'breast_cancer.onnx');
  const withoutPlan = join(dir, 'plain', 'breast_cancer.onnx');

  before(async () => {
    for (const p of [withPlan, withoutPlan]) {
      mkdirSync(join(p, '..'), { recursive: true });
      copyFileSync(repoPath('samples/breast-cancer/breast_cancer.onnx'), p);
    }
    // 400 req/s at p99 9.5 ms on 2 cores → 800 req/s per 4-vCPU replica: 2 replicas at 1,000 TPS, 7 at 5,000.
    const plan = planCapacity({ averageTps: 1000, peakTps: 5000, p99TargetMs: 10, targetVcpus: 4, hourlyPrice: 0.3 }, report);
    await savePlan(withPlan, 'breast_cancer', report, plan);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('with a saved plan: values from the plan, commented with the measurement; checks pass', async () => {
    const out = join(dir, 'bundle-planned');
    const result = await exportBundle(withPlan, { outDir: out, targets: ['k8s', 'kserve'] });
    for (const c of result.checks) assert.equal(c.status, 'pass', `${c.name}: ${c.detail}`);

    const deployment = readFileSync(join(out, 'k8s/deployment.yaml'), 'utf8');
    const dep = docOf(deployment);
    assert.equal(dep.spec.replicas, 2);
    assert.equal(dep.spec.template.spec.containers[0].resources.limits.cpu, '4');
    assert.match(
      commentAt(deployment, ['spec', 'replicas'])!,
      /1000 TPS ÷ 800 req\/s per replica at p99 9\.5 ms \(load test 2026-12-01, 2 cores\) → 2/,
    );
    assert.match(deployment, /# Sized from the capacity plan of 'breast_cancer'/);

    const hpaText = readFileSync(join(out, 'k8s/hpa.yaml'), 'utf8');
    const hpa = docOf(hpaText);
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 7]);
    assert.match(commentAt(hpaText, ['spec', 'maxReplicas'])!, /peak 5000 TPS/);

    const isvcText = readFileSync(join(out, 'kserve/inferenceservice.yaml'), 'utf8');
    const isvc = docOf(isvcText);
    assert.deepEqual(
      [isvc.spec.predictor.minReplicas, isvc.spec.predictor.maxReplicas, isvc.spec.predictor.containerConcurrency],
      [2, 7, 2],
    );
    assert.match(commentAt(isvcText, ['spec', 'predictor', 'containerConcurrency'])!, /knee of the load test: 2 concurrent requests/);
  });

  it('without a plan: the defaults and a comment on how to make one; checks pass', async () => {
    const out = join(dir, 'bundle-plain');
    const result = await exportBundle(withoutPlan, { outDir: out, targets: ['k8s', 'kserve'] });
    for (const c of result.checks) assert.equal(c.status, 'pass', `${c.name}: ${c.detail}`);
    const deployment = readFileSync(join(out, 'k8s/deployment.yaml'), 'utf8');
    assert.equal(docOf(deployment).spec.replicas, 2);
    assert.match(deployment, /# No capacity plan was saved for this model/);
    assert.match(deployment, /Performance tab → Load test/);
    const hpa = docOf(readFileSync(join(out, 'k8s/hpa.yaml'), 'utf8'));
    assert.deepEqual([hpa.spec.minReplicas, hpa.spec.maxReplicas], [2, 10]);
    const isvc = docOf(readFileSync(join(out, 'kserve/inferenceservice.yaml'), 'utf8'));
    assert.deepEqual([isvc.spec.predictor.minReplicas, isvc.spec.predictor.maxReplicas], [1, 5]);
    assert.equal(isvc.spec.predictor.containerConcurrency, undefined);
  });
});
