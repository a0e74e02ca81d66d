/**
 * Explanations (server/explain): the `explain` job's request and the report every face shares — the
 * job's result, `model-lab explain --format json`, the HTML report and the Explain tab. The report's
 * fields are documented in server/explain/REPORT_SCHEMA.md.
 */
import { z } from 'zod';

export const EXPLAIN_METHODS = ['permutation', 'pdp', 'shap'] as const;
export type ExplainMethod = (typeof EXPLAIN_METHODS)[number];
export const SHAP_METHODS = ['auto', 'exact', 'kernel', 'tree'] as const;
export type ShapMethodChoice = (typeof SHAP_METHODS)[number];
export const EXPLAIN_METRICS = ['accuracy', 'balanced_accuracy', 'roc_auc', 'log_loss', 'r2', 'mae', 'rmse'] as const;

/** A plain value of a feature in a report: a number, a category, or null when missing. */
export type ReportValue = number | string | null;

export interface FeatureImportance {
  feature: string;
  mean: number;
  std: number;
  /** The importance of each repeat. */
  repeats: number[];
}

export interface PermutationImportance {
  /** A metric name (see EXPLAIN_METRICS), or `output_change` without a target. */
  metric: string;
  metricLabel: string;
  lowerIsBetter: boolean;
  /** The metric on the unshuffled data (a loss as a positive number). */
  baseline: number;
  nRepeats: number;
  rows: number;
  target: string | null;
  /** In the model's feature order. */
  features: FeatureImportance[];
}

export interface PartialDependenceCurve {
  feature: string;
  kind: 'number' | 'category';
  grid: ReportValue[];
  /** [output][grid point]: the average prediction with the feature set to the grid value. */
  average: number[][];
  /** Individual conditional expectation: the rows kept (data row numbers, 0-based) and [output][row][grid point]. */
  ice: { rows: number[]; values: number[][][] };
}

export interface PartialDependenceInteraction {
  features: [string, string];
  grids: [ReportValue[], ReportValue[]];
  /** [output][grid point of the first][grid point of the second]. */
  average: number[][][];
}

export interface PartialDependence {
  /** Rows averaged over. */
  rows: number;
  gridResolution: number;
  percentiles: [number, number];
  curves: PartialDependenceCurve[];
  interaction: PartialDependenceInteraction | null;
}

export interface LocalShap {
  /** The data row explained (0-based), or null for a record given directly (the form's input). */
  row: number | null;
  values: ReportValue[];
  /** [output] */
  prediction: number[];
  /** [output][feature] */
  shap: number[][];
  ms: number;
}

export interface GlobalShap {
  /** Data rows explained (0-based). */
  rows: number[];
  /** [output][feature] mean |SHAP| over `rows`. */
  meanAbs: number[][];
  /** [output][row][feature], for the beeswarm. */
  shap: number[][][];
  /** [row][feature] the feature values of each row, for the beeswarm's colour. */
  values: ReportValue[][];
  ms: number;
}

export interface ShapExplanation {
  method: 'exact' | 'kernel' | 'tree';
  /** How the method treats absent features, in a sentence. */
  methodNote: string;
  /** [output] E[f(X)] over the background (or the tree covers for TreeSHAP). */
  expectedValue: number[];
  backgroundRows: number;
  /** KernelSHAP's coalitions (per row); null for the others. */
  coalitions: number | null;
  local: LocalShap | null;
  global: GlobalShap | null;
}

export interface ExplainReport {
  model: { path: string; task: 'classification' | 'regression'; features: string[]; outputs: string[]; output: string };
  data: { path: string | null; rows: number; rowsInFile: number; target: string | null };
  seed: number;
  permutation: PermutationImportance | null;
  partialDependence: PartialDependence | null;
  shap: ShapExplanation | null;
  /** Milliseconds per method. */
  timings: Record<string, number>;
  notes: string[];
}

/** `POST /api/jobs/explain`: explain the served model on a CSV (default: its reference CSV). */
export const ExplainRequestSchema = z
  .object({
    data: z.string().min(1).optional().describe('CSV path (inside an allowed folder); default: the served model reference CSV'),
    target: z.string().min(1).optional().describe('column of the CSV with the true label or value'),
    methods: z.array(z.enum(EXPLAIN_METHODS)).min(1).optional(),
    row: z.number().int().min(0).optional().describe('data row (0-based) to explain locally'),
    record: z.record(z.string(), z.unknown()).optional().describe('feature values to explain locally (the form input)'),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .optional(),
    metric: z.enum(EXPLAIN_METRICS).optional(),
    nRepeats: z.number().int().min(1).max(100).optional(),
    maxRows: z.number().int().min(10).max(100_000).optional(),
    features: z.array(z.string()).max(1000).optional().describe('features for partial dependence (default: all)'),
    gridResolution: z.number().int().min(2).max(200).optional(),
    iceRows: z.number().int().min(0).max(1000).optional(),
    interaction: z.tuple([z.string(), z.string()]).optional(),
    shapMethod: z.enum(SHAP_METHODS).optional(),
    background: z.number().int().min(1).max(1000).optional(),
    globalRows: z.number().int().min(0).max(2000).optional(),
    kernelSamples: z.number().int().min(16).max(100_000).optional(),
  })
  .strict();
export type ExplainRequest = z.infer<typeof ExplainRequestSchema>;
