/**
 * Sample requests made from the model's real signature and reference rows: the same requests go into
 * the bundle README (OIP v2, v1 `instances`, curl) and are sent to the bundled server to verify it.
 */
import { OIP_DATATYPE, type OipInferRequest } from '../protocol/api';
import { readScalar, encodeRecords, type PlainTensor } from '../protocol/codec';
import type { FeatureRecord, Signature } from '../protocol/signature';
import { sampleRecords, sampleTensors } from '../model';
import type { ReferenceSample } from '../protocol/api';

export interface SampleRequests {
  /** How many rows the samples carry. */
  rows: number;
  /** Records keyed by feature name (empty for raw/image-only models, which have no v1 instances). */
  records: FeatureRecord[];
  /** The input tensors (encoded from the records, or generated for raw/image inputs). */
  tensors: PlainTensor[];
  oip: OipInferRequest;
  /** `POST /v1/models/{m}:predict` body, or null when the model has no named features. */
  v1: { instances: FeatureRecord[] } | null;
}

/** Up to `maxRows` sample rows (exactly the batch size for fixed-batch models). */
export function makeSampleRequests(signature: Signature, reference: ReferenceSample | null, maxRows = 3): SampleRequests {
  const rows = signature.batch.dynamic ? maxRows : (signature.batch.size ?? 1);
  const records = sampleRecords(signature, reference, rows).map((r) => typedRecord(signature, r));
  const tensors = records.length ? encodeRecords(signature, records) : sampleTensors(signature, rows);
  const oip: OipInferRequest = { id: 'sample-1', inputs: tensors.map(oipTensor) };
  return { rows, records, tensors, oip, v1: records.length ? { instances: records } : null };
}

/** A tensor as an OIP v2 JSON tensor (flat row-major data; int64 as JSON numbers). */
export function oipTensor(t: PlainTensor): OipInferRequest['inputs'][number] {
  const data: (number | string | boolean)[] = [];
  for (let i = 0; i < t.data.length; i++) data.push(readScalar(t, i));
  return { name: t.name, shape: t.dims, datatype: OIP_DATATYPE[t.dtype], data };
}

/** Reference CSV cells are strings; a README reads better with numbers as numbers. */
function typedRecord(signature: Signature, record: FeatureRecord): FeatureRecord {
  const out: FeatureRecord = {};
  for (const f of signature.features) {
    const v = record[f.name];
    if (typeof v === 'string' && (f.kind === 'number' || f.kind === 'integer') && v.trim() !== '' && Number.isFinite(Number(v)))
      out[f.name] = Number(v);
    else if (typeof v === 'string' && f.kind === 'boolean') out[f.name] = ['true', '1'].includes(v.trim().toLowerCase());
    else out[f.name] = v;
  }
  return out;
}

/** A copy-pasteable curl command posting `body` as JSON (single-quoted for POSIX shells). */
export function curlCommand(url: string, body: unknown): string {
  const json = JSON.stringify(body).replace(/'/g, `'\\''`);
  return `curl -sS -X POST '${url}' -H 'Content-Type: application/json' -d '${json}'`;
}
