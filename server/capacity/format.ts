/** The capacity plan as text for a terminal. */
import type { CapacityPlan } from '../protocol/loadtest';

const money = (x: number, currency: string) => `${x < 0.01 && x > 0 ? x.toPrecision(2) : x.toFixed(2)} ${currency}`.trim();
const pct = (x: number) => `${Math.round(x * 100)}%`;

export function formatPlan(p: CapacityPlan): string {
  const c = p.input.currency ?? '';
  const lines = [
    `Capacity & cost plan (p99 ≤ ${p.input.p99TargetMs} ms; target machine ` +
      `${p.input.targetVcpus} vCPUs at ${money(p.input.hourlyPrice, c)}/hour)`,
    `  measured here: ${Math.round(p.measured.throughput)} req/s under the target on ${p.measured.cores} cores → ` +
      `${Math.round(p.perReplicaTps)} req/s per replica`,
    `  average ${p.input.averageTps} TPS: ${p.replicasAtAverage} replica(s), headroom ${pct(p.headroomAtAverage)}`,
    `  peak ${p.input.peakTps} TPS: ${p.replicasAtPeak} replica(s), headroom ${pct(p.headroomAtPeak)}`,
    `  cost per 1,000 predictions: ${money(p.costPer1000.autoscaled, c)} autoscaled, ` +
      `${money(p.costPer1000.provisionedForPeak, c)} provisioned for peak`,
    `  cost per 1,000,000 predictions: ${money(p.costPer1M.autoscaled, c)} autoscaled, ` +
      `${money(p.costPer1M.provisionedForPeak, c)} provisioned for peak`,
    `  per month: ${money(p.monthlyCost.autoscaled, c)} autoscaled, ${money(p.monthlyCost.provisionedForPeak, c)} provisioned for peak`,
  ];
  if (p.comparison) {
    lines.push(
      `  per-prediction offer: ${money(p.comparison.pricePer1000Predictions, c)} per 1,000 → ` +
        (p.comparison.ratio === null
          ? 'self-hosting costs nothing per hour as entered'
          : `${p.comparison.ratio.toFixed(1)}× the autoscaled self-hosted cost (${p.comparison.cheaper} is cheaper)`),
    );
  }
  lines.push(...p.caveats.map((x) => `  Note: ${x}`));
  return lines.join('\n');
}
