/**
 * server/capacity — the capacity & cost planner: replicas at average and peak traffic, headroom, and cost
 * per 1,000 / 1,000,000 predictions on a target machine, from a load test measured here.
 *
 * @example
 * const plan = planCapacity({ averageTps: 50, peakTps: 400, p99TargetMs: 50, targetVcpus: 4, hourlyPrice: 0.17 }, report);
 * plan.replicasAtPeak; plan.costPer1000.autoscaled; plan.caveats;
 */
export { planCapacity, HOURS_PER_MONTH } from './plan';
export { formatPlan } from './format';
export { loadSavedPlan, planPathBeside, savePlan, MAX_PLAN_FILE_BYTES } from './saved';
