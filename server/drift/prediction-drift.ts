/**
 * Prediction drift: the model predicts both files and its outputs are tested like columns. The model
 * is opened the way `model-lab serve` opens it — features named by the reference CSV's header when the
 * ONNX file names none (one [N, 30] tensor becomes "mean radius", …) — so the served signature is the
 * one used. A model that cannot be opened or cannot predict the files does not sink the data-drift
 * result: the report carries the error in `predictions.error` beside it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { LoadedModel } from '../model/types';
import type { PredictionDrift } from '../protocol/drift';
import { testColumn } from './column-test';
import { predictFile } from './predictions';
import { isParquet } from './table';

export interface OpenedModel {
  /** Null when it could not be loaded (then `error` says why). */
  loaded: LoadedModel | null;
  label: string;
  error: string | null;
  /** Whether this check loaded it (and so disposes of it when the check ends). */
  owned: boolean;
}

/**
 * Opens `model` (a path or a loaded model), naming its features with `reference` as the server does
 * (a Parquet reference is handed to the loader as a CSV of its first rows, in a temporary folder).
 */
export async function openModel(model: string | LoadedModel, reference: string): Promise<OpenedModel> {
  if (typeof model !== 'string') return { loaded: model, label: model.info.name, error: null, owned: false };
  let temp: string | null = null;
  try {
    // Loaded lazily: onnxruntime's native module is only needed when a model is given.
    const { loadModel } = await import('../model/index');
    let referenceCsv = reference;
    if (isParquet(reference)) {
      const { writeCsvHead } = await import('./parquet');
      temp = await mkdtemp(join(tmpdir(), 'model-lab-reference-'));
      referenceCsv = join(temp, `${basename(reference, extname(reference))}.csv`);
      await writeCsvHead(reference, referenceCsv);
    }
    return { loaded: await loadModel(model, { referenceCsv }), label: model, error: null, owned: true };
  } catch (err) {
    return { loaded: null, label: model, error: (err as Error).message, owned: false };
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

/** Predicts both files and tests the prediction columns with the default choice; failures become `error`. */
export async function predictionDrift(
  model: OpenedModel,
  files: { reference: string; current: string; signal?: AbortSignal },
  onSide: (side: 'ref' | 'cur') => (rows: number, bytes: number) => void,
): Promise<PredictionDrift> {
  const failed = (error: string): PredictionDrift => ({
    model: model.label,
    error,
    rows: { reference: 0, current: 0 },
    failedRows: { reference: 0, current: 0 },
    firstError: null,
    columns: [],
    drift: false,
  });
  if (!model.loaded) return failed(`the model could not be loaded: ${model.error ?? 'unknown error'}`);
  try {
    // One after the other: onnxruntime already uses the cores for each batch.
    const ref = await predictFile(model.loaded, files.reference, { signal: files.signal, onProgress: onSide('ref') });
    const cur = await predictFile(model.loaded, files.current, { signal: files.signal, onProgress: onSide('cur') });
    const names = [...ref.columns.keys()];
    for (const name of cur.columns.keys()) if (!names.includes(name)) names.push(name);
    const columns = names
      .filter((n) => ref.columns.has(n) && cur.columns.has(n))
      .map((n) => testColumn(n, ref.columns.get(n)!, cur.columns.get(n)!, null, {}));
    const firstError = ref.firstError ?? cur.firstError;
    const result: PredictionDrift = {
      model: model.label,
      error: null,
      rows: { reference: ref.rows, current: cur.rows },
      failedRows: { reference: ref.failedRows, current: cur.failedRows },
      firstError,
      columns,
      drift: columns.some((c) => c.drift),
    };
    // Every row refused (e.g. the files lack the model's features): nothing was predicted — say so.
    if (columns.length === 0) result.error = `the model predicted no row of the files${firstError ? `: ${firstError}` : ''}`;
    return result;
  } catch (err) {
    if (files.signal?.aborted) throw err;
    return failed((err as Error).message);
  }
}
