/**
 * The drift check's requests and results as the server, the OpenAPI document and the UI share them.
 *
 * One job kind, two sources: `files` compares two CSV or Parquet files the owner names (each path must resolve, symlinks
 * followed, inside an allowed folder: server/serve/jobs/drift-job.ts); `live` compares what the server
 * served (its served-rows log) with the served model's reference CSV.
 */
import { z } from 'zod';

// The report's types live here, where the engine (server/drift), the job, the CLI and the UI all
// import them from; the engine builds values of these types and never defines them itself.

/** How a column's values are compared: numbers (when every present cell parses as one, as pandas) or categories. */
export type ColumnKind = 'numerical' | 'categorical';

/** How a score becomes a verdict: p-values drift when small, distances when large. */
export type DriftRule = 'p<=' | 'p<' | 'distance>=';

/** The engine's progress (`runDrift`'s `onProgress`, the CLI's stderr, the drift job's progress `detail`). */
export interface DriftProgress {
  /** `reading`: both files are read at once (rowsRead counts both); one read per pass. */
  phase: 'reading' | 'testing' | 'predicting' | 'multivariate' | 'done';
  rowsRead: number;
  columnsDone: number;
  columnsTotal: number;
  /** Bytes read so far over all passes, and the total to read (both files × passes): a percentage. */
  bytesRead: number;
  bytesTotal: number;
  /** 1-based pass and number of passes (more than one when the columns do not fit the memory budget). */
  pass: number;
  passes: number;
}

/** Multivariate drift: alibi-detect's MMD two-sample permutation test on the numerical columns. */
export interface MmdResult {
  columns: string[];
  rowsPerSide: { reference: number; current: number };
  mmd2: number;
  /** (b + 1) / (B + 1) with b = `exceeding`, B = `permutations`: never below 1 / (B + 1). */
  pValue: number;
  permutations: number;
  /** Permutations whose MMD² was at least the observed one (b). */
  exceeding: number;
  sigma: number;
  threshold: number;
  drift: boolean;
}

/**
 * Dataset-level verdicts, side by side: Evidently's share rule, and multiple-testing corrections
 * over the per-column p-values (alibi-detect's Bonferroni and Benjamini–Hochberg FDR). Features only:
 * the target column is reported apart (`DriftReport.target`).
 */
export interface DatasetVerdicts {
  share: { driftedColumns: number; testedColumns: number; shareOfDrifted: number; driftShare: number; drift: boolean };
  /** Over columns whose test gives a p-value; null when none does. */
  bonferroni: { alpha: number; pValues: number; threshold: number; drift: boolean; driftedColumns: string[] } | null;
  benjaminiHochberg: { alpha: number; pValues: number; threshold: number; drift: boolean; driftedColumns: string[] } | null;
}

export interface SideSummary {
  rows: number;
  missing: number;
  missingShare: number;
  /** Values left after dropping missing/±inf (what the test sees). */
  values: number;
  kind: ColumnKind;
  min: number | null;
  max: number | null;
}

export interface ColumnHistogram {
  /** Numerical: bin edges (bins + 1). Categorical: category labels ("(other)" last if folded). */
  edges?: number[];
  labels?: string[];
  reference: number[];
  current: number[];
}

export interface ColumnQuality {
  missingShareChange: number;
  /** Share of current values outside the reference [min, max] (numerical). */
  outOfRangeShare: number | null;
  /** Categories in current never seen in reference (first 20) and how many in all. */
  newCategories: string[];
  newCategoryCount: number;
  /** Set when reference and current infer different kinds ("numerical → categorical"). */
  typeChange: string | null;
  constantInReference: boolean;
  constantInCurrent: boolean;
  /**
   * The column holds row numbers in both files (consecutive whole numbers, each once: 0, 1, 2, …, or a later
   * slice's 1000, 1001, …): an index — pandas' to_csv
   * writes one (`Unnamed: 0` when read back) unless index=False —, not a feature. It drifts whenever the
   * files differ in length; the report says so (summary.ts) but tests it as Evidently would.
   */
  rowNumbers: boolean;
  /**
   * A categorical column with a different value on every row in both files (at least 20 rows each): an
   * identifier (customer id, UUID), not a feature — it drifts whenever the files hold different rows.
   */
  identifier: boolean;
}

/**
 * The two-sample chi-square test of homogeneity (`scipy.stats.chi2_contingency` on the 2 × K table of
 * counts; Yates' correction on 2 × 2 tables, as scipy's default), computed beside Evidently's
 * chi-square, which treats the reference shares as exact and so raises false alarms that grow with
 * the sample sizes. Evidently's verdict stays the column's verdict; this one is reported beside it.
 */
export interface HomogeneityCheck {
  test: 'chi2_contingency';
  displayName: string;
  statistic: number;
  df: number;
  pValue: number;
  /** The column's threshold; drift when `pValue < threshold` (the rule of Evidently's chi-square). */
  threshold: number;
  drift: boolean;
  correction: boolean;
  /** Null when both tests agree; else why they differ, in words. */
  disagreement: string | null;
}

export interface ColumnDrift {
  name: string;
  kind: ColumnKind;
  test: string;
  testDisplayName: string;
  /** Why this test: the default rule that applied, or "chosen with --stattest". */
  reason: string;
  threshold: number;
  rule: DriftRule;
  /** p-value or distance (see rule); null when it could not be computed (see `error`). */
  score: number | null;
  statistic: number | null;
  note: string | null;
  drift: boolean;
  error: string | null;
  /** Beside Evidently's chi-square (`test: "chisquare"`): the two-sample test of homogeneity; else null. */
  homogeneity: HomogeneityCheck | null;
  reference: SideSummary;
  current: SideSummary;
  quality: ColumnQuality;
  histogram: ColumnHistogram;
}

/** Drift of the model's outputs over both files (`--model`). */
export interface PredictionDrift {
  model: string;
  /** Set when the model could not predict the files at all: the data-drift result stands, with this beside it. */
  error: string | null;
  rows: { reference: number; current: number };
  /** Rows the model could not take (bad cell, fixed-batch remainder…); missing in every prediction column. */
  failedRows: { reference: number; current: number };
  firstError: string | null;
  /** `label` (categorical), `p_<class>` and `prediction[_i]` (numerical), default test choice. */
  columns: ColumnDrift[];
  /** Whether any prediction column drifted. */
  drift: boolean;
}

export type CacheStatus = 'off' | 'hit' | 'written' | `not written: ${string}`;

/**
 * One headline that reconciles every verdict: Evidently's share rule first, then what the other tests
 * add ("but 4 columns drift beyond multiple-testing correction…"), coloured by the most severe.
 * `drift`: some dataset-level verdict, the target or the predictions drifted; `warning`: none did but
 * something needs a look (tests that disagree, a prediction step that failed, untestable columns).
 */
export interface DriftSummary {
  severity: 'ok' | 'warning' | 'drift';
  headline: string;
  /** One line per further finding, most severe first. */
  details: string[];
}

export interface DriftReport {
  schemaVersion: number;
  tool: 'model-lab drift';
  createdAt: string;
  /** `cache`: the reference statistics cache (`off`, `hit`, `written`, or `not written: <why>`). */
  reference: { file: string; rows: number; cache: CacheStatus };
  current: { file: string; rows: number };
  options: {
    driftShare: number;
    alpha: number;
    threshold: number | null;
    stattestAll: string | null;
    stattest: Record<string, string>;
    /** The target column as used (given, or named by the model's signature), or null. */
    target: string | null;
  };
  summary: DriftSummary;
  /** The feature columns (never the target). */
  columns: ColumnDrift[];
  dataset: DatasetVerdicts;
  /** Target drift (Evidently's): the target column tested apart, never counted in `dataset`; null without a target. */
  target: ColumnDrift | null;
  multivariate: MmdResult | null;
  /** Present when a model was given. */
  predictions: PredictionDrift | null;
  /** `passes`: reads of both files (more than 1 when the columns did not fit the memory budget). */
  timings: { readMs: number; testMs: number; totalMs: number; passes: number };
}

const TestOptions = {
  columns: z.array(z.string()).max(10_000).optional(),
  categorical: z.array(z.string()).max(10_000).optional(),
  stattest: z.record(z.string(), z.string()).optional(),
  stattestAll: z.string().optional(),
  threshold: z.number().min(0).optional(),
  driftShare: z.number().min(0).max(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  mmd: z.boolean().optional(),
  target: z
    .string()
    .min(1)
    .optional()
    .describe(
      'column holding the true label/target: tested apart as target ' +
        'drift, never counted in the share rule (ignored when the ' +
        'reference has no such column)',
    ),
};

/** `POST /api/jobs/drift` with `source: "files"`: a current CSV or Parquet file against a reference one (mixed is fine). */
export const DriftFilesRequestSchema = z
  .object({
    source: z.literal('files'),
    reference: z.string().min(1).describe('reference .csv, .tsv, .csv.gz, .tsv.gz or .parquet path (inside an allowed root)'),
    current: z.string().min(1).describe('current .csv, .tsv, .csv.gz, .tsv.gz or .parquet path (inside an allowed root)'),
    options: z
      .object({
        ...TestOptions,
        thresholds: z.record(z.string(), z.number().min(0)).optional(),
        mmdRows: z.number().int().min(10).max(2000).optional(),
        memoryBudgetMb: z.number().min(16).max(64_000).optional(),
        cache: z.boolean().optional(),
        model: z.string().min(1).optional().describe('ONNX model path (inside an allowed root) for prediction drift'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** `POST /api/jobs/drift` with `source: "live"`: the rows this server served against its reference CSV. */
export const DriftLiveRequestSchema = z
  .object({
    source: z.literal('live'),
    options: z
      .object({
        ...TestOptions,
        predictions: z.boolean().optional().describe("also test the served model's predictions on both sides"),
      })
      .strict()
      .optional(),
  })
  .strict();

export const DriftRequestSchema = z.discriminatedUnion('source', [DriftFilesRequestSchema, DriftLiveRequestSchema]);
export type DriftRequest = z.infer<typeof DriftRequestSchema>;
export type DriftFilesRequest = z.infer<typeof DriftFilesRequestSchema>;
export type DriftLiveRequest = z.infer<typeof DriftLiveRequestSchema>;

/** `GET /api/drift/files`: CSV and Parquet files the owner may check, and the stat tests on offer. */
export interface DriftFileList {
  roots: string[];
  files: { path: string; root: string; relative: string }[];
  truncated: boolean;
  statTests: { name: string; displayName: string; kinds: string[]; defaultThreshold: number }[];
}

/** `GET /api/drift/live`: the served-rows log, and the reference a live check compares it with. */
export interface LiveDriftStatus {
  rows: number;
  capacity: number;
  since: string | null;
  total: number;
  columns: string[];
  reference: string | null;
}
