/**
 * The capacity plan → Kubernetes / KServe manifests mapping (server/export/k8s/plan-sizing.ts): replicas,
 * HPA bounds and target, CPU requests/limits and KServe min/max/containerConcurrency come from the plan,
 * each commented with the measurement it came from; without a plan the defaults stay and a comment says
 * how to make one; the manifests still validate either way.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { planCapacity } from '../../server/capacity/index';
import { loadSavedPlan, planPathBeside, savePlan } from '../../server/capacity/saved';
import { deploymentObjects, inferenceServiceObject, renderInferenceService, renderK8sYaml } from '../../server/export/k8s/manifests';
import { cpuQuantity, defaultSizing, sizingForModel, sizingFromPlan } from '../../server/export/k8s/plan-sizing';
import { validateInferenceServiceYaml, validateK8sYaml } from '../../server/export/k8s/validate';
import type { LoadStep, LoadTestReport, SavedCapacityPlan } from '../../server/protocol/loadtest';

function step(concurrency: number, throughput: number, p99Ms: number): LoadStep {
  return {
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
    maxMs: p99Ms * 2,
    statuses: { '200': throughput },
    firstError: null,
  };
}

/** A 2-core machine: 412 req/s at 4 clients (p99 8.1 ms), the knee; more clients add little and wait longer. */
const report: LoadTestReport = {
  kind: 'model-lab-loadtest',
  schemaVersion: 1,
  date: '2026-12-01T19:02:11.408Z',
  target: {
    url: 'http://127.0.0.1:8080',
    model: 'breast_cancer',
    route: '/v2/models/breast_cancer/infer',
    rowsPerRequest: 1,
    distinctBodies: 256,
  },
  machine: { cpu: 'Test CPU', cores: 2, node: 'v20' },
  mode: 'concurrency',
  stepSeconds: 1,
  p99TargetMs: 20,
  steps: [step(1, 150, 2), step(2, 290, 4), step(4, 412, 8.1), step(8, 430, 30)],
  knee: { step: 2, concurrency: 4, offeredRate: null, throughput: 412, p99Ms: 8.1, reason: 'test' },
  sustainable: { step: 2, throughput: 412, rowsPerSecond: 412, p99Ms: 8.1, concurrency: 4, offeredRate: null },
  notes: [],
};

const plan = planCapacity({ averageTps: 500, peakTps: 3000, p99TargetMs: 20, targetVcpus: 4, hourlyPrice: 0.2 }, report);
const saved: SavedCapacityPlan = {
  kind: 'model-lab-capacity-plan',
  schemaVersion: 1,
  savedAt: '2026-12-01T20:00:00.000Z',
  model: 'breast_cancer',
  report,
  plan,
};

/** The comment beside the scalar at `path` of a rendered YAML document. */
function commentAt(text: string, path: (string | number)[]): string | undefined {
  const node = parseDocument(text).getIn(path, true) as { comment?: string } | undefined;
  return node?.comment;
}

describe('capacity plan → Kubernetes manifests', () => {
  it('the planner gives 824 req/s per 4-vCPU replica: 1 replica at 500 TPS, 4 at 3000 TPS', () => {
    assert.equal(plan.perReplicaTps, 824);
    assert.equal(plan.replicasAtAverage, 1);
    assert.equal(plan.replicasAtPeak, 4);
  });

  it('Deployment, HPA and resources come from the plan, each value commented with its measurement', () => {
    const [deployment, service, hpa] = deploymentObjects({
      modelName: 'breast_cancer',
      modelBytes: 10_000,
      image: 'x:1',
      sizing: sizingFromPlan(saved),
    });
    const depYaml = renderK8sYaml([deployment], '# header\n');
    const hpaYaml = renderK8sYaml([hpa], '# header\n');
    assert.deepEqual(validateK8sYaml([depYaml, renderK8sYaml([service], ''), hpaYaml].join('\n---\n'), 'k8s/'), []);

    const dep = parseDocument(depYaml).toJS();
    assert.equal(dep.spec.replicas, 1);
    const container = dep.spec.template.spec.containers[0];
    assert.deepEqual([container.resources.requests.cpu, container.resources.limits.cpu], ['4', '4']);
    assert.equal(container.env.find((e: { name: string }) => e.name === 'THREADS').value, '4');
    assert.match(
      commentAt(depYaml, ['spec', 'replicas'])!,
      /average 500 TPS ÷ 824 req\/s per replica at p99 8\.1 ms \(load test 2026-12-01, 2 cores\) → 1/,
    );
    assert.match(
      commentAt(depYaml, ['spec', 'template', 'spec', 'containers', 0, 'resources', 'requests', 'cpu'])!,
      /4 vCPUs .*measured 412 req\/s on 2 cores/,
    );
    assert.match(depYaml, /^# Sized from the capacity plan of 'breast_cancer' saved 2026-12-01/m);
    assert.match(depYaml, /scale to the target machine\n# by core count only approximately/);

    const h = parseDocument(hpaYaml).toJS();
    assert.deepEqual([h.spec.minReplicas, h.spec.maxReplicas], [1, 4]);
    assert.equal(h.spec.metrics[0].resource.target.averageUtilization, 70);
    assert.match(commentAt(hpaYaml, ['spec', 'maxReplicas'])!, /peak 3000 TPS ÷ 824 req\/s per replica .* → 4/);
    assert.match(commentAt(hpaYaml, ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'])!, /70% CPU ≈ 577 req\/s per pod/);
  });

  it('KServe minReplicas/maxReplicas from the plan and containerConcurrency from the knee, commented; still valid', () => {
    const text = renderInferenceService(
      inferenceServiceObject({ modelName: 'breast_cancer', modelBytes: 10_000, sizing: sizingFromPlan(saved) }),
      'breast_cancer',
    );
    assert.deepEqual(validateInferenceServiceYaml(text, 'kserve/inferenceservice.yaml'), []);
    const isvc = parseDocument(text).toJS();
    assert.deepEqual(
      [isvc.spec.predictor.minReplicas, isvc.spec.predictor.maxReplicas, isvc.spec.predictor.containerConcurrency],
      [1, 4, 4],
    );
    assert.equal(isvc.spec.predictor.model.resources.limits.cpu, '4');
    assert.match(
      commentAt(text, ['spec', 'predictor', 'containerConcurrency'])!,
      /knee of the load test: 4 concurrent requests reached 412 req\/s at p99 8\.1 ms/,
    );
  });

  it('without a knee containerConcurrency is left out and the note says why', () => {
    const sizing = sizingFromPlan({ ...saved, report: { ...report, knee: null } });
    const text = renderInferenceService(inferenceServiceObject({ modelName: 'm', modelBytes: 1, sizing }), 'm');
    assert.equal(parseDocument(text).toJS().spec.predictor.containerConcurrency, undefined);
    assert.match(text, /found no knee .* containerConcurrency is left unset/);
    assert.deepEqual(validateInferenceServiceYaml(text, 'x'), []);
  });

  it('without a plan: the defaults, and a comment on how to make a plan', () => {
    const [deployment, , hpa] = deploymentObjects({ modelName: 'm', modelBytes: 1, image: 'x:1' });
    const text = renderK8sYaml([deployment], '');
    const dep = parseDocument(text).toJS();
    assert.equal(dep.spec.replicas, 2);
    assert.deepEqual(dep.spec.template.spec.containers[0].resources.requests.cpu, '500m');
    assert.match(text, /^# No capacity plan was saved for this model/m);
    assert.match(text, /model-lab loadtest .*--save-plan/);
    assert.doesNotMatch(text, /req\/s per replica/);
    const h = parseDocument(renderK8sYaml([hpa], '')).toJS();
    assert.deepEqual([h.spec.minReplicas, h.spec.maxReplicas], [2, 10]);
    assert.deepEqual(defaultSizing().kserve, { minReplicas: 1, maxReplicas: 5, containerConcurrency: null });
  });

  it('fractional vCPUs become millicores', () => {
    assert.equal(cpuQuantity(2), '2');
    assert.equal(cpuQuantity(0.5), '500m');
    assert.equal(cpuQuantity(1.25), '1250m');
  });
});

describe('the saved plan beside the model', () => {
  it('is written as <model>.capacity-plan.json, read back, and sizes the manifests; a broken file falls back with the reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-lab-plan-'));
    try {
      const model = join(dir, 'breast_cancer.onnx');
      assert.equal((await sizingForModel(model)).replicas, 2, 'no plan: defaults');
      const path = await savePlan(model, 'breast_cancer', report, plan);
      assert.equal(path, join(dir, 'breast_cancer.capacity-plan.json'));
      assert.equal(planPathBeside(model), path);
      const loaded = await loadSavedPlan(model);
      assert.equal(loaded.problem, null);
      assert.equal(loaded.saved?.plan.replicasAtPeak, 4);
      assert.deepEqual((await sizingForModel(model)).hpa, { min: 1, max: 4, cpuUtilization: 70 });

      const broken = structuredClone(saved) as any;
      broken.plan.replicasAtPeak = -3;
      writeFileSync(path, JSON.stringify(broken));
      const sizing = await sizingForModel(model);
      assert.equal(sizing.replicas, 2);
      assert.match(sizing.note[0], /breast_cancer\.capacity-plan\.json is not a Model Lab capacity plan \(plan\.replicasAtPeak:/);
      writeFileSync(path, '{not json');
      assert.match((await loadSavedPlan(model)).problem!, /is not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
