/**
 * TF Serving / KServe v1: `POST /v1/models/{m}:predict` (also `/versions/{v}:predict`, as TF Serving
 * clients address a version), `GET /v1/models/{m}` (status) and `GET /v1/models/{m}/metadata` (the
 * signature as TF Serving's GetModelMetadata spells it, which its clients read to build requests).
 * Hono's `:param` stops at `/` only, so `/v1/models/:target` captures `iris:predict` whole; the verb
 * after the last colon is split off here.
 */
import { Hono, type Context } from 'hono';
import { describeZodError, V1PredictRequestSchema } from '../../protocol/schemas';
import {
  answering,
  HttpError,
  jsonAnswer,
  publishedVersion,
  readJsonBody,
  requireModel,
  type JsonResponseParts,
  type RouteContext,
} from './common';
import { modelMetadata } from './oip';
import { fastV1PredictRequest } from './fast-parse';
import { predictColumns, predictInstances } from './json-predict';

/** The schema's verdict, for bodies the fast check did not accept: its message names the field. */
function zodParse(json: unknown) {
  const parsed = V1PredictRequestSchema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  return parsed.data;
}

/** The metrics label of the predict route (the pattern Hono sees is `/v1/models/:target`). */
export const V1_PREDICT_ROUTE = '/v1/models/:model:predict';

/**
 * @example
 * app.route('/', v1Routes(ctx));
 * // POST /v1/models/iris:predict {"instances": [[5.1, 3.5, 1.4, 0.2]]} → {"predictions": [{"label": "setosa", ...}]}
 */
export function v1Routes(ctx: RouteContext): Hono {
  const app = new Hono();

  // TF Serving's GetModelStatus and KServe v1's model-ready answer the same path in two shapes: both are
  // given (TF Serving's clients read model_version_status, KServe's `name` and `ready`).
  const status = (c: Context, version?: string) => {
    const model = requireModel(ctx.host, c.req.param('model') ?? '', version);
    const served = publishedVersion(ctx.host, model);
    return c.json({
      name: model.info.name,
      ready: true,
      model_version_status: [{ version: served, state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }],
    });
  };
  // KServe v1's list of models.
  app.get('/v1/models', (c) => c.json({ models: [ctx.host.current().info.name] }));
  const metadata = (c: Context, version?: string) => {
    const model = requireModel(ctx.host, c.req.param('model') ?? '', version);
    return c.json(tfServingMetadata(modelMetadata(model), publishedVersion(ctx.host, model)));
  };
  app.get('/v1/models/:model', (c) => status(c));
  app.get('/v1/models/:model/versions/:version', (c) => status(c, c.req.param('version')));
  app.get('/v1/models/:model/metadata', (c) => metadata(c));
  app.get('/v1/models/:model/versions/:version/metadata', (c) => metadata(c, c.req.param('version')));

  app.post(V1_POST_ROUTE, answering(v1PostHandler(ctx)));
  // `:target` is `1:predict` whole here: the version is checked, then the request is the plain route's.
  app.post(
    '/v1/models/:model/versions/:target',
    answering((c) => {
      const model = c.req.param('model') ?? '';
      const target = c.req.param('target') ?? '';
      const colon = target.lastIndexOf(':');
      requireModel(ctx.host, model, colon < 0 ? target : target.slice(0, colon));
      return v1PostHandler(ctx, `${model}${colon < 0 ? '' : target.slice(colon)}`)(c);
    }),
  );
  return app;
}

/** TF Serving's names of the tensor types (types.proto), by the Open Inference Protocol's. */
const TF_DTYPE: Record<string, string> = {
  FP16: 'DT_HALF',
  FP32: 'DT_FLOAT',
  FP64: 'DT_DOUBLE',
  INT8: 'DT_INT8',
  INT16: 'DT_INT16',
  INT32: 'DT_INT32',
  INT64: 'DT_INT64',
  UINT8: 'DT_UINT8',
  UINT16: 'DT_UINT16',
  UINT32: 'DT_UINT32',
  UINT64: 'DT_UINT64',
  BOOL: 'DT_BOOL',
  BYTES: 'DT_STRING',
};

/** The model's signature as TF Serving answers `GET /v1/models/{m}/metadata`: one `serving_default` signature. */
export function tfServingMetadata(oip: ReturnType<typeof modelMetadata>, version: string) {
  const tensors = (list: typeof oip.inputs) =>
    Object.fromEntries(
      list.map((t) => [
        t.name,
        {
          dtype: TF_DTYPE[t.datatype] ?? 'DT_INVALID',
          tensor_shape: { dim: t.shape.map((size) => ({ size: String(size), name: '' })), unknown_rank: false },
          name: t.name,
        },
      ]),
    );
  return {
    model_spec: { name: oip.name, signature_name: '', version },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: { inputs: tensors(oip.inputs), outputs: tensors(oip.outputs), method_name: 'tensorflow/serving/predict' },
        },
      },
    },
  };
}

/** The pattern Hono routes v1 POSTs by (`:target` is `iris:predict` whole); the label of their HTTP metrics. */
export const V1_POST_ROUTE = '/v1/models/:target';

/** `POST /v1/models/:target`, for this app's route and the prediction fast path (server/serve/fast-path.ts). */
export function v1PostHandler(ctx: RouteContext, fixedTarget?: string): (c: Context) => Promise<JsonResponseParts> {
  return async (c) => {
    const target = fixedTarget ?? c.req.param('target') ?? '';
    const colon = target.lastIndexOf(':');
    const verb = colon < 0 ? '' : target.slice(colon + 1);
    if (verb !== 'predict') {
      throw new HttpError(404, `unknown v1 route '${c.req.path}'; use POST /v1/models/{model}:predict`);
    }
    const model = requireModel(ctx.host, target.slice(0, colon));
    const json = await readJsonBody(c, ctx.bodyLimitBytes, { prediction: true });
    const { instances, inputs } = fastV1PredictRequest(json) ?? zodParse(json);
    if ((instances === undefined) === (inputs === undefined)) {
      throw new HttpError(
        400,
        'send exactly one of "instances" (a list of rows) or "inputs" (columns)' +
          (instances === undefined ? '; the body has neither' : '; the body has both'),
      );
    }
    const where = { ctx, route: V1_PREDICT_ROUTE, model };
    const predictions = instances !== undefined ? await predictInstances(where, instances) : await predictColumns(where, inputs);
    return jsonAnswer({ predictions }, ctx.responseHeaders);
  };
}
