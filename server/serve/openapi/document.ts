/**
 * The OpenAPI 3.1 document (`GET /openapi.json`), generated from the zod schemas in
 * `server/protocol/schemas.ts` (every schema with a `.meta({ id })` becomes a component) and the route
 * table in `routes-table.ts`. OpenAPI 3.1 schemas are JSON Schema 2020-12, which `z.toJSONSchema` emits.
 */
import { z } from 'zod';
import { ErrorResponseSchema } from '../../protocol/schemas';
import { documentedRoutes, type RouteDoc } from './routes-table';

const COMPONENT = '#/components/schemas/';

/** All registered zod schemas as OpenAPI components, refs pointing at each other. */
function componentSchemas(): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    uri: (id) => `${COMPONENT}${id}`,
    unrepresentable: 'any',
    io: 'input',
  });
  // Each entry carries `$schema`/`$id` for standalone use; inside components they are noise.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
      return [id, rest];
    }),
  );
}

function schemaRef(schema: z.ZodType | null | undefined): Record<string, unknown> {
  if (!schema) return { type: 'string' };
  const id = z.globalRegistry.get(schema)?.id;
  if (id) return { $ref: `${COMPONENT}${id}` };
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
  return rest;
}

const PARAM_DESCRIPTIONS: Record<string, string> = {
  model: 'The served model name (GET /v2/models/… or /api/model tells it).',
  version: 'The model version ("1" unless the ONNX file sets one).',
  kind: 'The job kind: perf, drift or export.',
  id: 'The job id (from POST /api/jobs/{kind}).',
};

function operation(route: RouteDoc): Record<string, unknown> {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: PARAM_DESCRIPTIONS[m[1]] ?? m[1],
  }));
  const error = {
    description: 'The request was wrong; the message names the field.',
    content: { 'application/json': { schema: schemaRef(ErrorResponseSchema) } },
  };
  const ok = route.response
    ? {
        description: route.response.description,
        content: {
          [route.response.type]: {
            schema:
              route.response.type === 'application/json' || route.response.schema ? schemaRef(route.response.schema) : { type: 'string' },
          },
        },
      }
    : { description: 'OK (empty body).' };
  const op: Record<string, unknown> = {
    summary: route.summary,
    tags: [route.group],
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, ch: string | undefined) => (ch ? ch.toUpperCase() : ''))}`,
    parameters: params,
    responses: route.method === 'post' ? { 200: ok, 400: error, 404: error, 413: error, 415: error, 500: error } : { 200: ok, 404: error },
  };
  if (route.request) {
    op['requestBody'] = {
      required: true,
      content: Object.fromEntries(Object.entries(route.request).map(([type, schema]) => [type, { schema: schemaRef(schema) }])),
    };
  }
  return op;
}

/**
 * @example
 * const doc = buildOpenApiDocument({ version: '0.1.0', modelName: 'iris' });
 * doc.paths['/v2/models/{model}/infer'].post.requestBody
 */
export function buildOpenApiDocument(options: { version: string; modelName: string; lab?: boolean }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of documentedRoutes({ lab: options.lab ?? true })) (paths[route.path] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Model Lab prediction server',
      version: options.version,
      description: `Serves the ONNX model '${options.modelName}'. Errors are JSON {"error": "..."} naming the field.`,
    },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: componentSchemas() },
  };
}
