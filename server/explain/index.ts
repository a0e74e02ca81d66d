/**
 * server/explain — why a model predicts what it predicts, from the ONNX file and a CSV of data alone:
 * permutation importance, partial dependence + ICE, and SHAP values (TreeSHAP, exact, KernelSHAP).
 * No VS Code, no HTTP: the CLI (`model-lab explain`) and the `explain` job call {@link explainModel}.
 * Every model call goes through one onnxruntime session in large batches (./predictor.ts); long runs
 * report progress and stop on `signal`.
 *
 * @example
 * const model = await loadModel('samples/iris/iris.onnx');
 * const report = await explainModel({ model, data: 'samples/iris/reference.csv', target: 'species', row: 0 });
 */
import type { LoadedModel } from '../model/index';
import { ModelLabError, throwIfCancelled } from '../protocol/errors';
import { EXPLAIN_METHODS, type ExplainMethod, type ExplainReport, type ShapMethodChoice } from '../protocol/explain';
import type { FeatureRecord } from '../protocol/signature';
import type { ExplainContext, ExplainProgress } from './context';
import { truthFromTarget, type MetricName } from './metrics';
import { partialDependence } from './partial-dependence';
import { permutationImportance } from './permutation';
import { createPredictor } from './predictor';
import { createRandom, sampleIndices } from './random';
import { explainShap, readTreeEnsemble } from './shap/index';
import { readTable, tableFromRecords, takeRows, type DataTable } from './table';

export type { ExplainContext, ExplainProgress } from './context';
export {
  CLASSIFIER_METRICS,
  REGRESSOR_METRICS,
  METRIC_LABELS,
  score,
  rocAuc,
  truthFromTarget,
  type MetricName,
  type Truth,
} from './metrics';
export { permutationImportance, type PermutationOptions } from './permutation';
export { partialDependence, featureGrid, mquantile, type PartialDependenceOptions } from './partial-dependence';
export { createPredictor, BATCH_ROWS, type Predictor } from './predictor';
export { readTable, tableFromRecords, takeRows, rowValues, type DataTable, type TableFeature } from './table';
export {
  explainShap,
  exactShap,
  kernelShap,
  planCoalitions,
  treeShap,
  readTreeEnsemble,
  computeCovers,
  MAX_EXACT_FEATURES,
} from './shap/index';
export type { Game, RowShap, TreeEnsemble } from './shap/index';

export interface ExplainOptions {
  model: LoadedModel;
  /** A CSV path, or a table already read. */
  data: string | DataTable;
  /** Column with the true label/value; default the signature's target when the CSV has that column. */
  target?: string;
  methods?: readonly ExplainMethod[];
  /** Data row (0-based) to explain with SHAP; default 0. */
  row?: number;
  /** Feature values to explain with SHAP instead of a data row (the form's input). */
  record?: FeatureRecord;
  seed?: number;
  metric?: MetricName;
  nRepeats?: number;
  /** Rows used (a seeded sample): permutation importance default 10,000, partial dependence 1,000. */
  maxRows?: number;
  features?: string[];
  gridResolution?: number;
  iceRows?: number;
  interaction?: [string, string];
  shapMethod?: ShapMethodChoice;
  background?: number;
  globalRows?: number;
  kernelSamples?: number;
  signal?: AbortSignal;
  onProgress?: (progress: ExplainProgress) => void;
}

function subsample(table: DataTable, rows: number, seed: number): DataTable {
  if (table.rows <= rows) return table;
  const indices = sampleIndices(table.rows, rows, createRandom(seed));
  return {
    ...table,
    rows: indices.length,
    values: takeRows(table, indices),
    target: table.target ? Array.from(indices, (i) => table.target![i]) : null,
  };
}

export async function explainModel(options: ExplainOptions): Promise<ExplainReport> {
  const { model } = options;
  const methods = options.methods?.length ? [...new Set(options.methods)] : [...EXPLAIN_METHODS];
  const seed = options.seed ?? 0;
  const notes: string[] = [];
  const signature = model.signature;
  const target = options.target ?? signature.target;
  const table =
    typeof options.data === 'string'
      ? await readTable(options.data, signature, { target, targetOptional: options.target === undefined })
      : options.data;
  const predictor = createPredictor(model, table.features);
  const width = table.features.length;
  await predictor.predict(table.values.subarray(0, width), 1, options.signal);
  const timings: Record<string, number> = {};
  let step = 0;
  const context = (): ExplainContext => {
    const index = step++;
    return {
      signal: options.signal,
      progress: (p) =>
        options.onProgress?.({
          done: Math.round(1000 * index + (1000 * p.done) / Math.max(1, p.total)),
          total: 1000 * methods.length,
          step: p.step,
        }),
    };
  };
  const report: ExplainReport = {
    model: {
      path: model.info.path,
      task: predictor.task,
      features: table.features.map((f) => f.name),
      outputs: predictor.outputs,
      output: predictor.tensor,
    },
    data: {
      path: typeof options.data === 'string' ? options.data : null,
      rows: table.rows,
      rowsInFile: table.rowsInFile,
      target: table.targetName,
    },
    seed,
    permutation: null,
    partialDependence: null,
    shap: null,
    timings,
    notes,
  };
  for (const method of methods) {
    throwIfCancelled(options.signal);
    const started = performance.now();
    if (method === 'permutation') {
      const rows = subsample(table, options.maxRows ?? 10_000, seed);
      const truth =
        rows.target && table.targetName ? truthFromTarget(rows.target, predictor.task, predictor.outputs, table.targetName) : null;
      if (!truth)
        notes.push('No target column: permutation importance is the mean absolute change of the model output when a feature is shuffled.');
      if (options.metric && !truth) throw new ModelLabError('metric: a metric needs the target column (--target)', { field: 'metric' });
      report.permutation = await permutationImportance(
        predictor,
        rows,
        truth,
        { nRepeats: options.nRepeats, seed, metric: options.metric },
        context(),
      );
      if (rows.rows < table.rows) notes.push(`Permutation importance on a seeded sample of ${rows.rows} of ${table.rows} rows.`);
    } else if (method === 'pdp') {
      const rows = subsample(table, options.maxRows ?? 1_000, seed);
      report.partialDependence = await partialDependence(
        predictor,
        rows,
        {
          features: options.features,
          gridResolution: options.gridResolution ?? 20,
          iceRows: options.iceRows,
          interaction: options.interaction,
          seed,
        },
        context(),
      );
      if (rows.rows < table.rows) notes.push(`Partial dependence averaged over a seeded sample of ${rows.rows} of ${table.rows} rows.`);
    } else {
      const found =
        options.shapMethod === undefined || options.shapMethod === 'auto' || options.shapMethod === 'tree'
          ? await readTreeEnsemble(model.info.path, signature, predictor.tensor, report.model.features)
          : { ensemble: null, reason: '' };
      if (options.shapMethod === 'tree' && !found.ensemble)
        throw new ModelLabError(`shapMethod: TreeSHAP cannot read this model: ${found.reason}`, { field: 'shapMethod' });
      const local =
        options.record !== undefined
          ? { values: tableFromRecords(signature, [options.record], table.features).values }
          : { row: options.row ?? 0 };
      report.shap = await explainShap(
        predictor,
        table,
        found.ensemble,
        {
          method: options.shapMethod,
          background: options.background,
          globalRows: options.globalRows,
          kernelSamples: options.kernelSamples,
          seed,
          local,
        },
        context(),
      );
    }
    timings[method] = performance.now() - started;
  }
  return report;
}
