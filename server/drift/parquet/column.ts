/**
 * Turns decoded Parquet pages (pages.ts) into the engine's ColumnData — the same
 * shape, counts and kinds the CSV path produces (csv/column.ts), so the tests and the report cannot
 * tell where a column came from. Numbers go into one growable Float64Array; categories are counted.
 */
import type { DecodedArray } from 'hyparquet';
import { DISTINCT_TRACK_LIMIT, type BufferPool, type ColumnData } from '../csv/column';
import type { Page } from './pages';
import { formatNumber, isNumericKind, type ParquetValueKind } from './typing';

export class ParquetColumnAccumulator {
  readonly data: ColumnData;
  private readonly categories = new Map<string, number>();
  /**
   * Numbers counted as categories, keyed by value and spelled in finish(): an integer column is
   * spelled `4` by pandas only when it has no null (else it is float64: `4.0`), known at the end.
   */
  private readonly numberCategories = new Map<number, number>();
  private readonly numeric: boolean;

  /** `forceCategorical`: numbers are counted as categories, spelled as pandas writes them. */
  constructor(
    name: string,
    private readonly kind: ParquetValueKind,
    forceCategorical: boolean,
    rows: number,
    pool?: BufferPool,
  ) {
    this.numeric = isNumericKind(kind) && !forceCategorical;
    const capacity = this.numeric ? Math.max(16, rows) : 0;
    this.data = {
      name,
      kind: this.numeric ? 'numerical' : 'categorical',
      rows: 0,
      missing: 0,
      infinite: 0,
      // pandas keeps int64 only when no value is missing (nulls make it float64).
      integerDtype: this.numeric && kind === 'integer',
      values: (capacity > 0 ? pool?.take(capacity) : null) ?? new Float64Array(capacity),
      count: 0,
      sorted: false,
      min: Infinity,
      max: -Infinity,
      distinct: [],
      categories: new Map(),
    };
  }

  /** Adds one page: its nulls as missing, its present values (through the dictionary when it has one). */
  add(page: Page): void {
    const present = page.present.length;
    this.data.rows += page.numValues;
    this.data.missing += page.numValues - present;
    if (page.numValues > present) this.data.integerDtype = false;
    if (this.numeric) this.addNumbers(page.present, page.dictionary);
    else if (page.dictionary) this.addIndexedCategories(page.present, page.dictionary);
    else this.addCategories(page.present, page.present.length);
  }

  private addNumbers(present: DecodedArray, dictionary: DecodedArray | null): void {
    const d = this.data;
    const n = present.length;
    if (d.count + n > d.values.length) {
      const grown = new Float64Array(Math.max(d.count + n, Math.ceil(d.values.length * 1.5)));
      grown.set(d.values.subarray(0, d.count));
      d.values = grown;
    }
    if (!dictionary && present instanceof Float64Array) {
      this.addDoubles(present);
      return;
    }
    const out = d.values;
    let count = d.count;
    let min = d.min;
    let max = d.max;
    let missing = 0;
    let infinite = 0;
    let distinct = d.distinct;
    for (let i = 0; i < n; i++) {
      const raw: unknown = dictionary ? dictionary[present[i] as number] : present[i];
      if (raw === null || raw === undefined) {
        missing++;
        continue;
      }
      const v = typeof raw === 'number' ? raw : Number(raw);
      if (v !== v) {
        missing++;
        continue;
      }
      if (v === Infinity || v === -Infinity) {
        infinite++;
        continue;
      }
      out[count++] = v;
      if (v < min) min = v;
      if (v > max) max = v;
      if (distinct !== null && !distinct.includes(v)) {
        if (distinct.length >= DISTINCT_TRACK_LIMIT) distinct = null;
        else distinct.push(v);
      }
    }
    d.count = count;
    d.min = min;
    d.max = max;
    d.distinct = distinct;
    d.missing += missing + infinite;
    d.infinite += infinite;
    if (missing + infinite > 0) d.integerDtype = false;
  }

  /** The common case (a DOUBLE page, PLAIN): one monomorphic loop over the typed array. */
  private addDoubles(present: Float64Array): void {
    const d = this.data;
    const out = d.values;
    const n = present.length;
    let count = d.count;
    let min = d.min;
    let max = d.max;
    let skipped = 0;
    let infinite = 0;
    for (let i = 0; i < n; i++) {
      const v = present[i];
      if (v !== v || v === Infinity || v === -Infinity) {
        if (v === v) infinite++;
        else skipped++;
        continue;
      }
      out[count++] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    // Distinct values are tracked until there are more than DISTINCT_TRACK_LIMIT (a float column passes that at once).
    let distinct = d.distinct;
    for (let i = d.count; i < count && distinct !== null; i++) {
      const v = out[i];
      if (!distinct.includes(v)) {
        if (distinct.length >= DISTINCT_TRACK_LIMIT) distinct = null;
        else distinct.push(v);
      }
    }
    d.count = count;
    d.min = min;
    d.max = max;
    d.distinct = distinct;
    d.missing += skipped + infinite;
    d.infinite += infinite;
    if (skipped + infinite > 0) d.integerDtype = false;
  }

  /** Dictionary-encoded categories: counted by index, each dictionary entry turned to text once per page. */
  private addIndexedCategories(indices: DecodedArray, dictionary: DecodedArray): void {
    const counts = new Float64Array(dictionary.length);
    for (let i = 0; i < indices.length; i++) counts[indices[i] as number]++;
    for (let k = 0; k < counts.length; k++) if (counts[k] > 0) this.addCategory(dictionary[k], counts[k]);
  }

  private addCategories(values: DecodedArray, n: number): void {
    for (let i = 0; i < n; i++) this.addCategory(values[i], 1);
  }

  private addCategory(raw: unknown, count: number): void {
    if (raw === null || raw === undefined) {
      this.data.missing += count;
    } else if (isNumericKind(this.kind)) {
      const v = typeof raw === 'number' ? raw : Number(raw);
      if (v !== v) this.data.missing += count;
      else this.numberCategories.set(v, (this.numberCategories.get(v) ?? 0) + count);
    } else {
      const text = categoryText(raw);
      this.categories.set(text, (this.categories.get(text) ?? 0) + count);
    }
  }

  finish(): ColumnData {
    const d = this.data;
    if (d.kind === 'numerical') {
      if (d.values.length !== d.count) d.values = d.values.subarray(0, d.count);
    } else {
      d.values = new Float64Array(0);
      const integer = this.kind === 'integer' && d.missing === 0;
      for (const [v, count] of this.numberCategories) this.categories.set(formatNumber(v, integer), count);
      d.categories = this.categories;
    }
    return d;
  }
}

/** A non-numeric cell as a category (strings, "True"/"False" as pandas writes bools, bytes as UTF-8). */
function categoryText(raw: unknown): string {
  switch (typeof raw) {
    case 'string':
      return raw;
    case 'boolean':
      return raw ? 'True' : 'False';
    case 'bigint':
    case 'number':
      return String(raw);
    default:
      // Bytes (a binary column) as UTF-8; anything else hyparquet might hand over, as JSON.
      return raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : JSON.stringify(raw);
  }
}
