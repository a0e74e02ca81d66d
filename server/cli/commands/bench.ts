/**
 * `model-lab bench <model> [--variants …]`: latency of a model on this machine, alone or next to its
 * compressed variants (size, gzip size, latency per batch size, agreement, accuracy, verdict).
 */
import { compareVariants, formatComparison, type Progress } from '../../bench/index';
import { CompressError, parseVariant } from '../../compress/index';
import { intOption, numberOption, parseCommandLine, requireFile } from '../args';
import { ModelLabError, UsageError } from '../../protocol/errors';
import type { Command } from '../command';

const usage = `Usage: model-lab bench <model.onnx> [--variants int8,int8-weights,fp16,prune50] [options]

Times the model in process (onnxruntime session.run) at batch sizes 1, 8, 64, 256 (a fixed batch
dimension allows only its own size): p50/p95/p99/mean/stddev, rows/s, peak memory, and the CPU's
int8-relevant flags (AVX2, AVX-512, VNNI). With --variants, each variant is made in memory, loaded in
onnxruntime, compared with the original on sample rows (argmax agreement alone and batched, max/mean
abs diff, accuracy/F1 or RMSE/MAE when the rows have the target column) and timed the same way; a
verdict says when a variant is slower and why. Nothing is written to disk.

Variants: int8 (dynamic, per tensor), int8-pc (per channel), int8-weights, int8-weights-pc, fp16,
prune<N> (e.g. prune50 = 50 % of each layer's weights zeroed).

Options:
  --variants <list>     comma-separated variant ids (default: none, just the model)
  --data <csv>          rows to compare and time with (default: the reference CSV's, else generated)
  --reference <csv>     reference data: feature names, categories, target column
  --batches <list>      batch sizes (default 1,8,64,256)
  --iterations <n>      most timed runs per batch size (default 200)
  --budget-ms <ms>      most time per batch size (default 1000)
  --warmup <n>          untimed runs first (default 20)
  --rows <n>            rows for the agreement check (default 256)
  --http                also time the model end to end over HTTP (starts a server on 127.0.0.1)
  --url <url>           … or against a running Model Lab server that serves this model
  --json                print the report as JSON (schema: ComparisonReportSchema in server/protocol/perf-report.ts)

Exit code 0 with a report, 1 when the model/CSV cannot be read or every variant failed, 2 for a bad
command line. Example:
  model-lab bench samples/breast-cancer/breast_cancer.onnx --reference samples/breast-cancer/reference.csv --variants int8,fp16`;

function listOption(value: string | boolean | undefined, flag: string, max: number): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length) throw new UsageError(`${flag} needs a comma-separated list of whole numbers`);
  return [...new Set(parts.map((p) => intOption(p, flag, 1, max)!))].sort((a, b) => a - b);
}

const bench: Command = {
  name: 'bench',
  summary: 'latency of a model here, and of its int8/fp16/pruned variants (size, speed, agreement)',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'bench',
      args,
      {
        variants: { type: 'string' },
        data: { type: 'string' },
        reference: { type: 'string' },
        batches: { type: 'string' },
        iterations: { type: 'string' },
        'budget-ms': { type: 'string' },
        warmup: { type: 'string' },
        rows: { type: 'string' },
        http: { type: 'boolean' },
        url: { type: 'string' },
        json: { type: 'boolean' },
      },
      ['model'],
    );
    const variants =
      typeof values.variants === 'string'
        ? values.variants
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    try {
      variants.forEach(parseVariant);
    } catch (err) {
      if (err instanceof CompressError) throw new UsageError(`--variants: ${err.message}`);
      throw err;
    }
    const options = {
      batches: listOption(values.batches, '--batches', 1_000_000),
      iterations: intOption(values.iterations, '--iterations', 1, 1_000_000),
      budgetMs: numberOption(values['budget-ms'], '--budget-ms', 3_600_000),
      warmup: intOption(values.warmup, '--warmup', 0, 1_000_000),
      agreementRows: intOption(values.rows, '--rows', 1, 1_000_000),
    };
    if (values.http && values.url) throw new UsageError('bench: use either --http or --url, not both');
    const modelPath = requireFile(positionals[0], 'model file');
    const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;
    const dataCsv = typeof values.data === 'string' ? requireFile(values.data, 'data CSV') : undefined;

    let server: { url: string; close(): Promise<void> } | undefined;
    if (values.http) {
      const { startServer } = await import('../../serve/start');
      server = await startServer({ modelPath, referenceCsv, port: 0, watch: false, printReadyLine: false, log: () => undefined });
    }
    const onProgress = process.stderr.isTTY ? (p: Progress) => process.stderr.write(`\r\x1b[K[${p.done}/${p.total}] ${p.step}`) : undefined;
    try {
      const { report } = await compareVariants(modelPath, {
        ...options,
        variants,
        referenceCsv,
        dataCsv,
        onProgress,
        httpUrl: server?.url ?? (typeof values.url === 'string' ? values.url : undefined),
      });
      if (onProgress) process.stderr.write('\r\x1b[K');
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatComparison(report));
      if (report.variants.length && report.variants.every((v) => v.error)) {
        throw new ModelLabError(`no variant could be made: ${report.variants.map((v) => `${v.id}: ${v.error}`).join('; ')}`);
      }
      return 0;
    } finally {
      await server?.close();
    }
  },
};

export default bench;
