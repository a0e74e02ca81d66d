/**
 * Every public route, described once: the OpenAPI document and the `/docs` page are both generated from
 * this list, and a test checks that each entry answers, so the description cannot drift from the app.
 */
import { z } from 'zod';
import {
  CsvBatchRowSchema,
  ErrorResponseSchema,
  MlflowInvocationRequestSchema,
  OipInferRequestSchema,
  OipInferResponseSchema,
  OipModelMetadataSchema,
  OipServerMetadataSchema,
  PredictionsResponseSchema,
  V1ModelListSchema,
  V1ModelStatusSchema,
  V1PredictRequestSchema,
} from '../../protocol/schemas';
import { DriftRequestSchema } from '../../protocol/drift';
import { ExportRequestSchema } from '../../protocol/export-request';
import { PerfCompareRequestSchema, PerfSaveRequestSchema, PerfServeRequestSchema } from '../../protocol/perf';
import { CapacityRequestSchema } from '../../protocol/loadtest';

export interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  /** OpenAPI path template, e.g. `/v2/models/{model}/infer`. */
  path: string;
  group: 'Open Inference Protocol v2' | 'TF Serving / KServe v1' | 'MLflow' | 'CSV batch' | 'UI' | 'Jobs' | 'Operations';
  summary: string;
  /** Request bodies by media type; a `null` schema means "text in that media type" (CSV). */
  request?: Record<string, z.ZodType | null>;
  /** Successful response: a JSON schema, a media type with free text, or nothing (empty body). */
  response?: { type: string; schema?: z.ZodType; description: string };
}

const json = 'application/json';
/** The body of `POST /api/jobs/{kind}`: the request of that kind. */
const JobRequestSchema = z.union([PerfCompareRequestSchema, DriftRequestSchema, ExportRequestSchema]);
const predictions = { type: json, schema: PredictionsResponseSchema, description: 'One prediction per row.' };

/** Routes of the lab (jobs, perf, drift, export): only on a server started with them (not the exported bundle). */
export function isLabRoute(route: RouteDoc): boolean {
  return /^\/api\/(jobs|perf|drift|export)(\/|$)/.test(route.path);
}

/** The routes a server documents: all of them, or without the lab's when it has none. */
export function documentedRoutes(options: { lab: boolean }): RouteDoc[] {
  return options.lab ? ROUTE_DOCS : ROUTE_DOCS.filter((route) => !isLabRoute(route));
}

export const ROUTE_DOCS: RouteDoc[] = [
  {
    method: 'get',
    path: '/v2',
    group: 'Open Inference Protocol v2',
    summary: 'Server metadata',
    response: { type: json, schema: OipServerMetadataSchema, description: 'Name, version, extensions.' },
  },
  { method: 'get', path: '/v2/health/live', group: 'Open Inference Protocol v2', summary: 'Liveness (200, empty body)' },
  { method: 'get', path: '/v2/health/ready', group: 'Open Inference Protocol v2', summary: 'Readiness (200, empty body)' },
  {
    method: 'get',
    path: '/v2/models/{model}',
    group: 'Open Inference Protocol v2',
    summary: 'Model metadata (-1 = variable dimension)',
    response: { type: json, schema: OipModelMetadataSchema, description: 'Inputs and outputs.' },
  },
  {
    method: 'get',
    path: '/v2/models/{model}/versions/{version}',
    group: 'Open Inference Protocol v2',
    summary: 'Model metadata of a version',
    response: { type: json, schema: OipModelMetadataSchema, description: 'Inputs and outputs.' },
  },
  { method: 'get', path: '/v2/models/{model}/ready', group: 'Open Inference Protocol v2', summary: 'Model readiness (200, empty body)' },
  {
    method: 'get',
    path: '/v2/models/{model}/versions/{version}/ready',
    group: 'Open Inference Protocol v2',
    summary: 'Model version readiness',
  },
  {
    method: 'post',
    path: '/v2/models/{model}/infer',
    group: 'Open Inference Protocol v2',
    summary: 'Inference on tensors (JSON, or the binary tensor extension)',
    request: { [json]: OipInferRequestSchema },
    response: { type: json, schema: OipInferResponseSchema, description: 'Output tensors, flat row-major data.' },
  },
  {
    method: 'post',
    path: '/v2/models/{model}/versions/{version}/infer',
    group: 'Open Inference Protocol v2',
    summary: 'Inference on a version',
    request: { [json]: OipInferRequestSchema },
    response: { type: json, schema: OipInferResponseSchema, description: 'Output tensors.' },
  },
  {
    method: 'post',
    path: '/v2/models/{model}/predict-csv',
    group: 'CSV batch',
    summary: 'Streaming CSV batch prediction (no size limit; Accept: text/csv, application/json or application/x-ndjson)',
    request: { 'text/csv': null },
    response: {
      type: 'text/csv',
      schema: CsvBatchRowSchema,
      description: 'Input columns + prediction columns + error; JSON items follow CsvBatchRow.',
    },
  },
  {
    method: 'get',
    path: '/v1/models',
    group: 'TF Serving / KServe v1',
    summary: 'The served model (KServe v1 list)',
    response: { type: json, schema: V1ModelListSchema, description: 'One name: this server serves one model.' },
  },
  {
    method: 'get',
    path: '/v1/models/{model}',
    group: 'TF Serving / KServe v1',
    summary: 'Model version status (TF Serving) and readiness (KServe v1)',
    response: { type: json, schema: V1ModelStatusSchema, description: 'Always AVAILABLE and ready while serving.' },
  },
  {
    method: 'post',
    path: '/v1/models/{model}:predict',
    group: 'TF Serving / KServe v1',
    summary: 'Predict on "instances" (rows) or "inputs" (columns)',
    request: { [json]: V1PredictRequestSchema },
    response: predictions,
  },
  {
    method: 'get',
    path: '/v1/models/{model}/metadata',
    group: 'TF Serving / KServe v1',
    summary: "Signature as TF Serving's GetModelMetadata spells it (serving_default, DT_* types, -1 = variable)",
  },
  {
    method: 'get',
    path: '/v1/models/{model}/versions/{version}',
    group: 'TF Serving / KServe v1',
    summary: 'Status of a version (the served one)',
  },
  {
    method: 'get',
    path: '/v1/models/{model}/versions/{version}/metadata',
    group: 'TF Serving / KServe v1',
    summary: 'Signature of a version (the served one)',
  },
  {
    method: 'post',
    path: '/v1/models/{model}/versions/{version}:predict',
    group: 'TF Serving / KServe v1',
    summary: 'Predict with a named version (the served one; another known version is a 400 saying so)',
    request: { [json]: V1PredictRequestSchema },
    response: predictions,
  },
  { method: 'get', path: '/ping', group: 'MLflow', summary: "Health check, as MLflow's scoring server (200, empty body; no token needed)" },
  { method: 'get', path: '/health', group: 'MLflow', summary: 'Health check, the same as /ping' },
  {
    method: 'post',
    path: '/invocations',
    group: 'MLflow',
    summary: 'MLflow scoring: dataframe_split, dataframe_records, instances, inputs, or a CSV body',
    request: { [json]: MlflowInvocationRequestSchema, 'text/csv': null },
    response: predictions,
  },
  {
    method: 'post',
    path: '/predict',
    group: 'CSV batch',
    summary: 'CSV body → streamed CSV batch; JSON body → as /invocations',
    request: { 'text/csv': null, [json]: MlflowInvocationRequestSchema },
    response: { type: 'text/csv', description: 'As predict-csv for CSV bodies, {"predictions"} for JSON.' },
  },
  {
    method: 'get',
    path: '/',
    group: 'UI',
    summary: 'The prediction form (web UI)',
    response: { type: 'text/html', description: 'HTML page.' },
  },
  {
    method: 'get',
    path: '/api/model',
    group: 'UI',
    summary: 'Model description for the UI (ModelDescription)',
    response: { type: json, description: 'info, signature, reference sample, batching, generation.' },
  },
  {
    method: 'get',
    path: '/api/events',
    group: 'UI',
    summary: 'Server-sent events: model-loaded, model-reload-failed, differential-check, error',
    response: { type: 'text/event-stream', description: 'Recent events first, then live ones.' },
  },
  {
    method: 'post',
    path: '/api/jobs/{kind}',
    group: 'Jobs',
    summary:
      'Start a job (owner only): perf (compare the model with ' +
      'compressed variants; one at a time), drift (source "files": ' +
      'a current CSV against a reference CSV inside the model ' +
      'folder or the working directory; source "live": the rows ' +
      'served against the reference; two at a time), export (dev ' +
      'server only: a verified deployment bundle in the export ' +
      'root; one at a time) → 202 JobState; 409 when too many run',
    request: { [json]: JobRequestSchema },
    response: {
      type: json,
      description: 'JobState {id, kind, status, startedAt, finishedAt, progress, summary, result, error} (server/protocol/jobs.ts).',
    },
  },
  {
    method: 'get',
    path: '/api/jobs',
    group: 'Jobs',
    summary: 'The jobs kept (newest first, without results); ?kind=perf|drift|export',
    response: { type: json, description: '{jobs: JobState[]}.' },
  },
  {
    method: 'get',
    path: '/api/jobs/{id}',
    group: 'Jobs',
    summary: "A job's state; `result` once done (perf: ComparisonReport, drift: DriftReport, export: ExportResult)",
    response: { type: json, description: 'JobState.' },
  },
  {
    method: 'get',
    path: '/api/jobs/{id}/events',
    group: 'Jobs',
    summary: 'Follow a job: server-sent `progress` events, then one `finished` with the final JobState',
    response: { type: 'text/event-stream', description: 'progress {type, id, progress}…, finished {type, state}.' },
  },
  {
    method: 'delete',
    path: '/api/jobs/{id}',
    group: 'Jobs',
    summary: 'Cancel a running job (an export leaves nothing behind) → 202 JobState',
    response: { type: json, description: 'JobState.' },
  },
  {
    method: 'get',
    path: '/api/perf',
    group: 'UI',
    summary: 'Performance lab: variants on offer, this machine (CPU flags), recent perf jobs (a comparison is POST /api/jobs/perf)',
    response: { type: json, description: '{model, served, variants, defaults, machine, jobs}.' },
  },
  {
    method: 'post',
    path: '/api/perf/save',
    group: 'UI',
    summary: 'Write a variant a finished perf job made beside the model as <model>.<variant>.onnx (409 if it exists without overwrite)',
    request: { [json]: PerfSaveRequestSchema },
    response: { type: json, description: '{variant, path, sidecar, fileBytes}.' },
  },
  {
    method: 'post',
    path: '/api/perf/serve',
    group: 'UI',
    summary:
      'Serve "original" or a variant as a new version of the same model (name and URLs stay; ' +
      'with the job id, an unsaved variant is saved first), through the hot-reload path',
    request: { [json]: PerfServeRequestSchema },
    response: { type: json, description: '{variant, name, version, previousVersion, path, generation, saved, versions}.' },
  },
  {
    method: 'get',
    path: '/api/perf/report/{id}',
    group: 'UI',
    summary: 'A finished comparison as a download: ?format=json (ComparisonReport) or csv (one row per variant and batch size)',
    response: { type: 'text/csv', description: 'The report, as an attachment.' },
  },
  {
    method: 'get',
    path: '/api/perf/loadtest/report/{id}',
    group: 'UI',
    summary: 'A finished load test (POST /api/jobs/loadtest) as a JSON download (model-lab-loadtest report)',
    response: { type: json, description: 'LoadTestReport, as an attachment.' },
  },
  {
    method: 'get',
    path: '/api/sample-images',
    group: 'UI',
    summary:
      'Pictures beside the reference data of an image model, for the Predict tab (at most 24 files of 512 KB; none for tabular models)',
    response: { type: json, description: '{folder, images: [{name, mediaType, base64}], skipped}.' },
  },
  {
    method: 'get',
    path: '/api/drift/reports/{id}',
    group: 'UI',
    summary: 'A finished drift check (POST /api/jobs/drift) as a download: ?format=html (default), json, text or junit',
    response: { type: 'text/html', description: "The report, as an attachment (the CLI's renderers)." },
  },
  {
    method: 'get',
    path: '/api/explain/reports/{id}',
    group: 'UI',
    summary: 'A finished explanation (POST /api/jobs/explain) as a download: ?format=html (default, self-contained), json or text',
    response: { type: 'text/html', description: 'The report, as an attachment (the same as model-lab explain --format).' },
  },
  {
    method: 'get',
    path: '/api/perf/capacity',
    group: 'UI',
    summary: 'The capacity plan saved beside the model (<model>.capacity-plan.json), if any',
    response: { type: json, description: '{file, saved: SavedCapacityPlan | null, problem}.' },
  },
  {
    method: 'post',
    path: '/api/perf/capacity',
    group: 'UI',
    summary: "Capacity & cost plan from a finished load test (id) or the saved plan's: replicas, headroom, cost per 1,000 predictions",
    request: { [json]: CapacityRequestSchema },
    response: { type: json, description: '{plan: CapacityPlan}.' },
  },
  {
    method: 'post',
    path: '/api/perf/capacity/save',
    group: 'UI',
    summary: 'Plan as above and save it beside the model as <model>.capacity-plan.json (the Kubernetes/KServe export sizes from it)',
    request: { [json]: CapacityRequestSchema },
    response: { type: json, description: '{plan: CapacityPlan, file}.' },
  },
  {
    method: 'get',
    path: '/api/export',
    group: 'UI',
    summary:
      'Deployment bundles (dev server only): the export root, ' +
      'whether an export job runs, the last result (an export ' +
      'is POST /api/jobs/export)',
    response: { type: json, description: '{exportRoot, running, last: ExportResult | null, lastJob, variants, servedVariant}.' },
  },
  {
    method: 'get',
    path: '/api/export/bundle/{id}/zip',
    group: 'UI',
    summary: 'Dev server only: the bundle of a finished export job as a streamed zip (at most 1 GiB, 10,000 files)',
    response: { type: 'application/zip', description: 'The bundle folder, zipped, as an attachment.' },
  },
  {
    method: 'get',
    path: '/api/export/bundle/{id}/readme',
    group: 'UI',
    summary: "Dev server only: the README.md of a finished export job's bundle, as plain text",
    response: { type: 'text/plain', description: 'README.md.' },
  },
  {
    method: 'post',
    path: '/api/export/precheck',
    group: 'UI',
    summary: 'Dev server only: what each export target can do for this model, before writing (TF.js: every unsupported node)',
    request: { [json]: ExportRequestSchema },
    response: { type: json, description: 'PrecheckResult.' },
  },
  {
    method: 'post',
    path: '/api/share',
    group: 'Operations',
    summary:
      'Mint a share-link token {expiresInMinutes?, label?} → {id, ' +
      'token, expiresAt} (admin credential only; DELETE /api/share/{id} revokes)',
    response: { type: json, description: 'The new token; send it as Authorization: Bearer or ?token=.' },
  },
  {
    method: 'post',
    path: '/api/share/restore',
    group: 'Operations',
    summary:
      'Re-install tokens minted on an earlier process of this ' +
      'server {shares: [{id, token, expiresAt, label?, role?}]} ' +
      '→ {restored} (admin credential only)',
    response: { type: json, description: 'How many live tokens were re-installed (expired ones are dropped).' },
  },
  {
    method: 'get',
    path: '/metrics',
    group: 'Operations',
    summary: 'Prometheus metrics',
    response: { type: 'text/plain', description: 'Prometheus text format.' },
  },
  {
    method: 'get',
    path: '/openapi.json',
    group: 'Operations',
    summary: 'This OpenAPI 3.1 document',
    response: { type: json, description: 'OpenAPI document.' },
  },
  {
    method: 'get',
    path: '/docs',
    group: 'Operations',
    summary: 'Human-readable route list with examples for this model',
    response: { type: 'text/html', description: 'HTML page.' },
  },
];

export { ErrorResponseSchema };
