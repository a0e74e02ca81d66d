/**
 * Reference statistics cache (`--cache`): `<reference>.modellab-drift.json` holds what a re-check needs
 * from the reference file, so it is not parsed again. Keyed by the file's size and mtime and by the
 * options that change what is read (columns, categorical overrides, MMD sample size); any mismatch
 * or a damaged file is a miss and the cache is rewritten.
 *
 * What is stored per column:
 * - categorical: the category counts — all the categorical tests (chi-square, Z, Jensen–Shannon, PSI,
 *   KL, Hellinger) need only counts;
 * - numerical: counts, min/max, and the SORTED VALUES, run-length encoded when there are ties. The
 *   numerical tests need the raw reference values for exact results — KS (exact p-values), Wasserstein,
 *   Mann–Whitney, and the binned tests, whose Sturges edges depend on the current data too — so a
 *   summary-only cache would change scores. Values are float64 bytes in base64: exact, ~11 bytes per
 *   distinct value. A reference with more than CACHE_MAX_VALUES numeric values is not cached (the
 *   JSON would be hundreds of MB); the report says so.
 * - the MMD row sample of the reference.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import type { ColumnData } from './csv/column';
import type { CsvColumns } from './csv/read';
import { sortDecimals } from './math/sort';

export const CACHE_FORMAT = 1;
export const CACHE_MAX_VALUES = 20_000_000;

export interface CacheKey {
  format: number;
  size: number;
  mtimeMs: number;
  columns: string[];
  categorical: string[];
  sampleRows: number;
}

interface StoredColumn extends Omit<ColumnData, 'values' | 'categories' | 'sorted'> {
  categories: [string, number][];
  /** Sorted values: `distinct` (float64, base64) and `runs` (uint32 counts, base64) or null when all distinct. */
  distinctValues: string;
  runs: string | null;
}

interface CacheFile {
  key: CacheKey;
  rows: number;
  header: string[];
  columns: StoredColumn[];
  sample: { columns: string[]; rows: number; values: string } | null;
}

export const cachePath = (reference: string) => `${reference}.modellab-drift.json`;

export async function cacheKey(reference: string, columns: string[], categorical: Set<string>, sampleRows: number): Promise<CacheKey> {
  const s = await stat(reference);
  return { format: CACHE_FORMAT, size: s.size, mtimeMs: s.mtimeMs, columns, categorical: [...categorical].sort(), sampleRows };
}

/** The cached reference columns, or null on a miss (absent, stale, other options, unreadable). */
export async function loadReferenceCache(reference: string, key: CacheKey): Promise<CsvColumns | null> {
  let parsed: CacheFile;
  try {
    parsed = JSON.parse(await readFile(cachePath(reference), 'utf8')) as CacheFile;
  } catch {
    return null;
  }
  if (JSON.stringify(parsed.key) !== JSON.stringify(key)) return null;
  const columns = new Map<string, ColumnData>();
  for (const c of parsed.columns) {
    const { categories, distinctValues, runs, ...rest } = c;
    columns.set(c.name, { ...rest, categories: new Map(categories), values: decodeSorted(distinctValues, runs, c.count), sorted: true });
  }
  const sample = parsed.sample
    ? { columns: parsed.sample.columns, rows: parsed.sample.rows, values: toFloat64(parsed.sample.values) }
    : null;
  return { file: reference, header: parsed.header, rows: parsed.rows, columns, sample };
}

/** Writes the cache; returns false (nothing written) when the reference is too large to cache. */
export async function saveReferenceCache(reference: string, key: CacheKey, data: CsvColumns): Promise<boolean> {
  let values = 0;
  for (const d of data.columns.values()) values += d.kind === 'numerical' ? d.count : 0;
  if (values > CACHE_MAX_VALUES) return false;
  const columns: StoredColumn[] = [];
  for (const d of data.columns.values()) {
    const { values: v, categories, sorted: _sorted, ...rest } = d;
    // Few-valued columns are left unsorted by the read (sortColumns): sorted here, the cache stores runs.
    if (d.kind === 'numerical' && !d.sorted) {
      sortDecimals(v.subarray(0, d.count));
      d.sorted = true;
    }
    columns.push({ ...rest, categories: [...categories], ...encodeSorted(v.subarray(0, d.count)) });
  }
  const file: CacheFile = {
    key,
    rows: data.rows,
    header: data.header,
    columns,
    sample: data.sample ? { columns: data.sample.columns, rows: data.sample.rows, values: base64(data.sample.values) } : null,
  };
  await writeFile(cachePath(reference), JSON.stringify(file));
  return true;
}

function base64(a: Float64Array | Uint32Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function toFloat64(b64: string): Float64Array {
  const bytes = Buffer.from(b64, 'base64');
  // Copy into an aligned buffer (a Buffer may start at any offset of the pool).
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function toUint32(b64: string): Uint32Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Uint32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

/** Sorted values as distinct values + run lengths when ties save space. */
function encodeSorted(sorted: Float64Array): { distinctValues: string; runs: string | null } {
  let distinct = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
  if (distinct * 1.5 > sorted.length) return { distinctValues: base64(sorted), runs: null };
  const values = new Float64Array(distinct);
  const runs = new Uint32Array(distinct);
  let k = -1;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) values[++k] = sorted[i];
    runs[k]++;
  }
  return { distinctValues: base64(values), runs: base64(runs) };
}

function decodeSorted(distinctValues: string, runs: string | null, count: number): Float64Array {
  const values = toFloat64(distinctValues);
  if (runs === null) return values;
  const lengths = toUint32(runs);
  const out = new Float64Array(count);
  let o = 0;
  for (let k = 0; k < values.length; k++) out.fill(values[k], o, (o += lengths[k]));
  return out;
}
