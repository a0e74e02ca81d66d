/**
 * server/loadtest — "how much traffic can this take on this machine?": a load test against a running
 * server from a generator in its own process, a concurrency sweep (1, 2, 4 …) or fixed request rates,
 * with sample rows from the reference CSV; per step p50/p90/p99, throughput and errors; the knee; the
 * highest rate sustainable under a p99 target. The report is LoadTestReport (REPORT_SCHEMA.md).
 *
 * @example
 * const report = await runLoadTest({ url: 'http://127.0.0.1:8080', model: 'iris', signature, rows,
 *   concurrency: [1, 2, 4, 8], stepSeconds: 3, p99TargetMs: 20, signal, onProgress: (p) => console.error(p.step) });
 * report.knee?.concurrency; report.sustainable?.throughput;
 */
export { runLoadTest, type LoadTestOptions } from './run';
export { inferBodies, MAX_BODIES } from './bodies';
export { startGenerator, type Generator, type StepOrder } from './generator';
export { findKnee, maxSustainable, percentileOf, summarizeStep, type RawStep } from './stats';
export { formatLoadTest } from './format';
