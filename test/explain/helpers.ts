/** Shared by the explain tests: load a sample model with its data table and predictor, read a fixture. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPredictor, readTable, type DataTable, type Predictor } from '../../server/explain/index';
import { loadModel, type LoadedModel } from '../../server/model/index';

export const ROOT = join(__dirname, '..', '..');
export const repoPath = (...parts: string[]) => join(ROOT, ...parts);

export interface Loaded {
  model: LoadedModel;
  table: DataTable;
  predictor: Predictor;
}

/** A sample's model, its reference.csv as a table (with `target` when given) and a primed predictor. */
export async function loadSample(model: string, data: string, target?: string): Promise<Loaded> {
  const loaded = await loadModel(repoPath(model), { referenceCsv: repoPath(data) });
  const table = await readTable(repoPath(data), loaded.signature, { target });
  const predictor = createPredictor(loaded, table.features);
  await predictor.predict(table.values.subarray(0, table.features.length), 1);
  return { model: loaded, table, predictor };
}

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(repoPath('test', 'fixtures', 'explain', name), 'utf8')) as T;
}

/** |actual − expected| ≤ tolerance · max(1, |expected|), element by element, with the path in the message. */
export function assertClose(actual: unknown, expected: unknown, tolerance: number, where = ''): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length)
      throw new Error(`${where}: expected an array of ${expected.length}, got ${JSON.stringify(actual)?.slice(0, 80)}`);
    expected.forEach((e, i) => assertClose(actual[i], e, tolerance, `${where}[${i}]`));
    return;
  }
  const a = Number(actual);
  const e = Number(expected);
  if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e))))
    throw new Error(`${where}: ${a} is not within ${tolerance} (relative above 1) of ${e} (difference ${Math.abs(a - e)})`);
}
