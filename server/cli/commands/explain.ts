/**
 * `model-lab explain <model> <data.csv>`: permutation importance, partial dependence / ICE and SHAP
 * values of a model from its ONNX file and a CSV of data (server/explain), as text, JSON (schema in
 * server/explain/REPORT_SCHEMA.md) or a self-contained HTML report. Bad input is a ModelLabError (exit 1),
 * a bad command line a UsageError (exit 2).
 */
import { writeFile } from 'node:fs/promises';
import { CLASSIFIER_METRICS, explainModel, REGRESSOR_METRICS, type MetricName } from '../../explain/index';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../explain/report/index';
import { loadModel } from '../../model/index';
import { UsageError } from '../../protocol/errors';
import { EXPLAIN_METHODS, SHAP_METHODS, type ExplainMethod, type ShapMethodChoice } from '../../protocol/explain';
import { intOption, parseCommandLine, requireFile } from '../args';
import type { Command } from '../command';

const METRICS: readonly string[] = [...CLASSIFIER_METRICS, ...REGRESSOR_METRICS];

const usage = `Usage: model-lab explain <model.onnx> <data.csv> [options]

Explains a model from its ONNX file and a CSV of data with its feature columns:
  permutation  permutation importance (sklearn's definition): the drop of a score when a column is
               shuffled; with --target the score is a metric, without it the model's own output change
  pdp          partial dependence and ICE curves (sklearn's brute method, grid from the 5-95 % percentiles)
  shap         SHAP values for one row and a global summary: TreeSHAP for ONNX tree ensembles, exact
               Shapley values up to 12 features, KernelSHAP above

Options:
  --target col           column with the true label/value (default: the model's target, if the CSV has it)
  --methods a,b          ${EXPLAIN_METHODS.join(', ')} (default: all)
  --row N                data row (0-based) to explain with SHAP (default 0)
  --metric m             ${METRICS.join(', ')} (default: accuracy or r2)
  --repeats N            permutation repeats (default 5)
  --features a,b         features for partial dependence (default: all)
  --grid N               grid points per feature (default 20)
  --interaction a,b      also the two-feature partial dependence of a and b (heat map)
  --shap m               ${SHAP_METHODS.join(', ')} (default auto)
  --background N         background rows for SHAP (default 100)
  --global-rows N        rows for the global SHAP summary (default 100 for trees, else 50; 0 for none)
  --max-rows N           rows used, a seeded sample (default 10,000 permutation, 1,000 partial dependence)
  --seed N               seed of every shuffle and sample (default 0)
  --format f             ${REPORT_FORMATS.join(', ')} (default text)
  -o, --output file      write the report to a file instead of stdout
  --quiet                no progress on stderr

Example: model-lab explain model.onnx train.csv --target label --format html -o explain.html`;

function list(value: unknown): string[] | undefined {
  return typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : undefined;
}

const explain: Command = {
  name: 'explain',
  summary: 'explain a model: permutation importance, partial dependence / ICE and SHAP values',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'explain',
      args,
      {
        target: { type: 'string' },
        methods: { type: 'string' },
        row: { type: 'string' },
        metric: { type: 'string' },
        repeats: { type: 'string' },
        features: { type: 'string' },
        grid: { type: 'string' },
        interaction: { type: 'string' },
        shap: { type: 'string' },
        background: { type: 'string' },
        'global-rows': { type: 'string' },
        'max-rows': { type: 'string' },
        seed: { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        quiet: { type: 'boolean' },
      },
      ['model.onnx', 'data.csv'],
    );
    const format = (values.format ?? 'text') as ReportFormat;
    if (!REPORT_FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got '${String(values.format)}'`);
    const methods = list(values.methods);
    for (const m of methods ?? [])
      if (!(EXPLAIN_METHODS as readonly string[]).includes(m))
        throw new UsageError(`--methods takes ${EXPLAIN_METHODS.join(', ')}; got '${m}'`);
    const metric = values.metric as string | undefined;
    if (metric !== undefined && !METRICS.includes(metric))
      throw new UsageError(`--metric must be one of ${METRICS.join(', ')}, got '${metric}'`);
    const shap = values.shap as string | undefined;
    if (shap !== undefined && !(SHAP_METHODS as readonly string[]).includes(shap))
      throw new UsageError(`--shap must be one of ${SHAP_METHODS.join(', ')}, got '${shap}'`);
    const interaction = list(values.interaction);
    if (interaction && interaction.length !== 2) throw new UsageError(`--interaction takes two features, e.g. --interaction age,bmi`);
    const modelPath = requireFile(positionals[0], 'model');
    const dataPath = requireFile(positionals[1], 'data CSV');
    const quiet = values.quiet === true;
    let last = 0;
    const model = await loadModel(modelPath, { referenceCsv: dataPath });
    try {
      const report = await explainModel({
        model,
        data: dataPath,
        target: values.target as string | undefined,
        methods: methods as ExplainMethod[] | undefined,
        row: intOption(values.row, '--row', 0, 100_000_000),
        metric: metric as MetricName | undefined,
        nRepeats: intOption(values.repeats, '--repeats', 1, 100),
        features: list(values.features),
        gridResolution: intOption(values.grid, '--grid', 2, 200),
        interaction: interaction as [string, string] | undefined,
        shapMethod: shap as ShapMethodChoice | undefined,
        background: intOption(values.background, '--background', 1, 1000),
        globalRows: intOption(values['global-rows'], '--global-rows', 0, 2000),
        maxRows: intOption(values['max-rows'], '--max-rows', 10, 100_000),
        seed: intOption(values.seed, '--seed', 0, 2 ** 31),
        onProgress: (p) => {
          const now = Date.now();
          if (quiet || now - last < 500) return;
          last = now;
          process.stderr.write(`explain: ${Math.floor((100 * p.done) / p.total)}% ${p.step}\n`);
        },
      });
      const text = renderReport(report, format);
      if (typeof values.output === 'string') await writeFile(values.output, text);
      else process.stdout.write(text);
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

export default explain;
