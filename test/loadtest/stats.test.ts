/** The load generator's arithmetic: one step's figures from raw latencies, the knee, the sustainable rate. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findKnee, maxSustainable, percentileOf, summarizeStep, type RawStep } from '../../server/loadtest/index';
import type { LoadStep } from '../../server/protocol/loadtest';

function step(concurrency: number | null, throughput: number, p99Ms: number, extra: Partial<LoadStep> = {}): LoadStep {
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
    p50Ms: p99Ms / 4,
    p90Ms: p99Ms / 2,
    p99Ms,
    maxMs: p99Ms * 2,
    statuses: { '200': throughput },
    firstError: null,
    ...extra,
  };
}

describe('summarizeStep', () => {
  test('percentiles are nearest-rank over the successful latencies, in ms', () => {
    const raw: RawStep = {
      concurrency: 4,
      offeredRate: null,
      seconds: 2,
      // 1…100 ms, shuffled: p50 = 50, p90 = 90, p99 = 99, max = 100
      latenciesUs: Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1).map((ms) => ms * 1000),
      statuses: { '200': 100, '500': 3, error: 1 },
      firstError: 'HTTP 500: boom',
    };
    const s = summarizeStep(raw, 8);
    assert.deepEqual([s.p50Ms, s.p90Ms, s.p99Ms, s.maxMs], [50, 90, 99, 100]);
    assert.equal(s.requests, 104);
    assert.equal(s.ok, 100);
    assert.equal(s.errors, 4);
    assert.equal(s.errorRate, 4 / 104);
    assert.equal(s.throughput, 50, 'successes per second of wall time');
    assert.equal(s.rowsPerSecond, 400, 'rows per request × throughput');
    assert.equal(s.firstError, 'HTTP 500: boom');
  });

  test('a step with no answer at all has zero figures, not NaN', () => {
    const s = summarizeStep(
      { concurrency: 1, offeredRate: null, seconds: 1, latenciesUs: [], statuses: { error: 5 }, firstError: 'ECONNREFUSED' },
      1,
    );
    assert.deepEqual([s.throughput, s.p50Ms, s.p99Ms, s.maxMs, s.errorRate], [0, 0, 0, 0, 1]);
  });

  test('percentileOf bounds: first and last element, empty → 0', () => {
    const sorted = [1, 2, 3, 4];
    assert.equal(percentileOf(sorted, 0), 1);
    assert.equal(percentileOf(sorted, 1), 4);
    assert.equal(percentileOf(sorted, 0.5), 2);
    assert.equal(percentileOf([], 0.5), 0);
  });
});

describe('findKnee', () => {
  test('concurrency: the fewest clients reaching 90% of the best throughput', () => {
    const knee = findKnee([step(1, 1000, 1), step(2, 1900, 1.2), step(4, 3000, 2), step(8, 3200, 4), step(16, 3250, 9)]);
    assert.equal(knee?.concurrency, 4);
    assert.equal(knee?.step, 2);
    assert.match(knee?.reason ?? '', /90%/);
  });

  test('one noisy dip does not place the knee', () => {
    const knee = findKnee([step(1, 1000, 1), step(2, 800, 3), step(4, 2000, 3), step(8, 4000, 4), step(16, 4100, 9)]);
    assert.equal(knee?.concurrency, 8);
  });

  test('null while the last step still adds ≥ 10%, and for a single step', () => {
    assert.equal(findKnee([step(1, 1000, 1), step(2, 1900, 1), step(4, 3000, 2)]), null);
    assert.equal(findKnee([step(1, 1000, 1)]), null);
  });

  test('rate: the highest offered rate answered at ≥ 90% without errors', () => {
    const r = (rate: number, throughput: number, errors = 0) =>
      step(null, throughput, 5, { offeredRate: rate, errors, errorRate: errors ? errors / throughput : 0 });
    assert.equal(findKnee([r(100, 100), r(200, 199), r(400, 300), r(800, 310)])?.offeredRate, 200);
    assert.equal(findKnee([r(100, 100), r(200, 199, 3), r(400, 300)])?.offeredRate, 100, 'errors disqualify a rate');
    assert.equal(findKnee([r(100, 100), r(200, 200)]), null, 'kept up with every rate: knee not reached');
  });
});

describe('maxSustainable', () => {
  const steps = [step(1, 1000, 2), step(2, 1800, 4), step(4, 2600, 9), step(8, 2700, 30)];

  test('the highest throughput whose p99 is within the target', () => {
    assert.equal(maxSustainable(steps, 10)?.concurrency, 4);
    assert.equal(maxSustainable(steps, 5)?.concurrency, 2);
    assert.equal(maxSustainable(steps, 100)?.concurrency, 8);
    assert.equal(maxSustainable(steps, 1), null);
  });

  test('more than 0.1% errors disqualify a step, whatever its latency', () => {
    const withErrors = [step(1, 1000, 2), step(2, 1800, 4, { errors: 10, errorRate: 10 / 1810 })];
    assert.equal(maxSustainable(withErrors, 10)?.concurrency, 1);
  });
});
