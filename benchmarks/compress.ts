/**
 * The compression benchmark (not a test): the comparison table for the 30→512→512→2 MLP fixture — with
 * the issue's targets checked (int8 dynamic ≥ 3.5× smaller with ≥ 99 % argmax agreement; fp16 ≈ 2×) and
 * the int8/fp32 latency ratio at batch 1 and 256 — then the same table for every sample model, plus the
 * MLP's end-to-end OIP latency against a server in its own process.
 *
 *   npm run bench:compress [-- --budget-ms 1000 --json results.json]
 *
 * With `--architectures`, instead: the torch-exported fixtures of test/fixtures/architectures (UNet with
 * Resize, ResNet, MobileNet, transformer, LSTM, GRU) — int8 size ratio, agreement on the lab's generated
 * inputs (argmax, or correlation for outputs without classes) and int8/fp32 latency at batch 1 and 32.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { compareVariants, formatComparison, speedRatio, type ComparisonReport } from '../server/bench/index';
import { startServerProcess } from './lib';

const root = join(__dirname, '..');
const { values } = parseArgs({
  options: { 'budget-ms': { type: 'string' }, json: { type: 'string' }, architectures: { type: 'boolean' } },
});
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

const ARCHITECTURES = [
  'unet_seg',
  'resnet_small',
  'mobilenet_small',
  'text_transformer',
  'lstm_classifier',
  'gru_regressor',
  'tabular_mlp',
];

/** The issue's table for the architecture fixtures: one line per model and variant. */
async function architectures(): Promise<ComparisonReport[]> {
  const reports: ComparisonReport[] = [];
  const lines = [
    '| model | variant | size ratio | agreement (row by row / batched) | latency ratio b1 | b32 |',
    '|---|---|---|---|---|---|',
  ];
  for (const name of ARCHITECTURES) {
    process.stderr.write(`\n== ${name}\n`);
    const { report } = await compareVariants(join(root, 'test/fixtures/architectures', `${name}.onnx`), {
      variants: ['int8', 'int8-weights-pc', 'fp16'],
      budgetMs,
      iterations: 100_000,
      agreementRows: 256,
      batches: [1, 32],
      onProgress: (p) => process.stderr.write(`\r\x1b[K[${p.done}/${p.total}] ${p.step}`),
    });
    process.stderr.write('\r\x1b[K');
    reports.push(report);
    for (const v of report.variants.filter((x) => x.id !== 'original')) {
      const a = v.agreement;
      const figure = (f: NonNullable<typeof a>['batched'] | null | undefined) =>
        !f ? '—' : f.argmax !== null ? `${(100 * f.argmax).toFixed(1)} %` : `r ${(f.correlation ?? NaN).toFixed(4)}`;
      lines.push(
        `| ${name} | ${v.id} | ${v.error ? `error: ${v.error}` : `${v.sizeRatio.toFixed(2)}×`} | ` +
          `${figure(a?.rowByRow)} / ${figure(a?.batched)} | ` +
          `${speedRatio(report.original, v, 1).toFixed(2)}× | ${speedRatio(report.original, v, 32).toFixed(2)}× |`,
      );
    }
    process.stdout.write(`${lines.at(-3)}\n${lines.at(-2)}\n${lines.at(-1)}\n`);
  }
  process.stdout.write(`\nLatency ratio = fp32 p50 / variant p50 (> 1 = faster).\n\n${lines.join('\n')}\n`);
  return reports;
}

async function main(): Promise<void> {
  if (values.architectures) {
    const reports = await architectures();
    if (values.json) writeFileSync(values.json, JSON.stringify(reports, null, 2));
    return;
  }
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
