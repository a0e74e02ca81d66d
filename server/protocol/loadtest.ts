/**
 * The load test and the capacity & cost planner, shared by the engine (server/loadtest,
 * server/capacity), the `loadtest` job, the CLI and the UI. The report's JSON is documented in
 * server/loadtest/REPORT_SCHEMA.md.
 */
import { z } from 'zod';

/** The sweep `model-lab loadtest` and the job run when no steps are given. */
export const DEFAULT_CONCURRENCY = [1, 2, 4, 8, 16, 32, 64];
export const DEFAULT_STEP_SECONDS = 3;
export const DEFAULT_P99_TARGET_MS = 50;

/** Body of `POST /api/jobs/loadtest`: load the model this server serves, from a generator process. */
export const LoadTestRequestSchema = z
  .object({
    url: z
      .string()
      .url()
      .optional()
      .describe('a loopback base URL to load (default: this server itself, at its own 127.0.0.1 port, also behind a proxy)'),
    concurrency: z
      .array(z.number().int().min(1).max(1024))
      .min(1)
      .max(16)
      .optional()
      .describe('clients per step, e.g. [1, 2, 4, 8] (default 1…64 doubling)'),
    rate: z.number().positive().max(200_000).optional().describe('a fixed request rate (requests/s) instead of a concurrency sweep'),
    stepSeconds: z.number().min(0.5).max(120).optional().describe('seconds per step (default 3)'),
    p99TargetMs: z.number().positive().max(600_000).optional().describe('p99 latency target for the sustainable rate (default 50 ms)'),
    rowsPerRequest: z.number().int().min(1).max(1024).optional().describe('rows of the reference CSV per request (default 1)'),
  })
  .strict();
export type LoadTestRequest = z.infer<typeof LoadTestRequestSchema>;

/** One step of the test: what was offered and what came back. Latencies of successful requests only. */
export interface LoadStep {
  /** Concurrent clients (closed loop), or null in fixed-rate mode. */
  concurrency: number | null;
  /** Offered requests per second (open loop), or null in concurrency mode. */
  offeredRate: number | null;
  seconds: number;
  requests: number;
  ok: number;
  errors: number;
  /** errors / requests (0 when no request was sent). */
  errorRate: number;
  /** Successful requests per second. */
  throughput: number;
  rowsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** HTTP status → count ("error" for a request that got no answer). */
  statuses: Record<string, number>;
  /** The first error's message, to show the user why requests failed. */
  firstError: string | null;
}

/** Where more load stops buying throughput. */
export interface LoadKnee {
  step: number;
  concurrency: number | null;
  offeredRate: number | null;
  throughput: number;
  p99Ms: number;
  /** Why this step, in a sentence. */
  reason: string;
}

/** The highest throughput measured with p99 within the target and almost no errors. */
export interface SustainableRate {
  step: number;
  throughput: number;
  rowsPerSecond: number;
  p99Ms: number;
  concurrency: number | null;
  offeredRate: number | null;
}

export interface LoadTestReport {
  kind: 'model-lab-loadtest';
  schemaVersion: 1;
  date: string;
  target: { url: string; model: string; route: string; rowsPerRequest: number; distinctBodies: number };
  machine: { cpu: string; cores: number; node: string };
  mode: 'concurrency' | 'rate';
  stepSeconds: number;
  p99TargetMs: number;
  steps: LoadStep[];
  knee: LoadKnee | null;
  sustainable: SustainableRate | null;
  /** Why a sweep stopped early, or why no rate is sustainable. */
  notes: string[];
}

/** Inputs of the capacity & cost planner (user-entered; no built-in price list). */
export const CapacityInputSchema = z
  .object({
    averageTps: z.number().positive().max(1e9).describe('average transactions (requests) per second'),
    peakTps: z.number().positive().max(1e9).describe('peak transactions per second'),
    p99TargetMs: z.number().positive().max(600_000).describe('p99 latency target, ms'),
    targetVcpus: z.number().positive().max(1024).describe("vCPUs of the target machine (one replica's machine)"),
    hourlyPrice: z.number().min(0).max(1e6).describe('price of one target machine per hour'),
    currency: z.string().max(8).optional(),
    pricePer1000Predictions: z
      .number()
      .min(0)
      .max(1e6)
      .optional()
      .describe('a per-prediction offer to compare with, per 1,000 predictions'),
  })
  .strict();
export type CapacityInput = z.infer<typeof CapacityInputSchema>;

export interface CapacityPlan {
  input: CapacityInput;
  /** Measured here: sustainable requests/s under the p99 target, this machine's cores, rows per request. */
  measured: { throughput: number; p99Ms: number; cores: number; rowsPerRequest: number; fromStep: number };
  /** Requests/s one replica on the target machine should sustain (measured × targetVcpus / cores). */
  perReplicaTps: number;
  replicasAtAverage: number;
  replicasAtPeak: number;
  /** Spare capacity as a fraction of provisioned capacity (0.25 = a quarter unused). */
  headroomAtAverage: number;
  headroomAtPeak: number;
  /** Cost with replicas following the load (average), and with peak capacity provisioned all the time. */
  costPer1000: { autoscaled: number; provisionedForPeak: number };
  costPer1M: { autoscaled: number; provisionedForPeak: number };
  monthlyCost: { autoscaled: number; provisionedForPeak: number };
  /** Per-prediction offer ÷ autoscaled cost per 1,000 (>1: self-hosting is cheaper), when one was entered. */
  comparison: { pricePer1000Predictions: number; ratio: number | null; cheaper: 'self-hosted' | 'per-prediction' } | null;
  /** Plain statements of what the figures rest on. */
  caveats: string[];
}

/**
 * Body of `POST /api/perf/capacity` (plan) and `POST /api/perf/capacity/save` (plan and save): the
 * planner's inputs, and which load test to plan from — a finished `loadtest` job, or (no `id`) the load
 * test of the plan saved beside the model.
 */
export const CapacityRequestSchema = z
  .object({
    id: z.string().min(1).max(100).optional().describe("a finished loadtest job's id (default: the saved plan's load test)"),
    input: CapacityInputSchema,
  })
  .strict();
export type CapacityRequest = z.infer<typeof CapacityRequestSchema>;

/**
 * The plan saved beside the model as `<model>.capacity-plan.json` (the Performance tab's "Save plan",
 * `model-lab loadtest --save-plan`): the load test it rests on and the planner's inputs and outputs. The
 * Kubernetes and KServe export size their manifests from it.
 */
export interface SavedCapacityPlan {
  kind: 'model-lab-capacity-plan';
  schemaVersion: 1;
  savedAt: string;
  /** The model's name when the plan was saved. */
  model: string;
  report: LoadTestReport;
  plan: CapacityPlan;
}

/** `GET /api/perf/capacity`: the plan saved beside the model, if any (file name only, no folder). */
export interface SavedPlanInfo {
  file: string;
  saved: SavedCapacityPlan | null;
  /** Why a file that exists could not be read as a plan. */
  problem: string | null;
}
