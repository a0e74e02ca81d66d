/**
 * The deployment bundle's vocabulary, shared by the export engine, the CLI, the HTTP routes and the
 * Export tab (type-only imports there, so the UI bundle carries no engine code). No zod here: the UI
 * imports EXPORT_TARGETS at run time; the request schema is in ./export-request.ts.
 */

/**
 * What a bundle can contain. `onnx` (the model + signature + README + MANIFEST) is always written.
 * `explain` is not a deployment target but the explanation report for the receiving engineer
 * (`explain/report.html` + `report.json`, computed on the reference CSV): opt-in, never in the default.
 */
export const EXPORT_TARGETS = ['onnx', 'docker', 'k8s', 'kserve', 'triton', 'tfjs', 'explain'] as const;
export type ExportTarget = (typeof EXPORT_TARGETS)[number];
/** The targets an export writes when none are named: every deployment target (not the opt-in `explain`). */
export const DEFAULT_EXPORT_TARGETS: readonly ExportTarget[] = EXPORT_TARGETS.filter((t) => t !== 'explain');

/** One check run before handoff. `skipped` says why it could not run (never silently absent). */
export interface ExportCheck {
  /** The target the check is about; `bundle` for the whole folder (manifest, layout). */
  target: ExportTarget | 'bundle';
  /** Short stable id, e.g. `server-parity`, `dockerfile-rules`, `k8s-schema`. */
  name: string;
  status: 'pass' | 'fail' | 'skipped';
  /** One or a few sentences a person can act on: what was compared, what failed and where. */
  detail: string;
  /** Figures the check measured (max abs diff, rows compared, milliseconds…). */
  measured?: Record<string, number | string | boolean>;
  ms: number;
}

export interface ManifestFile {
  /** Path inside the bundle, `/`-separated. */
  path: string;
  bytes: number;
  sha256: string;
}

/** A target the user asked for that could not be written at all (its files are absent from the bundle). */
export interface TargetFailure {
  target: ExportTarget;
  reason: string;
}

/** `MANIFEST.json` at the bundle root. */
export interface ExportManifest {
  schemaVersion: 1;
  tool: { name: 'model-lab'; version: string };
  createdAt: string;
  model: {
    /** The name the servers publish it under (also the Triton model and the Kubernetes app name). */
    name: string;
    /** The model file exported (inside the bundle). */
    file: string;
    sourcePath: string;
    sourceSha256: string;
    variant: string | null;
    signatureSource: string;
    inputs: { name: string; dtype: string; dims: (number | string | null)[] }[];
    outputs: { name: string; dtype: string; dims: (number | string | null)[] }[];
  };
  targets: { requested: ExportTarget[]; written: ExportTarget[]; failed: TargetFailure[] };
  /** Every file of the bundle except MANIFEST.json itself. */
  files: ManifestFile[];
  checks: ExportCheck[];
  /** How the bundled server's dependencies were provided for its verification run. */
  verification: { serverDependencies: string; docker: string };
  timings: { totalMs: number };
}

export interface ExportProgress {
  /** `prepare`, `model`, `server`, `docker`, …, `verify:<target>`, `manifest`, `done`. */
  stage: string;
  done: number;
  total: number;
  message: string;
}

export interface ExportOptions {
  /** Default: every target. `onnx` is added when missing. */
  targets?: readonly ExportTarget[];
  /** A compressed variant of the model from the compress engine (e.g. `int8`). */
  variant?: string;
  /** The bundle folder to create. It must not exist, or be empty, unless `force`. */
  outDir: string;
  /** Replace a non-empty `outDir` (only after the new bundle is complete). */
  force?: boolean;
  /** Reference CSV: names features (when the model does not), gives the sample rows of README/verification. */
  referenceCsv?: string;
  /**
   * How the bundled server gets onnxruntime-node for its verification run: `node-path` (default) points
   * NODE_PATH at this installation's node_modules (fast); `npm-ci` runs `npm ci --omit=dev --offline` in
   * a scratch copy of `server/` (what the Dockerfile does, ~5 s, ~290 MB written then deleted).
   */
  verifyInstall?: 'node-path' | 'npm-ci';
  onProgress?: (progress: ExportProgress) => void;
  signal?: AbortSignal;
}

export interface ExportResult {
  outDir: string;
  manifest: ExportManifest;
  checks: ExportCheck[];
  /** True when every requested target was written and no check failed. */
  ok: boolean;
}

/** A node the TF.js converter cannot convert (or an attribute combination it does not support). */
export interface UnsupportedNode {
  node: string;
  opType: string;
  reason: string;
}

/** What the pre-check found for one target, before anything is written. */
export interface TargetPrecheck {
  target: ExportTarget;
  ok: boolean;
  /** Why it cannot be exported (empty when ok). */
  problems: string[];
  /** TF.js only: every unsupported node. */
  unsupportedNodes?: UnsupportedNode[];
}

export interface PrecheckResult {
  model: string;
  targets: TargetPrecheck[];
}

/** `GET /api/export`: where bundles go, and the newest export job's outcome. */
/** A compressed variant the Export tab offers (the compress engine's list), and whether it is saved beside the model. */
export interface ExportVariantOffer {
  id: string;
  label: string;
  about: string;
  saved: boolean;
}

export interface ExportStatus {
  exportRoot: string;
  running: boolean;
  last: ExportResult | null;
  /** The export job that made `last`: its bundle downloads from `/api/export/bundle/{id}/zip`. */
  lastJob: string | null;
  /** The variants an export can be made of (the Variant dropdown); the original is always offered too. */
  variants: ExportVariantOffer[];
  /** The variant served now (Performance → Serve this variant), preselected in the dropdown; null for the original. */
  servedVariant: string | null;
}
