/**
 * Open Inference Protocol v2 (KServe V2 / Triton / MLServer): health, server and model metadata, infer.
 * Paths, shapes and errors follow the protocol so existing clients (tritonclient, KServe SDK, curl
 * examples from their docs) work unchanged; see /work/shared/notes/serving.md.
 */
import { Hono, type Context } from 'hono';
import { OIP_DATATYPE } from '../../protocol/api';
import { InputError, type PlainTensor } from '../../protocol/codec';
import { quote } from '../../protocol/limits';
import { describeZodError, OipInferRequestSchema } from '../../protocol/schemas';
import type { LoadedModel } from '../../model/types';
import type { ModelHost } from '../host';
import {
  HttpError,
  newRequestId,
  servedVersion,
  parseJsonText,
  readBodyBytes,
  mediaType,
  isPredictionJsonBody,
  jsonTextAnswer,
  answering,
  type JsonResponseParts,
  publishedVersion,
  requireModel,
  timedInfer,
  UTF8,
  type RouteContext,
} from './common';
import { fastOipInferRequest } from './fast-parse';
import { binaryOutputFlags, binaryOutputRequest, decodeBinaryTensor, encodeBinaryTensor, splitBinaryBody } from './oip-binary';
import {
  checkDatatype,
  checkShape,
  findInput,
  formatShape,
  metadataShape,
  oipOutput,
  oipResponseText,
  requestElementCount,
  tensorFromOip,
} from './tensors';

/** Extensions this server implements, as `GET /v2` lists them. */
export const OIP_EXTENSIONS = ['binary_tensor_data'];

/** Triton's platform name for ONNX models; KServe clients show it as is. */
const PLATFORM = 'onnxruntime_onnx';

/** Model metadata; `versions` lists every version that exists (the served one answers the plain name). */
export function modelMetadata(model: LoadedModel, host?: ModelHost) {
  const tensor = (t: LoadedModel['info']['inputs'][number]) => ({
    name: t.name,
    datatype: OIP_DATATYPE[t.dtype],
    shape: metadataShape(t.dims),
  });
  return {
    name: model.info.name,
    versions: host?.versions?.().available.map((v) => v.version) ?? [servedVersion(model)],
    platform: PLATFORM,
    inputs: model.info.inputs.map(tensor),
    outputs: model.info.outputs.map(tensor),
  };
}

/**
 * @example
 * app.route('/', oipRoutes(ctx, '0.1.0'));
 * // POST /v2/models/iris/infer {"inputs":[{"name":"input","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}
 */
export function oipRoutes(ctx: RouteContext, serverVersion: string): Hono {
  const app = new Hono();
  const ready = (c: Context) => {
    ctx.host.current();
    return c.body(null, 200);
  };

  app.get('/v2', (c) => c.json({ name: 'model-lab', version: serverVersion, extensions: OIP_EXTENSIONS }));
  app.get('/v2/health/live', (c) => c.body(null, 200));
  app.get('/v2/health/ready', ready);

  app.get('/v2/models/:model', (c) => c.json(modelMetadata(requireModel(ctx.host, c.req.param('model')), ctx.host)));
  app.get('/v2/models/:model/versions/:version', (c) =>
    c.json(modelMetadata(requireModel(ctx.host, c.req.param('model'), c.req.param('version')), ctx.host)),
  );
  // Readiness is the status alone (200 ready, 4xx not), with an empty body, as the protocol says.
  const modelReady = (c: Context, version?: string) => {
    try {
      requireModel(ctx.host, c.req.param('model') ?? '', version);
      return c.body(null, 200);
    } catch (err) {
      if (err instanceof HttpError) return c.body(null, err.status as 400 | 404);
      throw err;
    }
  };
  app.get('/v2/models/:model/ready', (c) => modelReady(c));
  app.get('/v2/models/:model/versions/:version/ready', (c) => modelReady(c, c.req.param('version')));

  app.post(OIP_INFER_ROUTE, answering(oipInferHandler(ctx)));
  app.post(
    '/v2/models/:model/versions/:version/infer',
    answering((c) =>
      infer(
        ctx,
        c,
        '/v2/models/:model/versions/:version/infer',
        requireModel(ctx.host, c.req.param('model') ?? '', c.req.param('version')),
      ),
    ),
  );
  return app;
}

/** The infer route's pattern (also its metrics label). */
export const OIP_INFER_ROUTE = '/v2/models/:model/infer';

/** `POST /v2/models/:model/infer`, for this app's route and the prediction fast path (server/serve/fast-path.ts). */
export function oipInferHandler(ctx: RouteContext): (c: Context) => Promise<JsonResponseParts> {
  return (c) => infer(ctx, c, OIP_INFER_ROUTE, requireModel(ctx.host, c.req.param('model') ?? ''));
}

async function infer(ctx: RouteContext, c: Context, route: string, model: LoadedModel): Promise<JsonResponseParts> {
  const started = performance.now();
  const { request, binary } = await readInferBody(ctx, c);
  const inputs = request.inputs;
  const seen = new Set<string>();
  let binaryOffset = 0;
  // The element limit holds for the request as a whole: each input spends from what is left.
  let budget = ctx.maxElements;
  const tensors: PlainTensor[] = inputs.map((t) => {
    if (seen.has(t.name)) throw new InputError(`input '${t.name}'`, 'sent twice; send each input once');
    seen.add(t.name);
    const info = findInput(model.info.inputs, t.name);
    const count = requestElementCount(t.name, t.shape, budget);
    budget -= count;
    const binarySize = t.parameters?.['binary_data_size'];
    if (binarySize === undefined) return tensorFromOip(info, t, count);
    // Binary extension: the values follow the JSON header instead of sitting in `data`.
    if (!binary)
      throw new HttpError(
        400,
        `input '${t.name}': parameters.binary_data_size is set but the request has no Inference-Header-Content-Length header`,
      );
    if (typeof binarySize !== 'number' || !Number.isInteger(binarySize) || binarySize < 0) {
      throw new InputError(
        `input '${t.name}'`,
        `parameters.binary_data_size must be a non-negative integer, got ${JSON.stringify(binarySize)}`,
      );
    }
    checkDatatype(info, t.datatype); // binary values are the datatype's bytes: no conversion
    const dims = checkShape(info, t.shape);
    const bytes = binary.subarray(binaryOffset, binaryOffset + binarySize);
    if (bytes.length !== binarySize)
      throw new InputError(`input '${t.name}'`, `binary_data_size is ${binarySize} but only ${bytes.length} bytes remain in the body`);
    binaryOffset += binarySize;
    return { name: info.name, dtype: info.dtype, dims, data: decodeBinaryTensor(`input '${t.name}'`, t.datatype, count, bytes) };
  });
  if (binary && binaryOffset !== binary.length) {
    throw new HttpError(
      400,
      `the body has ${binary.length - binaryOffset} bytes after the JSON header that no input's binary_data_size accounts for`,
    );
  }
  // `seen` holds only the model's own input names (findInput refused others), each once: fewer means some are missing.
  const missing = seen.size < model.info.inputs.length ? model.info.inputs.filter((i) => !seen.has(i.name)) : [];
  if (missing.length) {
    throw new HttpError(
      400,
      missing
        .map((i) => `missing input '${i.name}' (datatype ${OIP_DATATYPE[i.dtype]}, shape ${formatShape(metadataShape(i.dims))})`)
        .join('; '),
    );
  }
  // Most requests name no outputs: the set of the model's is only made for those that do.
  const served = request.outputs ? new Set(model.info.outputs.map((o) => o.name)) : undefined;
  const outputNames = request.outputs?.map((o) => {
    if (!served!.has(o.name)) {
      throw new HttpError(
        400,
        `output '${quote(o.name, 80)}': the model has no such output; its outputs are: ${[...served!].map((n) => `'${n}'`).join(', ')}`,
      );
    }
    return o.name;
  });
  const binaryAsked = binaryOutputRequest(request);
  const inferStarted = performance.now();
  const outputs = await timedInfer(ctx, route, tensors, outputNames);
  const inferMs = performance.now() - inferStarted;
  // Server-Timing (shown by browser devtools; read by `npm run bench`): time in inference (incl. any
  // batching wait) and in the whole handler, so the server's own overhead can be told from the network's.
  const binaryFlags = binaryAsked && binaryOutputFlags(binaryAsked, outputs);
  const version = publishedVersion(ctx.host, model);
  if (binaryFlags) return binaryAnswer(ctx, model.info.name, version, request.id ?? newRequestId(), outputs, binaryFlags, started, inferMs);
  const body = oipResponseText(model.info.name, version, request.id ?? newRequestId(), outputs);
  return jsonTextAnswer(body, {
    ...ctx.responseHeaders,
    'server-timing': `infer;dur=${inferMs.toFixed(3)}, handler;dur=${(performance.now() - started).toFixed(3)}`,
  });
}

/**
 * The answer when some outputs were asked in binary: those outputs carry `parameters.binary_data_size`
 * instead of `data`, and their bytes follow the JSON in output order; `Inference-Header-Content-Length`
 * gives the JSON's byte length (Triton's and KServe's binary response).
 */
function binaryAnswer(
  ctx: RouteContext,
  modelName: string,
  version: string,
  id: string,
  outputs: PlainTensor[],
  flags: boolean[],
  started: number,
  inferMs: number,
): JsonResponseParts {
  const chunks: Uint8Array[] = [];
  const described = outputs.map((t, i) => {
    if (!flags[i]) return oipOutput(t);
    const bytes = encodeBinaryTensor(t);
    chunks.push(bytes);
    return { name: t.name, shape: t.dims, datatype: OIP_DATATYPE[t.dtype], parameters: { binary_data_size: bytes.length } };
  });
  const text = JSON.stringify({ model_name: modelName, model_version: version, id, outputs: described });
  return {
    text,
    binary: Buffer.concat(chunks),
    headers: {
      'content-type': 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'inference-header-content-length': String(Buffer.byteLength(text)),
      ...ctx.responseHeaders,
      'server-timing': `infer;dur=${inferMs.toFixed(3)}, handler;dur=${(performance.now() - started).toFixed(3)}`,
    },
  };
}

type ParsedInferRequest = ReturnType<typeof OipInferRequestSchema.parse>;

/** JSON body, or binary-extension body (JSON header + raw tensor bytes). */
async function readInferBody(ctx: RouteContext, c: Context): Promise<{ request: ParsedInferRequest; binary?: Uint8Array }> {
  const headerLength = c.req.header('inference-header-content-length');
  const type = mediaType(c);
  if (headerLength === undefined && !isPredictionJsonBody(c, type)) {
    throw new HttpError(
      415,
      `Content-Type '${type}' is not supported here; send a JSON body with 'Content-Type: application/json' ` +
        '(or application/octet-stream with an Inference-Header-Content-Length header for binary tensors)',
    );
  }
  const body = await readBodyBytes(c, ctx.bodyLimitBytes);
  let text: string;
  let binary: Uint8Array | undefined;
  if (headerLength !== undefined) ({ headerText: text, rest: binary } = splitBinaryBody(body, headerLength));
  else text = UTF8.decode(body);
  const json = parseJsonText(text);
  const request = fastOipInferRequest(json) ?? zodInferRequest(json);
  return binary ? { request, binary } : { request };
}

/** The schema's verdict, for bodies the fast check did not accept: its message names the field. */
function zodInferRequest(json: unknown): ParsedInferRequest {
  const parsed = OipInferRequestSchema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  return parsed.data;
}
