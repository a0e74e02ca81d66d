/**
 * Hand-written checks of the prediction request bodies, run before the zod schemas of
 * server/protocol/schemas.ts. They accept only what the schemas accept (a test holds them to that), and
 * anything they do not accept goes on to zod, whose message names the field. Why: zod copies every
 * array it validates — `data` of an OIP input is walked element by element — and builds new objects,
 * which on a one-row request costs more than the rest of the validation put together.
 */
import type { z } from 'zod';
import type { MlflowInvocationRequestSchema, OipInferRequestSchema, V1PredictRequestSchema } from '../../protocol/schemas';

type OipInferRequest = z.infer<typeof OipInferRequestSchema>;
type V1PredictRequest = z.infer<typeof V1PredictRequestSchema>;
type MlflowInvocationRequest = z.infer<typeof MlflowInvocationRequestSchema>;

const DATATYPES = new Set([
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
]);

/** A JSON object (what zod's object and record schemas accept from JSON.parse). */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const optionalObject = (v: unknown): boolean => v === undefined || isObject(v);
const optionalString = (v: unknown): boolean => v === undefined || typeof v === 'string';

function isShape(v: unknown): v is number[] {
  if (!Array.isArray(v)) return false;
  for (const d of v) if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return false;
  return true;
}

function isRequestTensor(t: unknown): boolean {
  return (
    isObject(t) &&
    typeof t.name === 'string' &&
    t.name.length > 0 &&
    isShape(t.shape) &&
    typeof t.datatype === 'string' &&
    DATATYPES.has(t.datatype) &&
    optionalObject(t.parameters) &&
    (t.data === undefined || Array.isArray(t.data))
  );
}

/** The body as an OIP infer request when it plainly is one; null → let zod decide (and explain). */
export function fastOipInferRequest(body: unknown): OipInferRequest | null {
  if (!isObject(body) || !optionalString(body.id) || !optionalObject(body.parameters)) return null;
  const { inputs, outputs } = body;
  if (!Array.isArray(inputs) || inputs.length === 0 || !inputs.every(isRequestTensor)) return null;
  if (outputs !== undefined) {
    if (!Array.isArray(outputs)) return null;
    for (const o of outputs)
      if (!isObject(o) || typeof o.name !== 'string' || o.name.length === 0 || !optionalObject(o.parameters)) return null;
  }
  return body as OipInferRequest;
}

/** The body as a v1 :predict request when it plainly is one; null → zod. */
export function fastV1PredictRequest(body: unknown): V1PredictRequest | null {
  if (!isObject(body) || !optionalString(body.signature_name)) return null;
  const { instances, inputs } = body;
  if (instances !== undefined && !(Array.isArray(instances) && instances.length > 0)) return null;
  if (inputs !== undefined && !isObject(inputs) && !Array.isArray(inputs)) return null;
  return body;
}

/** The body as an MLflow /invocations request when it plainly is one; null → zod. */
export function fastMlflowRequest(body: unknown): MlflowInvocationRequest | null {
  if (!isObject(body) || !optionalObject(body.params)) return null;
  const { dataframe_split: split, dataframe_records: records, instances, inputs } = body;
  if (split !== undefined) {
    if (!isObject(split) || !Array.isArray(split.data) || !split.data.every(Array.isArray)) return null;
    if (split.columns !== undefined && !(Array.isArray(split.columns) && split.columns.every((c) => typeof c === 'string'))) return null;
    if (split.index !== undefined && !Array.isArray(split.index)) return null;
  }
  if (records !== undefined && !(Array.isArray(records) && records.every(isObject))) return null;
  if (instances !== undefined && !Array.isArray(instances)) return null;
  if (inputs !== undefined && !isObject(inputs) && !Array.isArray(inputs)) return null;
  return body;
}
