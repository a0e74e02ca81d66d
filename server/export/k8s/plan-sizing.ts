/**
 * How big the Kubernetes and KServe manifests are: from the capacity plan saved beside the model when
 * there is one (replicas, autoscaler bounds, CPU per pod, KServe concurrency), else today's defaults.
 * Every value from a plan carries the measurement it came from, written as a YAML comment beside it, so
 * whoever applies the manifest can see what it rests on (and that it was measured on another machine).
 */
import { loadSavedPlan } from '../../capacity/saved';
import type { SavedCapacityPlan } from '../../protocol/loadtest';

/** A comment for the scalar at `path` inside one manifest object. */
export interface ManifestComment {
  path: (string | number)[];
  text: string;
}

export interface ManifestSizing {
  /** Deployment replicas. */
  replicas: number;
  hpa: { min: number; max: number; cpuUtilization: number };
  /** CPU request and limit of the server container (Kubernetes quantities), and onnxruntime's threads. */
  cpu: { request: string; limit: string };
  threads: number;
  kserve: { minReplicas: number; maxReplicas: number; containerConcurrency: number | null };
  /** Lines said above each file's objects: where the sizing came from, or how to get a plan. */
  note: string[];
  /** Comments beside the sized values, by object. */
  comments: { deployment: ManifestComment[]; hpa: ManifestComment[]; kserve: ManifestComment[] };
}

/** Scale out before a replica reaches what it sustained in the load test. */
const CPU_TARGET_UTILIZATION = 70;

const HOW_TO_PLAN = [
  'No capacity plan was saved for this model: replicas, autoscaling and CPU below are defaults, not measurements.',
  'To size them from a measurement: Performance tab → Load test, then Capacity & cost planner → Save plan',
  '(or: model-lab loadtest <model.onnx> --reference <data.csv> --avg-tps … --peak-tps … --vcpus … --hourly-price … --save-plan),',
  'then export again.',
];

/** The sizing used without a plan (what the export always wrote). */
export function defaultSizing(problem: string | null = null): ManifestSizing {
  return {
    replicas: 2,
    hpa: { min: 2, max: 10, cpuUtilization: CPU_TARGET_UTILIZATION },
    cpu: { request: '500m', limit: '2' },
    threads: 2,
    kserve: { minReplicas: 1, maxReplicas: 5, containerConcurrency: null },
    note: problem ? [`The saved capacity plan was not used: ${problem}.`, ...HOW_TO_PLAN] : HOW_TO_PLAN,
    comments: { deployment: [], hpa: [], kserve: [] },
  };
}

/** A CPU quantity: whole cores as a number string, else millicores. */
export function cpuQuantity(vcpus: number): string {
  return Number.isInteger(vcpus) ? String(vcpus) : `${Math.max(1, Math.round(vcpus * 1000))}m`;
}

const fmt = (x: number) => (x >= 100 ? String(Math.round(x)) : String(Number(x.toPrecision(3))));
const day = (iso: string) => iso.slice(0, 10);

/** The sizing a saved plan asks for, each value commented with the measurement behind it. */
export function sizingFromPlan(saved: SavedCapacityPlan): ManifestSizing {
  const { plan, report } = saved;
  const { input, measured } = plan;
  const perReplica = fmt(plan.perReplicaTps);
  const source = `load test ${day(report.date)}, ${measured.cores} cores`;
  const measurement = `${perReplica} req/s per replica at p99 ${fmt(measured.p99Ms)} ms (${source})`;
  const min = plan.replicasAtAverage;
  const max = Math.max(plan.replicasAtPeak, min);
  const vcpus = cpuQuantity(input.targetVcpus);
  const threads = Math.max(1, Math.floor(input.targetVcpus));
  const knee = report.knee?.concurrency ?? null;
  const scaled =
    `measured ${fmt(measured.throughput)} req/s on ${measured.cores} cores, scaled × ${input.targetVcpus}/${measured.cores} ` +
    '(by core count: approximate)';
  const replicasText = (tps: number, n: number) => `${fmt(tps)} TPS ÷ ${measurement} → ${n}`;
  const cpuText = `${input.targetVcpus} vCPUs of the target machine in the plan; ${scaled}`;
  const kserveConcurrency = knee
    ? [
        {
          path: ['spec', 'predictor', 'containerConcurrency'],
          text:
            ` knee of the load test: ${knee} concurrent requests reached ${fmt(report.knee!.throughput)} req/s ` +
            `at p99 ${fmt(report.knee!.p99Ms)} ms (${source}); more only queue`,
        },
      ]
    : [];
  return {
    replicas: min,
    hpa: { min, max, cpuUtilization: CPU_TARGET_UTILIZATION },
    cpu: { request: vcpus, limit: vcpus },
    threads,
    kserve: { minReplicas: min, maxReplicas: max, containerConcurrency: knee },
    note: [
      `Sized from the capacity plan of '${saved.model}' saved ${day(saved.savedAt)} (<model>.capacity-plan.json beside the model):`,
      `average ${fmt(input.averageTps)} TPS, peak ${fmt(input.peakTps)} TPS, p99 target ${fmt(input.p99TargetMs)} ms, ` +
        `${input.targetVcpus} vCPUs per replica; ${measurement}.`,
      `The figures come from ${report.machine.cpu} with the load generator sharing its cores, and scale to the target machine`,
      'by core count only approximately; replica counts carry no spare for failures or rolling updates.',
      ...(knee ? [] : ['The load test found no knee (throughput still grew at its last step): KServe containerConcurrency is left unset.']),
    ],
    comments: {
      deployment: [
        { path: ['spec', 'replicas'], text: ` average ${replicasText(input.averageTps, min)} replica(s)` },
        { path: ['spec', 'template', 'spec', 'containers', 0, 'env', 2, 'value'], text: ` onnxruntime threads = whole vCPUs of the plan` },
        { path: ['spec', 'template', 'spec', 'containers', 0, 'resources', 'requests', 'cpu'], text: ` ${cpuText}` },
        {
          path: ['spec', 'template', 'spec', 'containers', 0, 'resources', 'limits', 'cpu'],
          text: ` ${input.targetVcpus} vCPUs (the plan)`,
        },
      ],
      hpa: [
        { path: ['spec', 'minReplicas'], text: ` average ${replicasText(input.averageTps, min)}` },
        { path: ['spec', 'maxReplicas'], text: ` peak ${replicasText(input.peakTps, max)}` },
        {
          path: ['spec', 'metrics', 0, 'resource', 'target', 'averageUtilization'],
          text:
            ` scale out at ${CPU_TARGET_UTILIZATION}% CPU ≈ ${fmt((plan.perReplicaTps * CPU_TARGET_UTILIZATION) / 100)} req/s per pod ` +
            `(of ${measurement}); with a requests-per-second metric adapter, target that per pod instead`,
        },
      ],
      kserve: [
        { path: ['spec', 'predictor', 'minReplicas'], text: ` average ${replicasText(input.averageTps, min)}` },
        { path: ['spec', 'predictor', 'maxReplicas'], text: ` peak ${replicasText(input.peakTps, max)}` },
        ...kserveConcurrency,
        { path: ['spec', 'predictor', 'model', 'resources', 'requests', 'cpu'], text: ` ${cpuText}` },
      ],
    },
  };
}

/** The sizing for the model at `modelPath`: from its saved plan, or the defaults saying why and how to make one. */
export async function sizingForModel(modelPath: string): Promise<ManifestSizing> {
  const { saved, problem } = await loadSavedPlan(modelPath);
  return saved ? sizingFromPlan(saved) : defaultSizing(problem);
}
