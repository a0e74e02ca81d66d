/** The load test report as text for a terminal: one line per step, then the knee and sustainable rate. */
import type { LoadTestReport } from '../protocol/loadtest';

export function formatLoadTest(r: LoadTestReport): string {
  const x = r.mode === 'rate' ? 'offered req/s' : 'clients';
  /** "1 client", "4 clients", "200 offered req/s". */
  const at = (n: number | null) => (r.mode === 'rate' ? `${n} ${x}` : `${n} client${n === 1 ? '' : 's'}`);
  const lines = [
    `Load test of ${r.target.model} (${r.target.route}, ${r.target.rowsPerRequest} row(s) per request, ${r.stepSeconds} s per step)`,
    `on ${r.machine.cpu}, ${r.machine.cores} cores — the generator shares these cores with the server`,
    '',
    `| ${x} | req/s | rows/s | p50 ms | p90 ms | p99 ms | errors |`,
    '|---|---|---|---|---|---|---|',
    ...r.steps.map(
      (s) =>
        `| ${s.concurrency ?? s.offeredRate} | ${Math.round(s.throughput)} | ${Math.round(s.rowsPerSecond)} | ${s.p50Ms} | ${s.p90Ms} | ` +
        `${s.p99Ms} | ${s.errors}${s.errors ? ` (${(s.errorRate * 100).toFixed(1)}%)` : ''} |`,
    ),
    '',
    r.knee
      ? `Knee: ${at(r.knee.concurrency ?? r.knee.offeredRate)} — ` +
        `${Math.round(r.knee.throughput)} req/s, p99 ${r.knee.p99Ms} ms (${r.knee.reason})`
      : 'Knee: not reached (throughput still grew at the last step)',
    r.sustainable
      ? `Sustainable under p99 ≤ ${r.p99TargetMs} ms: ${Math.round(r.sustainable.throughput)} req/s ` +
        (`(${Math.round(r.sustainable.rowsPerSecond)} rows/s) at ` +
          `${at(r.sustainable.concurrency ?? r.sustainable.offeredRate)}, p99 ` +
          `${r.sustainable.p99Ms} ms`)
      : `Sustainable under p99 ≤ ${r.p99TargetMs} ms: none of the steps`,
    ...r.notes.map((n) => `Note: ${n}`),
  ];
  return lines.join('\n');
}
