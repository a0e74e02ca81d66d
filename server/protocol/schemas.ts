/**
 * zod schemas of the HTTP request and response bodies. One source for three things: request validation
 * in the routes, the OpenAPI document (`GET /openapi.json`, via `z.toJSONSchema`) and the types the
 * UI client can infer with `z.infer`.
 *
 * Schemas check the *shape* of a body only; whether a tensor fits the model (names, datatypes, shapes)
 * is checked against the loaded model in the routes, where the message can name the model's inputs.
 */
import { z } from 'zod';

export const OipDatatypeSchema = z
  .enum(['BOOL', 'UINT8', 'UINT16', 'UINT32', 'UINT64', 'INT8', 'INT16', 'INT32', 'INT64', 'FP16', 'FP32', 'FP64', 'BYTES'])
  .meta({ description: 'Open Inference Protocol datatype. FP16 is sent as ordinary JSON numbers.' });

const parameters = z.record(z.string(), z.unknown()).optional();

/** Row-major tensor contents, flat or nested; booleans for BOOL, strings for BYTES, numbers otherwise. */
const tensorData = z.array(z.unknown()).meta({
  description: 'Row-major values, flat or nested to the shape. Numbers, booleans (BOOL) or strings (BYTES).',
});

export const OipRequestTensorSchema = z
  .object({
    name: z.string().min(1),
    shape: z.array(z.number().int().min(0)),
    datatype: OipDatatypeSchema,
    parameters,
    /** Absent only when `parameters.binary_data_size` says the values follow the JSON (binary extension). */
    data: tensorData.optional(),
  })
  .meta({ id: 'OipRequestTensor' });

export const OipInferRequestSchema = z
  .object({
    id: z.string().optional(),
    parameters,
    inputs: z.array(OipRequestTensorSchema).min(1),
    outputs: z.array(z.object({ name: z.string().min(1), parameters })).optional(),
  })
  .meta({
    id: 'OipInferRequest',
    examples: [
      {
        inputs: [
          {
            name: 'input-0',
            shape: [2, 4],
            datatype: 'FP32',
            data: [
              [6.8, 2.8, 4.8, 1.4],
              [6.0, 3.4, 4.5, 1.6],
            ],
          },
        ],
      },
    ],
  });

export const OipResponseTensorSchema = z
  .object({
    name: z.string(),
    shape: z.array(z.number().int()),
    datatype: OipDatatypeSchema,
    parameters,
    data: z.array(z.union([z.number(), z.string(), z.boolean(), z.null()])).meta({ description: 'Flat, row-major.' }),
  })
  .meta({ id: 'OipResponseTensor' });

export const OipInferResponseSchema = z
  .object({
    model_name: z.string(),
    model_version: z.string().optional(),
    id: z.string(),
    parameters,
    outputs: z.array(OipResponseTensorSchema),
  })
  .meta({ id: 'OipInferResponse' });

export const OipServerMetadataSchema = z
  .object({
    name: z.string(),
    version: z.string(),
    extensions: z.array(z.string()),
  })
  .meta({ id: 'OipServerMetadata' });

const tensorMetadata = z.object({ name: z.string(), datatype: OipDatatypeSchema, shape: z.array(z.number().int()) });

export const OipModelMetadataSchema = z
  .object({
    name: z.string(),
    versions: z.array(z.string()).optional(),
    platform: z.string(),
    inputs: z.array(tensorMetadata),
    outputs: z.array(tensorMetadata),
  })
  .meta({ id: 'OipModelMetadata', description: 'A variable dimension is -1.' });

/**
 * TF Serving / KServe v1 `:predict`. Exactly one of `instances` (rows) or `inputs` (columnar); the
 * route enforces "exactly one" so the message can say which was missing or doubled.
 */
export const V1PredictRequestSchema = z
  .object({
    signature_name: z.string().optional(),
    instances: z.array(z.unknown()).min(1).optional().meta({
      description: 'Rows: a list of values in feature order, an object {feature: value}, or (single-input models) a tensor row.',
    }),
    inputs: z
      .union([z.record(z.string(), z.unknown()), z.array(z.unknown())])
      .optional()
      .meta({
        description: 'Columnar: {tensorOrFeature: nested array}, or a bare nested array for single-input models.',
      }),
  })
  .meta({ id: 'V1PredictRequest', examples: [{ instances: [[6.8, 2.8, 4.8, 1.4]] }] });

export const V1ModelStatusSchema = z
  .object({
    /** KServe v1's model-ready answer (same path). */
    name: z.string(),
    ready: z.boolean(),
    model_version_status: z.array(
      z.object({
        version: z.string(),
        state: z.string(),
        status: z.object({ error_code: z.string(), error_message: z.string() }),
      }),
    ),
  })
  .meta({ id: 'V1ModelStatus' });

/** KServe v1's list of models (`GET /v1/models`). */
export const V1ModelListSchema = z.object({ models: z.array(z.string()) }).meta({ id: 'V1ModelList' });

/** MLflow `models serve` scoring request: exactly one of the four keys. */
export const MlflowInvocationRequestSchema = z
  .object({
    dataframe_split: z
      .object({
        columns: z.array(z.string()).optional(),
        index: z.array(z.unknown()).optional(),
        data: z.array(z.array(z.unknown())),
      })
      .optional(),
    dataframe_records: z.array(z.record(z.string(), z.unknown())).optional(),
    instances: z.array(z.unknown()).optional(),
    inputs: z.union([z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
    params: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({
    id: 'MlflowInvocationRequest',
    examples: [{ dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } }],
  });

export const RowPredictionSchema = z
  .object({
    label: z.union([z.string(), z.number()]).optional(),
    probabilities: z.record(z.string(), z.number()).optional(),
    value: z.union([z.number(), z.array(z.number())]).optional(),
    raw: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'RowPrediction' });

export const PredictionsResponseSchema = z
  .object({
    predictions: z.array(z.unknown()).meta({
      description: 'One entry per row: a RowPrediction for feature requests, the raw output row for tensor requests.',
    }),
  })
  .meta({ id: 'PredictionsResponse' });

export const ErrorResponseSchema = z
  .object({
    error: z.string().meta({ description: 'What was wrong and where (field, row, line, column).' }),
  })
  .meta({ id: 'ErrorResponse' });

/** One line of the CSV batch route's JSON / NDJSON output. */
export const CsvBatchRowSchema = z
  .object({
    line: z.number().int().meta({ description: 'Line of the CSV this row came from (1 = header).' }),
    input: z.record(z.string(), z.string()),
    prediction: RowPredictionSchema.optional(),
    error: z.string().optional(),
  })
  .meta({ id: 'CsvBatchRow' });

/** Formats zod issues as `inputs[0].datatype: …`, one per line-ish, for `{"error"}` bodies. */
export function describeZodError(error: z.ZodError, root = 'body'): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.reduce<string>(
        (acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)),
        '',
      );
      return `${path || root}: ${issue.message}`;
    })
    .join('; ');
}
