/**
 * The hot-path metrics (server/serve/fast-metrics.ts) must read exactly like prom-client's own: same text
 * on /metrics, same JSON for cluster aggregation, for the same observations.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AggregatorRegistry, Counter, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from '../../server/serve/fast-metrics';

const buckets = [0.001, 0.01, 0.1, 1];
const observations: [Record<'route' | 'status', string>, number][] = [
  [{ route: '/v2/models/:model/infer', status: '200' }, 0.0004],
  [{ route: '/v2/models/:model/infer', status: '200' }, 0.05],
  [{ route: '/v2/models/:model/infer', status: '400' }, 0.002],
  [{ route: '/metrics', status: '200' }, 3],
  [{ route: 'a "quoted"\\route\n', status: '200' }, 0.01],
];

function fill(registry: Registry, fast: boolean): void {
  const config = { help: 'h', labelNames: ['route', 'status'] as const, registers: [registry] };
  const counter = fast ? new FastCounter({ name: 'c_total', ...config }) : new Counter({ name: 'c_total', ...config });
  // Typed as the calls both take: (labels, value).
  const histogram: { observe(labels: Record<'route' | 'status', string>, value: number): void } = fast
    ? new FastHistogram({ name: 'h_seconds', buckets, ...config })
    : new Histogram({ name: 'h_seconds', buckets, ...config });
  const plain = fast
    ? new FastHistogram({ name: 'rows', help: 'r', buckets: [1, 8, 64], registers: [registry] })
    : new Histogram({ name: 'rows', help: 'r', buckets: [1, 8, 64], registers: [registry] });
  for (const [labels, value] of observations) {
    counter.inc(labels);
    histogram.observe(labels, value);
  }
  for (const rows of [1, 3, 64, 100]) plain.observe(rows);
}

test('FastCounter and FastHistogram expose the same text and JSON as prom-client for the same observations', async () => {
  const own = new Registry();
  const fast = new Registry();
  fill(own, false);
  fill(fast, true);
  assert.equal(await fast.metrics(), await own.metrics());
  // prom-client adds `exemplar: null` / undefined fields that carry nothing: compared without them.
  const plain = (json: unknown) =>
    JSON.parse(JSON.stringify(json, (k, v: unknown) => (k === 'exemplar' && v === null ? undefined : v))) as unknown;
  assert.deepEqual(plain(await fast.getMetricsAsJSON()), plain(await own.getMetricsAsJSON()));
});

test('cluster aggregation sums them per label set', async () => {
  const workers = [new Registry(), new Registry()];
  workers.forEach((r) => fill(r, true));
  const merged = AggregatorRegistry.aggregate(await Promise.all(workers.map((r) => r.getMetricsAsJSON())));
  const text = await merged.metrics();
  assert.match(text, /^c_total\{route="\/v2\/models\/:model\/infer",status="200"\} 4$/m);
  assert.match(text, /^h_seconds_bucket\{le="0\.001",route="\/v2\/models\/:model\/infer",status="200"\} 2$/m);
  assert.match(text, /^rows_count 8$/m);
  assert.match(text, /^rows_sum 336$/m);
});

test('a child is resolved once per label set; a reset empties the metric', async () => {
  const registry = new Registry();
  const counter = new FastCounter<'route'>({ name: 'n_total', help: 'n', labelNames: ['route'], registers: [registry] });
  const child = counter.child({ route: '/x' });
  assert.equal(counter.child({ route: '/x' }), child);
  child.value += 2;
  assert.match(await registry.metrics(), /^n_total\{route="\/x"\} 2$/m);
  counter.reset();
  assert.doesNotMatch(await registry.metrics(), /n_total\{/);
});

test('label sets sharing a prefix stay apart; after a reset new observations land in the new children', async () => {
  const registry = new Registry();
  const counter = new FastCounter<'route' | 'method' | 'status'>({
    name: 'r_total',
    help: 'r',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const ok = { route: '/a', method: 'POST', status: '200' };
  const bad = { route: '/a', method: 'POST', status: '400' };
  for (let i = 0; i < 3; i++) counter.inc(ok);
  counter.inc(bad);
  // A number where a string is expected is the same label set in the text (and no second entry).
  counter.inc({ ...ok, status: 200 as unknown as string });
  const text = await registry.metrics();
  assert.match(text, /^r_total\{route="\/a",method="POST",status="200"\} 4$/m);
  assert.match(text, /^r_total\{route="\/a",method="POST",status="400"\} 1$/m);
  assert.equal(text.match(/^r_total\{/gm)?.length, 2);
  counter.reset();
  counter.inc(ok);
  assert.match(await registry.metrics(), /^r_total\{route="\/a",method="POST",status="200"\} 1$/m);
  assert.doesNotMatch(await registry.metrics(), /status="400"/);
});
