/** The capacity & cost planner's arithmetic, on a made-up load-test report (no timing involved). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HOURS_PER_MONTH, planCapacity } from '../../server/capacity/index';
import { ModelLabError } from '../../server/protocol/errors';
import type { CapacityInput, LoadStep, LoadTestReport } from '../../server/protocol/loadtest';

const s = (concurrency: number, throughput: number, p99Ms: number): LoadStep => ({
  concurrency,
  offeredRate: null,
  seconds: 3,
  requests: throughput * 3,
  ok: throughput * 3,
  errors: 0,
  errorRate: 0,
  throughput,
  rowsPerSecond: throughput * 2,
  p50Ms: 1,
  p90Ms: 2,
  p99Ms,
  maxMs: p99Ms,
  statuses: {},
  firstError: null,
});

const report: LoadTestReport = {
  kind: 'model-lab-loadtest',
  schemaVersion: 1,
  date: '2026-12-01T00:00:00Z',
  target: { url: 'http://127.0.0.1:1', model: 'm', route: '/v2/models/m/infer', rowsPerRequest: 2, distinctBodies: 10 },
  machine: { cpu: 'Test CPU', cores: 2, node: 'v20' },
  mode: 'concurrency',
  stepSeconds: 3,
  p99TargetMs: 50,
  // Under p99 ≤ 20 ms the sustainable rate is 1000 req/s (step 1).
  steps: [s(1, 400, 5), s(4, 1000, 18), s(16, 1200, 80)],
  knee: null,
  sustainable: null,
  notes: [],
};

const input: CapacityInput = { averageTps: 1500, peakTps: 5000, p99TargetMs: 20, targetVcpus: 4, hourlyPrice: 0.2, currency: 'EUR' };

describe('planCapacity', () => {
  test('replicas, headroom and cost from the rate sustained under the p99 target, scaled by vCPUs / cores', () => {
    const plan = planCapacity(input, report);
    assert.equal(plan.measured.throughput, 1000);
    assert.equal(plan.measured.fromStep, 1);
    assert.equal(plan.perReplicaTps, 2000, '1000 req/s on 2 cores → 2000 on 4 vCPUs');
    assert.equal(plan.replicasAtAverage, 1, '1500 / 2000 → 1');
    assert.equal(plan.replicasAtPeak, 3, '5000 / 2000 → 3');
    assert.equal(plan.headroomAtAverage, 0.25);
    assert.ok(Math.abs(plan.headroomAtPeak - (1 - 5000 / 6000)) < 1e-12);
    // 1500 req/s × 2 rows = 3000 predictions/s = 10,800 thousand per hour; 1 × 0.2 EUR/hour.
    assert.ok(Math.abs(plan.costPer1000.autoscaled - 0.2 / 10_800) < 1e-15);
    assert.ok(Math.abs(plan.costPer1000.provisionedForPeak - 0.6 / 10_800) < 1e-15);
    assert.ok(Math.abs(plan.costPer1M.autoscaled - (0.2 / 10_800) * 1000) < 1e-12);
    assert.ok(Math.abs(plan.monthlyCost.provisionedForPeak - 0.6 * HOURS_PER_MONTH) < 1e-9);
    assert.equal(plan.comparison, null);
    assert.ok(plan.caveats.some((c) => /this machine/.test(c) && /Test CPU/.test(c)));
    assert.ok(plan.caveats.some((c) => /core count only approximately/.test(c)));
  });

  test('never fewer than one replica; a per-prediction offer is compared with the autoscaled cost', () => {
    const plan = planCapacity({ ...input, averageTps: 0.5, peakTps: 1, pricePer1000Predictions: 0.01 }, report);
    assert.equal(plan.replicasAtAverage, 1);
    assert.equal(plan.replicasAtPeak, 1);
    const own = plan.costPer1000.autoscaled; // 0.2 EUR/hour for 3.6 thousand predictions/hour
    assert.ok(Math.abs(own - 0.2 / 3.6) < 1e-12);
    assert.ok(Math.abs(plan.comparison!.ratio! - 0.01 / own) < 1e-12);
    assert.equal(plan.comparison!.cheaper, 'per-prediction', 'at 0.5 TPS a whole machine costs more than 0.01 per 1,000');
    const busy = planCapacity({ ...input, pricePer1000Predictions: 0.01 }, report);
    assert.equal(busy.comparison!.cheaper, 'self-hosted');
  });

  test('a target no step met, or peak below average, is refused naming the field', () => {
    assert.throws(
      () => planCapacity({ ...input, p99TargetMs: 1 }, report),
      (e: unknown) => e instanceof ModelLabError && e.field === 'p99TargetMs' && /raise the p99 target/.test(e.message),
    );
    assert.throws(
      () => planCapacity({ ...input, peakTps: 10 }, report),
      (e: unknown) => e instanceof ModelLabError && e.field === 'peakTps',
    );
  });
});
