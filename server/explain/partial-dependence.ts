/**
 * Partial dependence and ICE, sklearn's `partial_dependence(method='brute')`: for each grid value of a
 * feature, every row gets that value, the model predicts all of them, and the curve is the average over
 * rows (ICE keeps each row's own curve). The grid is sklearn's `_grid_from_X`: the feature's distinct
 * values when there are fewer than `gridResolution` of them (or it is a category), else `gridResolution`
 * evenly spaced points between its (5 %, 95 %) percentiles computed like scipy's `mquantiles`
 * (alphap = betap = 0.4). Classifiers get one curve per class probability.
 */
import { ModelLabError, throwIfCancelled } from '../protocol/errors';
import type { PartialDependence, PartialDependenceCurve, PartialDependenceInteraction, ReportValue } from '../protocol/explain';
import type { ExplainContext } from './context';
import type { Predictor } from './predictor';
import { createRandom, sampleIndices } from './random';
import type { DataTable } from './table';

export interface PartialDependenceOptions {
  /** Feature names (default: every feature). */
  features?: string[];
  gridResolution?: number;
  percentiles?: [number, number];
  /** ICE curves kept per feature (a seeded sample of rows); 0 keeps none. Default 50. */
  iceRows?: number;
  interaction?: [string, string];
  seed?: number;
}

/** scipy.stats.mstats.mquantiles with its defaults (alphap = betap = 0.4) on sorted values. */
export function mquantile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 1) return sorted[0];
  const m = 0.4 + p * (1 - 0.4 - 0.4);
  const aleph = n * p + m;
  const k = Math.floor(Math.min(n - 1, Math.max(1, aleph)));
  const gamma = Math.min(1, Math.max(0, aleph - k));
  return (1 - gamma) * sorted[k - 1] + gamma * sorted[k];
}

/** The grid of feature `j` as matrix values (category indices for a category). */
export function featureGrid(table: DataTable, j: number, gridResolution: number, percentiles: [number, number]): number[] {
  const width = table.features.length;
  const feature = table.features[j];
  const column: number[] = [];
  for (let i = 0; i < table.rows; i++) {
    const v = table.values[i * width + j];
    if (!Number.isNaN(v)) column.push(v);
  }
  if (!column.length)
    throw new ModelLabError(`feature ${feature.name} has no values in the data; partial dependence needs some`, { field: feature.name });
  if (feature.kind === 'category') {
    // sklearn's np.unique: categories in sorted order.
    return [...new Set(column)].sort((a, b) =>
      feature.categories[a] < feature.categories[b] ? -1 : feature.categories[a] > feature.categories[b] ? 1 : 0,
    );
  }
  const sorted = Float64Array.from(column).sort();
  const unique = [...new Set(sorted)];
  if (unique.length < gridResolution) return unique;
  const low = mquantile(sorted, percentiles[0]);
  const high = mquantile(sorted, percentiles[1]);
  if (Math.abs(high - low) <= 1e-8 + 1e-5 * Math.abs(high))
    throw new ModelLabError(`feature ${feature.name}: its ${percentiles.join(' and ')} percentiles are too close for a grid`, {
      field: feature.name,
    });
  // numpy.linspace: start + i·step, the last point exactly `stop`.
  const step = (high - low) / (gridResolution - 1);
  return Array.from({ length: gridResolution }, (_, i) => (i === gridResolution - 1 ? high : low + i * step));
}

function gridValue(table: DataTable, j: number, v: number): ReportValue {
  const f = table.features[j];
  return f.kind === 'category' ? (f.categories[v] ?? null) : v;
}

function featureIndex(table: DataTable, name: string): number {
  const j = table.features.findIndex((f) => f.name === name);
  if (j < 0)
    throw new ModelLabError(`features: the model has no feature '${name}' (it has ${table.features.map((f) => f.name).join(', ')})`, {
      field: 'features',
    });
  return j;
}

/** Predictions with the features `columns` set to each combination in `points` (point-major), rows × k each. */
async function predictAt(
  predictor: Predictor,
  table: DataTable,
  columns: number[],
  points: number[][],
  signal?: AbortSignal,
): Promise<Float64Array> {
  const n = table.rows;
  const width = table.features.length;
  const batch = new Float64Array(points.length * n * width);
  points.forEach((point, g) => {
    batch.set(table.values, g * n * width);
    for (let i = 0; i < n; i++) columns.forEach((j, c) => (batch[(g * n + i) * width + j] = point[c]));
  });
  return predictor.predict(batch, points.length * n, signal);
}

export async function partialDependence(
  predictor: Predictor,
  table: DataTable,
  options: PartialDependenceOptions,
  context: ExplainContext = {},
): Promise<PartialDependence> {
  const gridResolution = options.gridResolution ?? 100;
  const percentiles = options.percentiles ?? [0.05, 0.95];
  const n = table.rows;
  const indices = (options.features ?? table.features.map((f) => f.name)).map((name) => featureIndex(table, name));
  const iceRows = Array.from(sampleIndices(n, options.iceRows ?? 50, createRandom(options.seed ?? 0)));
  const grids = indices.map((j) => featureGrid(table, j, gridResolution, percentiles));
  const interactionGrids = options.interaction?.map((name) => {
    const j = featureIndex(table, name);
    return { j, grid: featureGrid(table, j, gridResolution, percentiles) };
  });
  const total =
    n *
    (grids.reduce((a, g) => a + g.length, 0) + (interactionGrids ? interactionGrids[0].grid.length * interactionGrids[1].grid.length : 0));
  let done = 0;
  const curves: PartialDependenceCurve[] = [];
  for (let f = 0; f < indices.length; f++) {
    throwIfCancelled(context.signal);
    const j = indices[f];
    const grid = grids[f];
    const pred = await predictAt(
      predictor,
      table,
      [j],
      grid.map((v) => [v]),
      context.signal,
    );
    const k = predictor.outputs.length;
    const average = Array.from({ length: k }, (_, o) =>
      grid.map((_, g) => {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += pred[(g * n + i) * k + o];
        return sum / n;
      }),
    );
    const ice = Array.from({ length: k }, (_, o) => iceRows.map((i) => grid.map((_, g) => pred[(g * n + i) * k + o])));
    curves.push({
      feature: table.features[j].name,
      kind: table.features[j].kind,
      grid: grid.map((v) => gridValue(table, j, v)),
      average,
      ice: { rows: iceRows, values: ice },
    });
    done += n * grid.length;
    context.progress?.({ done, total, step: `partial dependence: ${f + 1} of ${indices.length} features` });
  }
  let interaction: PartialDependenceInteraction | null = null;
  if (interactionGrids) {
    const [a, b] = interactionGrids;
    const points = a.grid.flatMap((va) => b.grid.map((vb) => [va, vb]));
    const pred = await predictAt(predictor, table, [a.j, b.j], points, context.signal);
    const k = predictor.outputs.length;
    interaction = {
      features: [table.features[a.j].name, table.features[b.j].name],
      grids: [a.grid.map((v) => gridValue(table, a.j, v)), b.grid.map((v) => gridValue(table, b.j, v))],
      average: Array.from({ length: k }, (_, o) =>
        a.grid.map((_, ga) =>
          b.grid.map((_, gb) => {
            const g = ga * b.grid.length + gb;
            let sum = 0;
            for (let i = 0; i < n; i++) sum += pred[(g * n + i) * k + o];
            return sum / n;
          }),
        ),
      ),
    };
    done += n * points.length;
    context.progress?.({ done, total, step: 'partial dependence: interaction' });
  }
  return { rows: n, gridResolution, percentiles, curves, interaction };
}
