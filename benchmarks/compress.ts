/**
 * The compression benchmark (not a test): the comparison table for the 30→512→512→2 MLP fixture — with
 * the issue's targets checked (int8 dynamic ≥ 3.5× smaller with ≥ 99 % argmax agreement; fp16 ≈ 2×) and
 * the int8/fp32 latency ratio at batch 1 and 256 — then the same table for every sample model, plus the
 * MLP's end-to-end OIP latency against a server in its own process.
 *
 *   npm run bench:compress [-- --budget-ms 1000 --json results.json]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareVariants, formatComparison, speedRatio, type ComparisonReport } from '../server/bench/index';
import { startServerProcess } from './lib';

const root = join(__dirname, '..');
const { values } = parseArgs({ options: { 'budget-ms': { type: 'string' }, json: { type: 'string' } } });
const budgetMs = Number(values['budget-ms'] ?? 1000);

const MODELS = [
  { name: 'mlp_512 (fixture)', path: 'test/fixtures/compress/mlp_512.onnx', reference: 'samples/breast-cancer/reference.csv', http: true },
  { name: 'breast-cancer', path: 'samples/breast-cancer/breast_cancer.onnx', reference: 'samples/breast-cancer/reference.csv' },
  { name: 'diabetes', path: 'samples/diabetes/diabetes.onnx', reference: 'samples/diabetes/reference.csv' },
  { name: 'digits', path: 'samples/digits/digits.onnx' },
  { name: 'iris', path: 'samples/iris/iris.onnx', reference: 'samples/iris/reference.csv' },
  { name: 'flights', path: 'samples/flights/flights.onnx', reference: 'samples/flights/reference.csv' },
];
const VARIANTS = ['int8', 'int8-pc', 'int8-weights', 'fp16', 'prune50', 'prune80'];

function checkTargets(report: ComparisonReport): string[] {
  const int8 = report.variants.find((v) => v.id === 'int8')!;
  const fp16 = report.variants.find((v) => v.id === 'fp16')!;
  const agreement = Math.min(int8.agreement?.rowByRow?.argmax ?? 0, int8.agreement?.batched.argmax ?? 0);
  const last = report.settings.batches.at(-1)!;
  const mark = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  return [
    `${mark(int8.sizeRatio >= 3.5)} int8 dynamic ${int8.sizeRatio.toFixed(2)}× smaller (target ≥ 3.5×)`,
    `${mark(agreement >= 0.99)} int8 dynamic argmax agreement ${(100 * agreement).toFixed(1)} % alone and batched (target ≥ 99 %)`,
    `     int8 speed vs fp32 (p50): batch 1 ` +
      `${speedRatio(report.original, int8, 1).toFixed(2)}×, batch ${last} ` +
      `${speedRatio(report.original, int8, last).toFixed(2)}× (> 1 = faster)`,
    `${mark(fp16.sizeRatio > 1.9 && fp16.sizeRatio < 2.1)} fp16 ${fp16.sizeRatio.toFixed(2)}× smaller (target ≈ 2×)`,
  ];
}

async function main(): Promise<void> {
  const reports: ComparisonReport[] = [];
  for (const m of MODELS) {
    const server = m.http
      ? await startServerProcess([join(root, m.path), '--reference', join(root, m.reference), '--no-batching'])
      : undefined;
    try {
      process.stderr.write(`\n== ${m.name}\n`);
      const { report } = await compareVariants(join(root, m.path), {
        variants: VARIANTS,
        referenceCsv: m.reference && join(root, m.reference),
        budgetMs,
        iterations: 100_000,
        agreementRows: 512,
        httpUrl: server?.url,
        onProgress: (p) => process.stderr.write(`\r\x1b[K[${p.done}/${p.total}] ${p.step}`),
      });
      process.stderr.write('\r\x1b[K');
      reports.push(report);
      process.stdout.write(`\n## ${m.name}\n\n${formatComparison(report)}`);
      if (m.http)
        process.stdout.write(
          `\nTargets:\n${checkTargets(report)
            .map((l) => `  ${l}`)
            .join('\n')}\n`,
        );
    } finally {
      await server?.stop();
    }
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
