/**
 * TF Serving / KServe v1: `POST /v1/models/{m}:predict` and `GET /v1/models/{m}`.
 * Hono's `:param` stops at `/` only, so `/v1/models/:target` captures `iris:predict` whole; the verb
 * after the last colon is split off here.
 */
import { Hono, type Context } from 'hono';
import { describeZodError, V1PredictRequestSchema } from '../../protocol/schemas';
import { answering, HttpError, jsonAnswer, readJsonBody, requireModel, type JsonResponseParts, type RouteContext } from './common';
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

  app.get('/v1/models/:model', (c) => {
    requireModel(ctx.host, c.req.param('model'));
    return c.json({ model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
  });

  app.post(V1_POST_ROUTE, answering(v1PostHandler(ctx)));
  return app;
}

/** The pattern Hono routes v1 POSTs by (`:target` is `iris:predict` whole); the label of their HTTP metrics. */
export const V1_POST_ROUTE = '/v1/models/:target';

/** `POST /v1/models/:target`, for this app's route and the prediction fast path (server/serve/fast-path.ts). */
export function v1PostHandler(ctx: RouteContext): (c: Context) => Promise<JsonResponseParts> {
  return async (c) => {
    const target = c.req.param('target') ?? '';
    const colon = target.lastIndexOf(':');
    const verb = colon < 0 ? '' : target.slice(colon + 1);
    if (verb !== 'predict') {
      throw new HttpError(404, `unknown v1 route '${c.req.path}'; use POST /v1/models/{model}:predict`);
    }
    const model = requireModel(ctx.host, target.slice(0, colon));
    const json = await readJsonBody(c, ctx.bodyLimitBytes);
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
