/** `model-lab loadtest` as a user runs it: a child process through tsx, on the breast-cancer sample. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { CapacityPlan, LoadTestReport, SavedCapacityPlan } from '../../server/protocol/loadtest';

const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'server/cli/main.ts');
const MODEL = join(ROOT, 'samples/breast-cancer/breast_cancer.onnx');
const REFERENCE = join(ROOT, 'samples/breast-cancer/reference.csv');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'loadtest', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('a model file: served for the test, per-step table, JSON report with the capacity plan', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'model-lab-loadtest-')), 'report.json');
  const r = cli(
    MODEL,
    '--reference',
    REFERENCE,
    '--concurrency',
    '1,2',
    '--step-seconds',
    '0.5',
    '--p99-target-ms',
    '60000',
    '--json',
    out,
    '--avg-tps',
    '10',
    '--peak-tps',
    '100',
    '--vcpus',
    '4',
    '--hourly-price',
    '0.2',
    '--price-per-1000',
    '0.01',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| clients \| req\/s \| rows\/s \| p50 ms/);
  assert.match(r.stdout, /Capacity & cost plan/);
  assert.match(r.stdout, /core count only approximately/);
  assert.match(r.stderr, /\[2\/2\] 2 clients: \d+ requests\/s/);
  const report = JSON.parse(readFileSync(out, 'utf8')) as LoadTestReport & { plan: CapacityPlan };
  assert.equal(report.kind, 'model-lab-loadtest');
  assert.deepEqual(
    report.steps.map((s) => s.concurrency),
    [1, 2],
  );
  assert.ok(report.plan.replicasAtPeak >= report.plan.replicasAtAverage);
  assert.ok(report.plan.costPer1M.autoscaled > 0);
});

test('bad command lines exit 2 naming the option; an unreachable server exits 1', () => {
  const both = cli(MODEL, '--concurrency', '1', '--rate', '10');
  assert.equal(both.status, 2);
  assert.match(both.stderr, /either --concurrency or --rate/);
  const zero = cli(MODEL, '--concurrency', '0');
  assert.equal(zero.status, 2);
  assert.match(zero.stderr, /--concurrency must be a whole number from 1/);
  const partial = cli(MODEL, '--avg-tps', '5');
  assert.equal(partial.status, 2);
  assert.match(partial.stderr, /missing --peak-tps, --vcpus, --hourly-price/);
  const down = cli('http://127.0.0.1:9/');
  assert.equal(down.status, 1);
  assert.match(down.stderr, /no server answers at http:\/\/127\.0\.0\.1:9/);
});

test('--save-plan writes <model>.capacity-plan.json beside the model; without the plan inputs it is a usage error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-loadtest-plan-'));
  const model = join(dir, 'breast_cancer.onnx');
  copyFileSync(MODEL, model);
  const r = cli(
    model,
    '--reference',
    REFERENCE,
    '--concurrency',
    '1,2',
    '--step-seconds',
    '0.5',
    '--p99-target-ms',
    '60000',
    '--avg-tps',
    '10',
    '--peak-tps',
    '100',
    '--vcpus',
    '2',
    '--hourly-price',
    '0.1',
    '--save-plan',
  );
  assert.equal(r.status, 0, r.stderr);
  const path = join(dir, 'breast_cancer.capacity-plan.json');
  assert.match(r.stderr, /plan saved: .*breast_cancer\.capacity-plan\.json/);
  const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedCapacityPlan;
  assert.equal(saved.kind, 'model-lab-capacity-plan');
  assert.equal(saved.model, 'breast_cancer');
  assert.equal(saved.report.steps.length, 2);
  assert.equal(saved.plan.input.peakTps, 100);
  assert.ok(saved.plan.replicasAtPeak >= saved.plan.replicasAtAverage);

  const bare = cli(model, '--save-plan');
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /--save-plan needs a plan: give --avg-tps/);
});
