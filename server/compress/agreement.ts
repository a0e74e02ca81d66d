/**
 * How closely a variant follows its original on sample rows: argmax (class) agreement and max/mean
 * absolute output difference, measured twice — every row run alone, and all rows in one batch — because
 * dynamic int8 quantisation computes activation scales per batch, so the two differ. With a target
 * column, also accuracy/F1 (classification) or RMSE/MAE (regression) of original and variant.
 */
import { describeSamples, sampleRecords, sampleTensors, type LoadedModel } from '../model/index';
import { decodePredictions, encodeRecords, type PlainTensor } from '../protocol/codec';
import type { FeatureRecord, Signature } from '../protocol/signature';

export interface AgreementFigures {
  /** Fraction 0..1 of rows whose predicted class matches the original's; null when the model predicts no class. */
  argmax: number | null;
  /** Largest absolute difference over every value of every numeric output. */
  maxAbsDiff: number;
  meanAbsDiff: number;
  /** Pearson correlation of every compared value with the original's (regressors, raw outputs); null when constant. */
  correlation: number | null;
}

export type QualityScores = { accuracy: number; macroF1: number } | { rmse: number; mae: number };

export interface QualityFigures {
  /** The label column of the sample rows (`signature.target`). */
  target: string;
  /** Rows that had a usable label. */
  rows: number;
  original: QualityScores;
  variant: QualityScores;
}

export interface Agreement {
  rows: number;
  /** Where the rows came from: the reference CSV, generated from the signature, or synthetic tensors (images/raw). */
  source: 'reference' | 'generated' | 'tensors';
  /** What the rows were, in words: "rows of the reference data", or how they were generated (token ids in the table's range…). */
  inputs: string;
  /** Every row run alone (what a server with batching off returns); null for a fixed batch size above 1. */
  rowByRow: AgreementFigures | null;
  /** All rows in one run (or in runs of the fixed batch size). */
  batched: AgreementFigures;
  /** Accuracy of original and variant on the batched run, when the rows carry a target. */
  quality: QualityFigures | null;
  comparedOutputs: string[];
}

export interface AgreementOptions {
  /** Rows to compare on (default 256; a fixed batch size rounds it up to a multiple). */
  rows?: number;
  /** Rows to use instead of the model's reference sample (e.g. from `--data`). */
  records?: FeatureRecord[];
  signal?: AbortSignal;
}

/** Inputs for `rows` sample rows: records (reference or generated) when the model has features, else tensors. */
export function sampleInputs(
  model: LoadedModel,
  rows: number,
  records?: FeatureRecord[],
): { tensors: PlainTensor[]; records: FeatureRecord[]; source: Agreement['source']; inputs: string } {
  const sig = model.signature;
  const fromReference = !records && model.reference !== null && model.reference.rows.length > 0;
  const chosen = records?.length
    ? Array.from({ length: rows }, (_, i) => records[i % records.length])
    : sampleRecords(sig, model.reference, rows);
  if (chosen.length) {
    const given = !!records || fromReference;
    return {
      tensors: encodeRecords(sig, chosen),
      records: chosen,
      source: given ? 'reference' : 'generated',
      inputs: records ? 'the rows given' : given ? 'rows of the reference data' : describeSamples(sig, 'generated'),
    };
  }
  return { tensors: sampleTensors(sig, rows), records: [], source: 'tensors', inputs: describeSamples(sig, 'tensors') };
}

/** Rows `[start, end)` of every tensor. */
export function sliceRows(tensors: PlainTensor[], start: number, end: number): PlainTensor[] {
  return tensors.map((t) => {
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    return { ...t, dims: [end - start, ...t.dims.slice(1)], data: t.data.slice(start * per, end * per) };
  });
}

/** Runs in chunks of `chunk` rows and joins the outputs (numbers as float64, strings kept). */
async function runInChunks(model: LoadedModel, tensors: PlainTensor[], chunk: number, signal?: AbortSignal): Promise<PlainTensor[]> {
  const total = tensors[0]?.dims[0] ?? 0;
  const parts: PlainTensor[][] = [];
  for (let start = 0; start < total; start += chunk) {
    signal?.throwIfAborted();
    parts.push(await model.run(sliceRows(tensors, start, Math.min(total, start + chunk))));
  }
  return (parts[0] ?? []).map((first, o) => {
    const values: (number | string)[] = [];
    for (const part of parts) for (const v of part[o].data as Iterable<unknown>) values.push(typeof v === 'string' ? v : Number(v));
    const strings = first.dtype === 'string';
    return {
      name: first.name,
      dtype: strings ? 'string' : 'float64',
      dims: [total, ...first.dims.slice(1)],
      data: strings ? (values as string[]) : Float64Array.from(values as number[]),
    } satisfies PlainTensor;
  });
}

/** Index of the predicted class per row, or null when the model has no class output. */
function classesOf(sig: Signature, outputs: PlainTensor[]): (string | number)[] | null {
  const scores = sig.outputs.find((o) => o.role === 'probabilities' || o.role === 'scores');
  const t = scores && outputs.find((x) => x.name === scores.tensor);
  if (t && t.dtype !== 'string' && (t.dims.at(-1) ?? 1) > 1) {
    const rows = t.dims[0] ?? 0;
    const per = t.data.length / Math.max(1, rows);
    const data = t.data as Float64Array;
    return Array.from({ length: rows }, (_, r) => {
      let best = 0;
      for (let c = 1; c < per; c++) if (data[r * per + c] > data[r * per + best]) best = c;
      return best;
    });
  }
  const label = sig.outputs.find((o) => o.role === 'label');
  const l = label && outputs.find((x) => x.name === label.tensor);
  return l ? Array.from(l.data as ArrayLike<string | number>) : null;
}

function compare(sig: Signature, a: PlainTensor[], b: PlainTensor[]): AgreementFigures {
  let max = 0;
  let sum = 0;
  let count = 0;
  // Sums for the correlation, over finite pairs only.
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let pairs = 0;
  for (const ta of a) {
    const tb = b.find((t) => t.name === ta.name);
    if (!tb || ta.dtype === 'string') continue;
    const x = ta.data as Float64Array;
    const y = tb.data as Float64Array;
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]);
      if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
      sum += Number.isFinite(d) ? d : 0;
      count++;
      if (Number.isFinite(d)) {
        sx += x[i];
        sy += y[i];
        sxx += x[i] * x[i];
        syy += y[i] * y[i];
        sxy += x[i] * y[i];
        pairs++;
      }
    }
  }
  const vx = pairs * sxx - sx * sx;
  const vy = pairs * syy - sy * sy;
  const correlation = pairs > 1 && vx > 0 && vy > 0 ? Math.max(-1, Math.min(1, (pairs * sxy - sx * sy) / Math.sqrt(vx * vy))) : null;
  const ca = classesOf(sig, a);
  const cb = classesOf(sig, b);
  const argmax = ca && cb && ca.length ? ca.filter((v, i) => v === cb[i]).length / ca.length : null;
  return { argmax, maxAbsDiff: max, meanAbsDiff: count ? sum / count : 0, correlation };
}

function quality(sig: Signature, records: FeatureRecord[], outputs: PlainTensor[]): QualityScores | null {
  const target = sig.target;
  if (!target || !records.length || records[0][target] === undefined) return null;
  const predictions = decodePredictions(sig, outputs);
  // A CSV cell is a string or a number; anything else (an image, a missing value) is no label.
  const truths = records.map((r) => {
    const value = r[target];
    return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value).trim() : '';
  });
  if (sig.task === 'regression') {
    let se = 0;
    let ae = 0;
    let n = 0;
    predictions.forEach((p, i) => {
      const value = Array.isArray(p.value) ? p.value[0] : p.value;
      const truth = Number(truths[i]);
      if (value === undefined || truths[i] === '' || !Number.isFinite(truth)) return;
      se += (value - truth) ** 2;
      ae += Math.abs(value - truth);
      n++;
    });
    return n ? { rmse: Math.sqrt(se / n), mae: ae / n } : null;
  }
  const names = sig.classNames;
  const normal = (v: string) => (names && !names.includes(v) && /^\d+$/.test(v) && names[Number(v)] !== undefined ? names[Number(v)] : v);
  const pairs = predictions.map((p, i) => [normal(String(p.label ?? '')), normal(truths[i])] as const).filter(([, t]) => t !== '');
  if (!pairs.length) return null;
  const classes = [...new Set(pairs.flatMap(([p, t]) => [p, t]))];
  const f1s = classes.map((c) => {
    const tp = pairs.filter(([p, t]) => p === c && t === c).length;
    const fp = pairs.filter(([p, t]) => p === c && t !== c).length;
    const fn = pairs.filter(([p, t]) => p !== c && t === c).length;
    return tp ? (2 * tp) / (2 * tp + fp + fn) : 0;
  });
  return { accuracy: pairs.filter(([p, t]) => p === t).length / pairs.length, macroF1: f1s.reduce((a, b) => a + b, 0) / f1s.length };
}

/** Compares `variant` with `original` on the same rows, alone and batched. */
export async function measureAgreement(original: LoadedModel, variant: LoadedModel, options: AgreementOptions = {}): Promise<Agreement> {
  const sig = original.signature;
  const fixed = sig.batch.dynamic ? undefined : (sig.batch.size ?? 1);
  const wanted = Math.max(1, options.rows ?? 256);
  const rows = fixed ? Math.ceil(wanted / fixed) * fixed : wanted;
  const { tensors, records, source, inputs } = sampleInputs(original, rows, options.records);
  const chunk = fixed ?? rows;
  const reference = await runInChunks(original, tensors, chunk, options.signal);
  const batched = await runInChunks(variant, tensors, chunk, options.signal);
  const alone = !fixed || fixed === 1 ? await runInChunks(variant, tensors, 1, options.signal) : null;
  const q0 = quality(sig, records, reference);
  const q1 = q0 && quality(sig, records, batched);
  return {
    rows,
    source,
    inputs,
    rowByRow: alone ? compare(sig, reference, alone) : null,
    batched: compare(sig, reference, batched),
    quality: q0 && q1 ? { target: sig.target!, rows: records.length, original: q0, variant: q1 } : null,
    comparedOutputs: reference.filter((t) => t.dtype !== 'string').map((t) => t.name),
  };
}
