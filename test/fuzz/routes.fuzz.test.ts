/**
 * The seeded fuzz suite in `npm test`: 2,400 generated requests (600 per model, see targets.ts) over every
 * route and OIP datatype, each model served by a `model-lab serve` child process so a crash is seen.
 * Asserts no 5xx, no hang, no crash, `/v2/health/ready` 200 every 50 requests, and bounded memory.
 * Long runs: `npm run fuzz -- --count 100000 [--seed N]`. Another seed: FUZZ_SEED=N.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuzzAllModels, FUZZ_MODELS } from './targets';

const PER_MODEL = 600;
const SEED = Number(process.env.FUZZ_SEED ?? 20260901);
/** A server idles at ~100-150 MB RSS; the pre-fix 107-byte BYTES request alone took it to 3.7 GB. */
const PEAK_RSS_LIMIT = 600 * 1024 * 1024;
/** Growth of resident memory over a model's whole run (leaks, retained request bodies). */
const RSS_GROWTH_LIMIT = 250 * 1024 * 1024;

test(`seeded fuzz over every route: ${PER_MODEL * FUZZ_MODELS.length} requests, seed ${SEED}`, { timeout: 240_000 }, async (t) => {
  const { runs, total } = await fuzzAllModels(PER_MODEL, SEED);
  t.diagnostic(
    `requests ${total.requests}, statuses ${JSON.stringify(total.statusCounts)}, health ` +
      `${total.healthChecks - total.healthFailures}/${total.healthChecks}, ` +
      `crashes ${runs.filter((r) => r.crashed).length}, peak RSS ${((total.peakRssBytes ?? 0) / 1024 / 1024).toFixed(0)} MB`,
  );

  assert.equal(total.requests, PER_MODEL * FUZZ_MODELS.length, 'every request was sent (a dead server stops the run early)');
  for (const run of runs) assert.equal(run.crashed, null, `${run.model}: the server process died`);
  assert.deepEqual(total.failures.slice(0, 5), [], 'no 5xx, hang or dropped connection');
  assert.ok(total.healthChecks >= total.requests / 50 - FUZZ_MODELS.length, 'readiness was checked throughout');
  assert.equal(total.healthFailures, 0, '/v2/health/ready answered 200 at every check');
  // The generator must reach both the happy path and the refusals, or it tests nothing.
  assert.ok((total.statusCounts['200'] ?? 0) > 100, `some requests succeed: ${JSON.stringify(total.statusCounts)}`);
  assert.ok((total.statusCounts['400'] ?? 0) > 500, 'many requests are refused as bad input');
  for (const run of runs) {
    const { peakRssBytes, startRssBytes, endRssBytes } = run.report;
    if (peakRssBytes === undefined) continue; // no /proc: not Linux
    assert.ok(peakRssBytes < PEAK_RSS_LIMIT, `${run.model}: peak RSS ${peakRssBytes} bytes`);
    assert.ok(endRssBytes! - startRssBytes! < RSS_GROWTH_LIMIT, `${run.model}: RSS grew from ${startRssBytes} to ${endRssBytes}`);
  }
});
