/**
 * The capacity & cost planner's arithmetic: from a measured load-test curve and what the user enters
 * (traffic, p99 target, the target machine's vCPUs and hourly price), the replicas needed at average and
 * peak, the headroom they leave, and the cost per 1,000 and 1,000,000 predictions.
 *
 * One replica = one server on one target machine. Its capacity is the rate sustained here under the p99
 * target, scaled by vCPUs ÷ this machine's cores — an approximation the caveats spell out.
 */
import { maxSustainable as findSustainable } from '../loadtest/index';
import { ModelLabError } from '../protocol/errors';
import type { CapacityInput, CapacityPlan, LoadTestReport } from '../protocol/loadtest';

/** Hours in an average month (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

export function planCapacity(input: CapacityInput, report: LoadTestReport): CapacityPlan {
  if (input.peakTps < input.averageTps) throw new ModelLabError('peak traffic must be at least the average traffic', { field: 'peakTps' });
  const sustainable = findSustainable(report.steps, input.p99TargetMs);
  if (!sustainable) {
    throw new ModelLabError(
      `no step of the load test kept p99 within ${input.p99TargetMs} ms without errors: raise ` +
        `the p99 target or run the load test with fewer clients`,
      { field: 'p99TargetMs' },
    );
  }
  const cores = Math.max(1, report.machine.cores);
  const rowsPerRequest = report.target.rowsPerRequest;
  const perReplicaTps = (sustainable.throughput * input.targetVcpus) / cores;
  const replicas = (tps: number) => Math.max(1, Math.ceil(tps / perReplicaTps));
  const headroom = (tps: number, n: number) => 1 - tps / (n * perReplicaTps);
  const replicasAtAverage = replicas(input.averageTps);
  const replicasAtPeak = replicas(input.peakTps);
  // Predictions are rows: a request carrying several rows makes several predictions.
  const thousandsPerHour = (input.averageTps * rowsPerRequest * 3600) / 1000;
  const hourly = { autoscaled: replicasAtAverage * input.hourlyPrice, provisionedForPeak: replicasAtPeak * input.hourlyPrice };
  const costPer1000 = {
    autoscaled: hourly.autoscaled / thousandsPerHour,
    provisionedForPeak: hourly.provisionedForPeak / thousandsPerHour,
  };
  const offer = input.pricePer1000Predictions;
  const ratio = offer !== undefined && costPer1000.autoscaled > 0 ? offer / costPer1000.autoscaled : null;
  return {
    input,
    measured: { throughput: sustainable.throughput, p99Ms: sustainable.p99Ms, cores, rowsPerRequest, fromStep: sustainable.step },
    perReplicaTps,
    replicasAtAverage,
    replicasAtPeak,
    headroomAtAverage: headroom(input.averageTps, replicasAtAverage),
    headroomAtPeak: headroom(input.peakTps, replicasAtPeak),
    costPer1000,
    costPer1M: { autoscaled: costPer1000.autoscaled * 1000, provisionedForPeak: costPer1000.provisionedForPeak * 1000 },
    monthlyCost: { autoscaled: hourly.autoscaled * HOURS_PER_MONTH, provisionedForPeak: hourly.provisionedForPeak * HOURS_PER_MONTH },
    comparison:
      offer === undefined
        ? null
        : { pricePer1000Predictions: offer, ratio, cheaper: ratio === null || ratio > 1 ? 'self-hosted' : 'per-prediction' },
    caveats: [
      `Measured on this machine (${report.machine.cpu}, ${cores} cores), with the load generator sharing those cores: ` +
        'a lower bound for the server alone.',
      `A replica on ${input.targetVcpus} vCPUs is assumed to take ${input.targetVcpus}/${cores} of what this machine took: ` +
        'capacity scales by core count only approximately (CPU generation, ' +
        'clock, memory bandwidth and a vCPU being half a core all move it; ' +
        'one server process uses more cores only through onnxruntime threads or several workers).',
      'Replica counts carry no spare for failures or rolling updates: add one where that matters.',
      'The autoscaled cost assumes replicas follow the load and ' +
        'the load sits at the average; provisioned-for-peak keeps ' +
        'the peak replicas all the time.',
    ],
  };
}
