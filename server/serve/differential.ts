/**
 * Differential check after a reload: run the old and the new model on the same sample rows and say how
 * often they agree, so "I re-exported the model" cannot silently change its answers.
 *
 * Sample rows: the reference CSV's sampled rows (up to 256; the loader keeps the first 200) when there
 * are some, else rows generated from the signature with a fixed seed (numbers within the feature's
 * min/max or 0..1, categories from the list, seeded noise for image/tensor inputs), so two checks of the
 * same pair of models give the same numbers.
 *
 * Agreement per row: every output both models have (same name, same per-row shape) agrees —
 * classification outputs by their argmax / label, other numeric outputs element by element within
 * 1e-6 relative (absolute below magnitude 1, where relative error means nothing).
 */
import { sampleRecords, sampleTensors } from '../model/index';
import type { LoadedModel } from '../model/types';
import { encodeRecords, readScalar, type PlainTensor } from '../protocol/codec';
import type { FeatureRecord, OutputRole, Signature } from '../protocol/signature';

export interface DifferentialResult {
  /** Rows both models were run on. */
  rows: number;
  /** Fraction (0..1) of rows on which every compared output agrees; null when no output could be compared. */
  agreement: number | null;
  /** Largest |old − new| over every numeric element compared. */
  maxAbsDiff: number;
  comparedOutputs: string[];
}

export interface DifferentialOptions {
  /** Most rows to compare. Default 256. */
  maxRows?: number;
  /** Seed of the generated rows. */
  seed?: number;
}

const RELATIVE_TOLERANCE = 1e-6;
const GENERATED_ROWS = 64;

/**
 * Runs both models on the same rows and compares their outputs. Throws (with a readable message) when
 * the two models cannot take the same rows, e.g. the new one needs a feature the old one lacks.
 *
 * @example
 * const { agreement } = await compareModels(previous, next, { maxRows: 128 });
 */
export async function compareModels(
  oldModel: LoadedModel,
  newModel: LoadedModel,
  options: DifferentialOptions = {},
): Promise<DifferentialResult> {
  const maxRows = options.maxRows ?? 256;
  const sig = newModel.signature;
  const seed = options.seed ?? 42;
  const referenceRows = newModel.reference?.rows.length ?? 0;
  const count = Math.min(maxRows, referenceRows > 0 ? referenceRows : GENERATED_ROWS);
  // sampleRecords gives nothing for image/tensor inputs: those get seeded tensors instead.
  const records = sampleRecords(sig, newModel.reference, count, seed);
  const [oldOut, newOut] =
    records.length > 0
      ? await runOnRecords(oldModel, newModel, records)
      : await runOnTensors(oldModel, newModel, sampleTensors(sig, sig.batch.dynamic ? count : (sig.batch.size ?? 1), seed));
  return compareOutputs(sig, oldOut, newOut);
}

/** Rows per run: everything at once for a dynamic batch, else the model's fixed batch size. */
function chunkSize(sig: Signature, rows: number): number {
  return sig.batch.dynamic ? Math.max(1, rows) : Math.max(1, sig.batch.size ?? 1);
}

async function runOnRecords(
  oldModel: LoadedModel,
  newModel: LoadedModel,
  sample: FeatureRecord[],
): Promise<[PlainTensor[][], PlainTensor[][]]> {
  // Reference rows with gaps (empty cells) cannot be encoded; compare on the rows both models take.
  let firstError: unknown = null;
  const records = sample.filter((record) => {
    try {
      for (const model of [oldModel, newModel]) encodeRecords({ ...model.signature, batch: { dynamic: true } }, [record]);
      return true;
    } catch (err) {
      firstError ??= err;
      return false;
    }
  });
  if (records.length === 0 && firstError) throw new Error(`no sample row fits both models (${(firstError as Error).message})`);
  const run = async (model: LoadedModel, label: string): Promise<PlainTensor[][]> => {
    const step = chunkSize(model.signature, records.length);
    const out: PlainTensor[][] = [];
    // A fixed-batch model only takes whole chunks; a short tail is left out.
    for (let i = 0; i + step <= records.length; i += step) {
      let inputs: PlainTensor[];
      try {
        inputs = encodeRecords(model.signature, records.slice(i, i + step), i);
      } catch (err) {
        throw new Error(`the ${label} model cannot take the sample rows (${(err as Error).message})`);
      }
      out.push(await model.run(inputs));
    }
    return out;
  };
  return [await run(oldModel, 'previous'), await run(newModel, 'new')];
}

async function runOnTensors(
  oldModel: LoadedModel,
  newModel: LoadedModel,
  inputs: PlainTensor[],
): Promise<[PlainTensor[][], PlainTensor[][]]> {
  for (const t of inputs) {
    const before = oldModel.signature.inputs.find((b) => b.tensor === t.name);
    if (!before || before.dtype !== t.dtype) throw new Error(`the previous model has no ${t.dtype} input '${t.name}'; nothing to compare`);
  }
  return [[await oldModel.run(inputs)], [await newModel.run(inputs)]];
}

/** Compares chunk by chunk; outputs missing from either side, or shaped differently, are skipped. */
function compareOutputs(sig: Signature, oldChunks: PlainTensor[][], newChunks: PlainTensor[][]): DifferentialResult {
  const roles = new Map<string, OutputRole>(sig.outputs.map((o) => [o.tensor, o.role]));
  const compared = new Set<string>();
  let rows = 0;
  let agreeing = 0;
  let maxAbsDiff = 0;
  newChunks.forEach((newOut, c) => {
    const oldByName = new Map((oldChunks[c] ?? []).map((t) => [t.name, t]));
    const chunkRows = newOut[0]?.dims[0] ?? 0;
    const rowOk = new Array<boolean>(chunkRows).fill(true);
    let any = false;
    for (const b of newOut) {
      const a = oldByName.get(b.name);
      if (!a || a.dims.join('x') !== b.dims.join('x') || b.dims[0] !== chunkRows) continue;
      any = true;
      compared.add(b.name);
      const per = b.dims.slice(1).reduce((x, y) => x * y, 1);
      const role = roles.get(b.name) ?? 'raw';
      for (let r = 0; r < chunkRows; r++) {
        const diff = compareRow(a, b, r * per, per, role);
        maxAbsDiff = Math.max(maxAbsDiff, diff.maxAbs);
        if (!diff.agrees) rowOk[r] = false;
      }
    }
    if (any) {
      rows += chunkRows;
      agreeing += rowOk.filter(Boolean).length;
    }
  });
  return {
    rows,
    agreement: compared.size === 0 || rows === 0 ? null : agreeing / rows,
    maxAbsDiff,
    comparedOutputs: [...compared],
  };
}

function compareRow(a: PlainTensor, b: PlainTensor, start: number, count: number, role: OutputRole): { agrees: boolean; maxAbs: number } {
  const va: (number | string | boolean)[] = [];
  const vb: (number | string | boolean)[] = [];
  for (let i = start; i < start + count; i++) {
    va.push(readScalar(a, i));
    vb.push(readScalar(b, i));
  }
  let maxAbs = 0;
  let withinTolerance = true;
  for (let i = 0; i < count; i++) {
    const x = va[i];
    const y = vb[i];
    if (typeof x === 'number' && typeof y === 'number') {
      const d = Math.abs(x - y);
      if (Number.isFinite(d)) maxAbs = Math.max(maxAbs, d);
      if (!(d <= RELATIVE_TOLERANCE * Math.max(1, Math.abs(x), Math.abs(y))) && !(Number.isNaN(x) && Number.isNaN(y)))
        withinTolerance = false;
    } else if (x !== y) {
      withinTolerance = false;
    }
  }
  if (role === 'probabilities' || role === 'scores') return { agrees: argmax(va) === argmax(vb), maxAbs };
  if (role === 'label') return { agrees: va.every((x, i) => x === vb[i]), maxAbs };
  return { agrees: withinTolerance, maxAbs };
}

function argmax(values: (number | string | boolean)[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (Number(values[i]) > Number(values[best])) best = i;
  return best;
}
