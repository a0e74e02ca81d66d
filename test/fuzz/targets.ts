/**
 * The models the fuzz suite serves: numeric features (breast_cancer), string and int64 inputs (flights),
 * an image (digits), and every ONNX datatype (the dtypes fixture).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child-server';
import { loadTarget, mergeReports, runFuzz, type FuzzReport } from './run-fuzz';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI_PATH = join(REPO_ROOT, 'dist/server/cli.js');

export const FUZZ_MODELS: { model: string; csv?: string }[] = [
  { model: 'samples/breast-cancer/breast_cancer.onnx', csv: 'samples/breast-cancer/reference.csv' },
  { model: 'samples/flights/flights.onnx', csv: 'samples/flights/reference.csv' },
  { model: 'samples/digits/digits.onnx' },
  { model: 'test/fixtures/models/dtypes.onnx' },
];

export interface ModelRun {
  model: string;
  report: FuzzReport;
  crashed: string | null;
}

/**
 * Fuzzes each model in its own `model-lab serve` child, `perModel` requests each, seeds derived from
 * `seed`. A child that exits during the run is a crash (its stderr tail is kept).
 */
export async function fuzzAllModels(
  perModel: number,
  seed: number,
  onModel?: (run: ModelRun) => void,
): Promise<{ runs: ModelRun[]; total: FuzzReport }> {
  if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run 'node scripts/build.mjs' first`);
  const runs: ModelRun[] = [];
  let total: FuzzReport = { requests: 0, statusCounts: {}, failures: [], healthChecks: 0, healthFailures: 0 };
  for (const [i, { model, csv }] of FUZZ_MODELS.entries()) {
    const server = await startChildServer(CLI_PATH, join(REPO_ROOT, model));
    try {
      const target = await loadTarget(server.url, server.model, csv && join(REPO_ROOT, csv));
      const report = await runFuzz({
        url: server.url,
        target,
        count: perModel,
        seed: seed * 31 + i,
        ownerToken: server.ownerToken,
        pid: server.pid,
        isAlive: () => server.exit() === null,
      });
      const exit = server.exit();
      const run = {
        model,
        report,
        crashed: exit ? `exited (${exit.code ?? exit.signal}): ${server.stderrTail().slice(-5).join(' | ')}` : null,
      };
      runs.push(run);
      onModel?.(run);
      total = mergeReports(total, report);
    } finally {
      await server.close();
    }
  }
  return { runs, total };
}
