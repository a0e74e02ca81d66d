/**
 * `model-lab compress <model> --int8 | --int8-weights | --fp16 | --prune <s> -o out.onnx`: writes one
 * variant after proving onnxruntime runs it and measuring its agreement with the original.
 */
import { readFile } from 'node:fs/promises';
import { formatBytes, table } from '../../bench/index';
import { compressBytes, loadVariant, measureAgreement, parseVariant, writeVariantFile, type VariantSpec } from '../../compress/index';
import { loadModel } from '../../model/index';
import { numberOption, parseCommandLine, requireFile } from '../args';
import { UsageError } from '../../protocol/errors';
import type { Command } from '../command';

const usage = `Usage: model-lab compress <model.onnx> (--int8 | --int8-weights | --fp16 | --prune <s>) -o <out.onnx> [options]

Rewrites the model's graph and writes the result to <out.onnx> (never over the input). The variant is
first loaded in onnxruntime and compared with the original on sample rows; the per-node summary says
what was rewritten and what was left alone, and why.

  --int8          int8 dynamic quantisation of MatMul/Gemm (DynamicQuantizeLinear + MatMulInteger), the
                  form onnxruntime fuses; smaller ~4×, faster only with VNNI/AVX-512/ARM dotprod
  --int8-weights  int8 weights + DequantizeLinear, float32 compute; the file notes the session option
                  session.disable_quant_qdq=1 it needs to run at float32 speed
  --fp16          float16 weights with a Cast to float32; inputs/outputs stay float32; ~2× smaller
  --prune <s>     zero the fraction s (0 < s < 1) of smallest weights in each layer; only gzip shrinks

Options:
  -o, --output <file>  where to write (required); the original's sidecar signature is copied beside it
  --per-channel        int8: one scale per output channel
  --full-range         int8: 8-bit weights instead of 7-bit (7-bit avoids int16 overflow in AVX2 kernels)
  --reference <csv>    reference data for the agreement check (feature names, rows, target)
  --force              overwrite <out.onnx> if it exists
  --json               print {variant, path, fileBytes, gzipBytes, nodes, agreement} as JSON

Exit code 0 written, 1 cannot be done (no quantizable ops, onnxruntime refuses the result, bad model),
2 bad command line. Example:
  model-lab compress samples/breast-cancer/breast_cancer.onnx --int8 -o breast_cancer.int8.onnx`;

function chooseSpec(values: Record<string, string | boolean | undefined>): VariantSpec {
  const modes = ['int8', 'int8-weights', 'fp16', 'prune'].filter((m) => values[m] !== undefined);
  if (modes.length !== 1)
    throw new UsageError(
      'compress: choose exactly one of --int8, --int8-weights, --fp16, --prune <s>' +
        (modes.length ? ` (got ${modes.map((m) => `--${m}`).join(', ')})` : ''),
    );
  const mode = modes[0];
  if (values['per-channel'] && !mode.startsWith('int8'))
    throw new UsageError('compress: --per-channel applies to --int8 and --int8-weights only');
  if (values['full-range'] && mode !== 'int8') throw new UsageError('compress: --full-range applies to --int8 only');
  if (mode === 'prune') {
    const s = numberOption(values.prune, '--prune', 1);
    if (s === undefined || s <= 0 || s >= 1)
      throw new UsageError(`--prune must be a fraction between 0 and 1 (e.g. 0.5), got '${String(values.prune)}'`);
    return { id: `prune${Math.round(s * 100)}`, kind: 'prune', sparsity: s };
  }
  const spec = parseVariant(`${mode}${values['per-channel'] ? '-pc' : ''}`);
  return values['full-range'] ? { ...spec, reduceRange: false } : spec;
}

const compress: Command = {
  name: 'compress',
  summary: 'write an int8 / fp16 / pruned variant of a model, with a per-node summary',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'compress',
      args,
      {
        int8: { type: 'boolean' },
        'int8-weights': { type: 'boolean' },
        fp16: { type: 'boolean' },
        prune: { type: 'string' },
        'per-channel': { type: 'boolean' },
        'full-range': { type: 'boolean' },
        output: { type: 'string', short: 'o' },
        reference: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      ['model'],
    );
    const spec = chooseSpec(values);
    if (typeof values.output !== 'string') throw new UsageError("compress: missing -o <out.onnx>; see 'model-lab compress --help'");
    const modelPath = requireFile(positionals[0], 'model file');
    const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;
    const bytes = await readFile(modelPath);
    const result = compressBytes(bytes, spec);
    const original = await loadModel(modelPath, { referenceCsv });
    try {
      const variant = await loadVariant(modelPath, result, { referenceCsv });
      const agreement = await measureAgreement(original, variant.model, { rows: 256 }).finally(() => variant.model.dispose());
      const written = await writeVariantFile(modelPath, result, values.output, {
        overwrite: !!values.force,
        loadOptions: { referenceCsv },
      });
      if (values.json) {
        const summary = {
          variant: spec.id,
          path: written.path,
          sidecar: written.sidecar ?? null,
          originalBytes: bytes.length,
          fileBytes: result.fileBytes,
          gzipBytes: result.gzipBytes,
          sessionConfig: result.sessionConfig,
          nodes: result.nodes,
          notes: result.notes,
          agreement,
        };
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return 0;
      }
      const shown = result.nodes.filter((n) => n.action !== 'left');
      const left = result.nodes.filter((n) => n.action === 'left');
      const leftOps = [...new Set(left.map((n) => n.op))].map((op) => `${op} ×${left.filter((n) => n.op === op).length}`);
      const fig = agreement.rowByRow ?? agreement.batched;
      const lines = [
        `Wrote ${written.path} (${spec.id}): ${formatBytes(result.fileBytes)}, ` +
          `${(bytes.length / result.fileBytes).toFixed(2)}× smaller than ` +
          `${formatBytes(bytes.length)}; gzip ${formatBytes(result.gzipBytes)}`,
        written.sidecar ? `Copied the signature sidecar to ${written.sidecar}` : '',
        '',
        ...table(
          ['node', 'op', 'action', 'detail'],
          shown.map((n) => [n.node, n.op, n.action, n.detail]),
        ),
        leftOps.length ? `Left alone (not candidates): ${leftOps.join(', ')}` : '',
        '',
        `Agreement on ${agreement.rows} ${agreement.source === 'tensors' ? 'synthetic' : agreement.source} rows: ` +
          `argmax ${fig.argmax === null ? '—' : `${(100 * fig.argmax).toFixed(1)} %`}, ` +
          (fig.argmax === null && fig.correlation !== null ? `correlation ${fig.correlation.toFixed(4)}, ` : '') +
          `max abs diff ${fig.maxAbsDiff.toExponential(2)} (row by row)` +
          (agreement.rowByRow ? `, ${agreement.batched.maxAbsDiff.toExponential(2)} batched` : '') +
          (agreement.source === 'reference' ? '' : `. Inputs: ${agreement.inputs}`),
        ...result.notes,
        Object.keys(result.sessionConfig).length
          ? `Load it with session config ${JSON.stringify(result.sessionConfig)} (also stored in its metadata as model_lab.session_config).`
          : '',
      ];
      process.stdout.write(`${lines.filter((l, i, all) => l !== '' || (all[i - 1] ?? '') !== '').join('\n')}\n`);
      return 0;
    } finally {
      await original.dispose();
    }
  },
};

export default compress;
