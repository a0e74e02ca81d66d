/**
 * The requests a load test sends: OIP v2 infer bodies made from the reference CSV's rows, encoded by the
 * same codec the UI uses, so the server parses and checks real, varied data (not one cached body).
 */
import { OIP_DATATYPE } from '../protocol/api';
import { encodeRecords } from '../protocol/codec';
import { ModelLabError } from '../protocol/errors';
import type { FeatureRecord, Signature } from '../protocol/signature';

/** Distinct bodies at most: enough variety, little memory (256 rows × a few KiB). */
export const MAX_BODIES = 256;

/** One OIP infer body per group of `rowsPerRequest` consecutive rows (wrapping), up to MAX_BODIES. */
export function inferBodies(signature: Signature, rows: FeatureRecord[], rowsPerRequest = 1): string[] {
  if (rows.length === 0) {
    throw new ModelLabError('the load test needs sample rows: start the server with a reference CSV (--reference data.csv)', {
      field: 'reference',
    });
  }
  const count = Math.min(MAX_BODIES, Math.max(1, Math.ceil(rows.length / rowsPerRequest)));
  const bodies: string[] = [];
  for (let b = 0; b < count; b++) {
    const group = Array.from({ length: rowsPerRequest }, (_, i) => rows[(b * rowsPerRequest + i) % rows.length]);
    const tensors = encodeRecords(signature, group);
    bodies.push(
      JSON.stringify({
        inputs: tensors.map((t) => ({
          name: t.name,
          shape: t.dims,
          datatype: OIP_DATATYPE[t.dtype],
          data: Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v)),
        })),
      }),
    );
  }
  return bodies;
}
