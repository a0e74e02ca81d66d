/**
 * SHAP values for one row (local) and for a sample of rows (global: mean |SHAP| and beeswarm data),
 * interventional with a background sample of the data, by the best method that applies:
 * TreeSHAP for a tree ensemble graph (exact, fast), exact enumeration for ≤ 12 features, else KernelSHAP.
 */
import { ModelLabError } from '../../protocol/errors';
import type { GlobalShap, ShapExplanation, ShapMethodChoice } from '../../protocol/explain';
import type { ExplainContext } from '../context';
import type { Predictor } from '../predictor';
import { createRandom, sampleIndices } from '../random';
import { rowValues, takeRows, type DataTable } from '../table';
import type { Game } from './coalitions';
import { exactShap, MAX_EXACT_FEATURES, type RowShap } from './exact';
import { coalitionCount, kernelShap } from './kernel';
import { computeCovers, type TreeEnsemble } from './tree-ensemble';
import { treeShap } from './tree-shap';

export { exactShap, MAX_EXACT_FEATURES, type RowShap } from './exact';
export { kernelShap, planCoalitions } from './kernel';
export { readTreeEnsemble, computeCovers, type TreeEnsemble } from './tree-ensemble';
export { treeShap } from './tree-shap';
export type { Game } from './coalitions';

export interface ShapOptions {
  method?: ShapMethodChoice;
  /** Background rows (a seeded sample of the data). Default 100. */
  background?: number;
  /** Rows for the global summary (a seeded sample); 0 for none. Default 100 (TreeSHAP) or 50. */
  globalRows?: number;
  /** KernelSHAP coalitions per row. */
  kernelSamples?: number;
  seed?: number;
  /** The row to explain locally: a data row or a one-row table of the form's input. */
  local?: { row: number } | { values: Float64Array };
}

const NOTES = {
  exact: 'Exact interventional Shapley values: every coalition enumerated, absent features taken from the background rows.',
  kernel:
    'KernelSHAP: Shapley values by weighted linear regression ' +
    'over sampled coalitions, absent features taken from the ' +
    'background rows; additivity enforced.',
  tree:
    'Path-dependent TreeSHAP on the ONNX tree ensemble (as xgboost ' +
    'pred_contribs): absent features follow both branches weighted ' +
    'by the node covers (rows of the data reaching each node).',
};

export async function explainShap(
  predictor: Predictor,
  table: DataTable,
  ensemble: TreeEnsemble | null,
  options: ShapOptions,
  context: ExplainContext = {},
): Promise<ShapExplanation> {
  const width = table.features.length;
  const choice = options.method ?? 'auto';
  const method: ShapExplanation['method'] =
    choice === 'auto' ? (ensemble ? 'tree' : width <= MAX_EXACT_FEATURES ? 'exact' : 'kernel') : choice;
  if (method === 'tree' && !ensemble)
    throw new ModelLabError('TreeSHAP needs a model that is one ONNX tree ensemble; choose exact or kernel', { field: 'shapMethod' });
  const random = createRandom(options.seed ?? 0);
  const backgroundIndices = sampleIndices(table.rows, options.background ?? 100, random);
  const game: Game = { width, background: takeRows(table, backgroundIndices), backgroundRows: backgroundIndices.length, predictor };
  if (ensemble) computeCovers(ensemble, table.values, table.rows, width);

  const explain = async (rows: Float64Array[]): Promise<RowShap[]> => {
    if (method === 'tree') return treeShap(ensemble!, rows, width);
    if (method === 'exact') return exactShap(game, rows, context);
    return kernelShap(game, rows, { samples: options.kernelSamples, seed: options.seed }, context);
  };

  let local: ShapExplanation['local'] = null;
  let expected: number[] | null = null;
  if (options.local) {
    const values = 'row' in options.local ? takeRows(table, [options.local.row]) : options.local.values;
    if ('row' in options.local && (options.local.row < 0 || options.local.row >= table.rows))
      throw new ModelLabError(`row: the data has rows 0 to ${table.rows - 1}, not ${options.local.row}`, { field: 'row' });
    const started = performance.now();
    const [result] = await explain([values]);
    expected = result.expected;
    local = {
      row: 'row' in options.local ? options.local.row : null,
      values: rowValues(table, values, 0),
      prediction: result.prediction,
      shap: result.shap,
      ms: performance.now() - started,
    };
  }
  let global: GlobalShap | null = null;
  const globalCount = options.globalRows ?? (method === 'tree' ? 100 : 50);
  if (globalCount > 0) {
    const started = performance.now();
    const indices = Array.from(sampleIndices(table.rows, globalCount, random));
    const results = await explain(indices.map((i) => takeRows(table, [i])));
    expected ??= results[0].expected;
    const k = results[0].shap.length;
    global = {
      rows: indices,
      meanAbs: Array.from({ length: k }, (_, o) =>
        Array.from({ length: width }, (_, j) => results.reduce((s, r) => s + Math.abs(r.shap[o][j]), 0) / results.length),
      ),
      shap: Array.from({ length: k }, (_, o) => results.map((r) => r.shap[o])),
      values: indices.map((i) => rowValues(table, table.values, i)),
      ms: performance.now() - started,
    };
  }
  return {
    method,
    methodNote: NOTES[method],
    expectedValue: expected ?? [],
    backgroundRows: method === 'tree' ? table.rows : game.backgroundRows,
    coalitions: method === 'kernel' ? coalitionCount(width, options.kernelSamples) : method === 'exact' ? 2 ** width : null,
    local,
    global,
  };
}
