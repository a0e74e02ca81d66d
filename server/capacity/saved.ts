/**
 * The capacity plan saved beside the model (`<model>.capacity-plan.json`, next to the variants the
 * Performance tab saves as `<model>.<variant>.onnx`): the load test it rests on, the planner's inputs and
 * outputs. Written by the Performance tab and `model-lab loadtest --save-plan`; read by the Kubernetes
 * and KServe export, which sizes its manifests from it.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { z } from 'zod';
import { ModelLabError } from '../protocol/errors';
import type { CapacityPlan, LoadTestReport, SavedCapacityPlan } from '../protocol/loadtest';

/** A plan is a few KiB (≤ 16 steps); anything larger is not one of ours and is not read. */
export const MAX_PLAN_FILE_BYTES = 1024 * 1024;

/** `<dir>/<model stem>.capacity-plan.json` for `<dir>/<model stem>.onnx`. */
export function planPathBeside(modelPath: string): string {
  return join(dirname(modelPath), `${basename(modelPath, extname(modelPath))}.capacity-plan.json`);
}

const count = z.number().int().min(1).max(100_000);
const positive = z.number().positive().finite();

/** The fields the export reads, checked so a hand-edited file cannot put nonsense into a manifest. */
const SavedPlanSchema = z.object({
  kind: z.literal('model-lab-capacity-plan'),
  schemaVersion: z.literal(1),
  savedAt: z.string().max(40),
  model: z.string().max(200),
  report: z.object({
    date: z.string().max(40),
    machine: z.object({ cpu: z.string().max(200), cores: count }),
    target: z.object({ rowsPerRequest: count }),
    steps: z.array(z.object({ concurrency: count.nullable(), throughput: z.number().min(0) })).max(64),
    knee: z.object({ concurrency: count.nullable(), throughput: z.number().min(0), p99Ms: z.number().min(0) }).nullable(),
  }),
  plan: z.object({
    input: z.object({ averageTps: positive, peakTps: positive, p99TargetMs: positive, targetVcpus: positive.max(1024) }),
    measured: z.object({ throughput: positive, p99Ms: z.number().min(0).finite(), cores: count }),
    perReplicaTps: positive,
    replicasAtAverage: count,
    replicasAtPeak: count,
  }),
});

/** Writes the plan beside the model (replacing an older one: the newest measurement wins). */
export async function savePlan(modelPath: string, modelName: string, report: LoadTestReport, plan: CapacityPlan): Promise<string> {
  const path = planPathBeside(modelPath);
  const saved: SavedCapacityPlan = {
    kind: 'model-lab-capacity-plan',
    schemaVersion: 1,
    savedAt: new Date().toISOString(),
    model: modelName,
    report,
    plan,
  };
  // Written whole, then renamed: an export reading it meanwhile sees the old plan or the new, never half.
  const partial = `${path}.partial`;
  try {
    await writeFile(partial, `${JSON.stringify(saved, null, 2)}\n`);
    await rename(partial, path);
  } catch (err) {
    throw new ModelLabError(
      `could not save the plan beside the model (${basename(path)}): ${(err as NodeJS.ErrnoException).code ?? 'write failed'}`,
      {
        status: 500,
        cause: err,
      },
    );
  }
  return path;
}

/**
 * The plan saved beside `modelPath`: `saved` null when there is none, or when the file is not a readable
 * plan — then `problem` says why, so a caller can say it instead of failing.
 */
export async function loadSavedPlan(modelPath: string): Promise<{ path: string; saved: SavedCapacityPlan | null; problem: string | null }> {
  const path = planPathBeside(modelPath);
  if (!existsSync(path)) return { path, saved: null, problem: null };
  const refuse = (problem: string) => ({ path, saved: null, problem: `${basename(path)} ${problem}` });
  try {
    const { size } = await stat(path);
    if (size > MAX_PLAN_FILE_BYTES) return refuse(`is larger than ${MAX_PLAN_FILE_BYTES / 1024 / 1024} MiB: not a plan`);
    const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
    const parsed = SavedPlanSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return refuse(`is not a Model Lab capacity plan (${issue.path.join('.') || 'top level'}: ${issue.message})`);
    }
    // The checked fields are sound; the rest of the file is what savePlan wrote.
    return { path, saved: raw as SavedCapacityPlan, problem: null };
  } catch (err) {
    return refuse(
      err instanceof SyntaxError ? 'is not valid JSON' : `could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
}
