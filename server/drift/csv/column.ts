/**
 * What one file holds for one column after a streaming pass: the inferred kind, counts for data
 * quality, and just enough values for the tests — numeric values in a growable Float64Array (no
 * per-row objects), text values only as category → count (tests on categories need nothing else).
 */
import { unlinkSync } from 'node:fs';
import { ByteDictionary } from './dictionary';
import { fieldText, type RowFields } from './tokenizer';
import { CACHED_TEXT, type FastRowsBlock } from './fast-rows';
import { lastWasIntegerLiteral, MISSING_TOKENS, parseNumberBytes } from './values';
import { SpillWriter } from './spill-file';

import type { ColumnKind } from '../../protocol/drift';

export type { ColumnKind };

/** A few distinct numeric values are tracked exactly; past this many we only know "more". */
export const DISTINCT_TRACK_LIMIT = 21;

/**
 * Value buffers of the previous pass, handed to the next one: reusing them keeps the resident memory
 * flat across passes (fresh buffers would pile up on top of the old ones until the GC frees those).
 */
export class BufferPool {
  constructor(private readonly buffers: ArrayBuffer[] = []) {}

  /** A whole buffer of at least `length` values, or null. */
  take(length: number): Float64Array | null {
    const i = this.buffers.findIndex((b) => b.byteLength >= length * 8);
    if (i < 0) return null;
    const [buffer] = this.buffers.splice(i, 1);
    return new Float64Array(buffer, 0, buffer.byteLength / 8);
  }

  /** Gives back the buffers of columns nobody uses any more. */
  give(columns: Iterable<ColumnData>): void {
    for (const d of columns) if (d.kind === 'numerical' && d.values.byteLength > 0) this.buffers.push(d.values.buffer as ArrayBuffer);
  }

  /** Takes back one buffer (a sort's scratch, the spare buffers a worker thread sends back). */
  put(buffer: ArrayBuffer): void {
    if (buffer.byteLength > 0) this.buffers.push(buffer);
  }

  /** Hands the buffers over (e.g. to a worker thread): this pool is empty afterwards. */
  drain(): ArrayBuffer[] {
    return this.buffers.splice(0);
  }
}

/** The result of reading one column of one file. */
export interface ColumnData {
  name: string;
  kind: ColumnKind;
  /** Data rows in the file. */
  rows: number;
  /** Cells that were missing (empty, NA, NaN, null…) — plus ±inf in numerical columns, which Evidently drops too. */
  missing: number;
  /** ±inf cells of a numerical column (also counted in `missing`). */
  infinite: number;
  /** Numerical: every present cell was an integer literal and none was missing (pandas would make it int64). */
  integerDtype: boolean;
  /** Numerical: the finite values, in file order (`count` of them are valid). */
  values: Float64Array;
  count: number;
  /** Numerical: `values` are in ascending order (sorted after reading), not file order. */
  sorted: boolean;
  /** Numerical: standard deviation (ddof 0) of the values, when computed ahead (see parallel.ts). */
  std?: number;
  min: number;
  max: number;
  /** Numerical: up to DISTINCT_TRACK_LIMIT distinct values, or null once there are more. */
  distinct: number[] | null;
  /**
   * Numerical, while `distinct` is tracked by the CSV reader: how many values each of them had (same
   * order). Absent otherwise (other readers, older caches): then they are counted from the values.
   */
  distinctCounts?: number[];
  /** Categorical: category → count (missing excluded). */
  categories: Map<string, number>;
  /**
   * Numerical, read with `spill`: the values are not in `values` but in this file (float64, file
   * order, `count` of them), written while reading so a later pass loads them without parsing the
   * CSV again (see spill.ts).
   */
  spill?: { file: string; count: number; direct: boolean };
}

/** Values buffered per spilled column before they are written (512 KiB). */
const SPILL_CHUNK = 1 << 16;

/** Accumulates one column while the file streams by. */
export class ColumnAccumulator {
  readonly data: ColumnData;
  /** Set when a text cell showed up after numbers were stored: the file must be re-read as text. */
  needsTextReread = false;
  /** Text cells counted by bytes (missing tokens included; they are moved to `missing` in finish()). */
  private readonly text = new ByteDictionary();

  /**
   * `expectedRows` sizes the value buffer up front (+25%), so big files are not copied as they grow;
   * pages never written are never resident, so the margin costs address space, not memory.
   */
  /** Spill mode: the file the values go to, its writer once opened, and how many were written. */
  private readonly spillFile: string | null;
  private spillWriter: SpillWriter | null = null;
  private spilled = 0;

  constructor(name: string, forceCategorical = false, expectedRows = 1024, pool?: BufferPool, spillFile?: string) {
    this.spillFile = forceCategorical ? null : (spillFile ?? null);
    const capacity = forceCategorical ? 0 : this.spillFile ? SPILL_CHUNK : Math.max(16, Math.ceil(expectedRows * 1.25));
    this.data = {
      name,
      kind: forceCategorical ? 'categorical' : 'numerical',
      rows: 0,
      missing: 0,
      infinite: 0,
      integerDtype: true,
      values: (this.spillFile ? null : pool?.take(capacity)) ?? new Float64Array(capacity),
      count: 0,
      sorted: false,
      min: Infinity,
      max: -Infinity,
      distinct: [],
      distinctCounts: [],
      categories: new Map(),
    };
  }

  /** Adds field `index` of `row` (no closure or string per numeric cell: this runs for every cell). */
  add(row: RowFields, index: number): void {
    const d = this.data;
    const escaped = row.escaped[index] === 1;
    d.rows++;
    if (d.kind === 'numerical') {
      // Read by the tokenizer already (see RowFields.numeric), or here: pandas parses quoted numbers as
      // numbers too; only a cell with `""` escapes is certainly text.
      const parsed = row.parsed[index];
      let integerLiteral: boolean;
      if (parsed !== 0) {
        integerLiteral = parsed === 2;
      } else {
        // Written to the row's Float64Array and read back below, not assigned to `v` here: a variable
        // that is a float64 on one branch and parseNumberBytes' tagged result on the other made the
        // optimised code box every value of the common branch (a 16-byte heap number per numeric cell,
        // 22 MB of garbage per 200k × 7 file). The slot is free: `parsed` stays 0, so nobody reads it.
        row.values[index] = escaped ? NaN : parseNumberBytes(row.buf, row.starts[index], row.ends[index]);
        integerLiteral = lastWasIntegerLiteral;
      }
      const v = row.values[index];
      if (v === v) {
        if (!integerLiteral) d.integerDtype = false;
        if (v === Infinity || v === -Infinity) {
          d.infinite++;
          d.missing++;
          return;
        }
        this.pushNumber(v);
        return;
      }
      const s = fieldText(row, index);
      if (MISSING_TOKENS.has(s)) {
        d.missing++;
        d.integerDtype = false;
        return;
      }
      // First text cell: from here on this column is categorical (pandas would make it `object`).
      d.kind = 'categorical';
      row.numeric[index] = 0; // the tokenizer need not read numbers in it any more
      if (d.count > 0 || this.spilled > 0 || d.infinite > 0) this.needsTextReread = true;
    }
    this.text.add(row.buf, row.starts[index], row.ends[index], row.escaped[index]);
  }

  /**
   * Adds field `index` of each row of a block the fast path read (fast-rows.ts): a number when this column
   * is numerical (the fast path read it as one: RowFields.numeric), else the field's bytes as text.
   */
  addBlock(block: FastRowsBlock, index: number): void {
    const d = this.data;
    const n = block.rows;
    const base = index * block.stride; // this column's cells: base … base + n − 1
    d.rows += n;
    if (d.kind === 'numerical') {
      const values = block.values;
      if (block.notInteger[index] === 1) d.integerDtype = false;
      const missing = block.missing[index];
      d.missing += missing;
      // The block's present values (moved together by the module when some are missing: a per-cell copy
      // here ran cold, in the baseline tiers) go into the buffer with `set()`, a run at a time as the buffer
      // has room (it grows, or in spill mode is written out, in between). Their min and max come from the module.
      let cell = base;
      const end = base + (missing === 0 ? n : block.compact(index));
      while (cell < end) {
        if (d.values.length === d.count) this.makeRoom();
        const take = Math.min(end - cell, d.values.length - d.count);
        const first = d.count;
        d.values.set(values.subarray(cell, cell + take), first);
        d.count += take;
        if (d.distinct !== null) this.trackDistinct(first, d.count);
        cell += take;
      }
      if (block.min[index] < d.min) d.min = block.min[index];
      if (block.max[index] > d.max) d.max = block.max[index];
      return;
    }
    if (block.mask[index] === CACHED_TEXT) return; // counted in this.text by the fast path already
    const starts = block.starts;
    const ends = block.ends;
    const escaped = block.kinds;
    for (let cell = base, end = base + n; cell < end; cell++) this.text.add(block.buf, starts[cell], ends[cell], escaped[cell]);
  }

  /**
   * The dictionary this column's text cells are counted in while it is categorical (the fast path counts
   * cells it knows the spelling of in it: FastRowsSink.dictionaryOf), else null.
   */
  textDictionary(): ByteDictionary | null {
    return this.data.kind === 'categorical' ? this.text : null;
  }

  /** Values added with addNumber / addText (for columns not read from a CSV, e.g. predictions). */
  added = 0;

  /** Adds a number computed elsewhere (a prediction); NaN and ±inf count as missing. */
  addNumber(v: number): void {
    this.added++;
    this.data.rows++;
    if (Number.isFinite(v)) {
      this.data.integerDtype = false;
      this.pushNumber(v);
    } else {
      this.data.missing++;
    }
  }

  /** Adds a text value computed elsewhere (a predicted label). */
  addText(text: string): void {
    this.added++;
    this.data.rows++;
    const bytes = Buffer.from(text);
    this.text.add(bytes, 0, bytes.length, 0);
  }

  private pushNumber(v: number): void {
    const d = this.data;
    if (d.count === d.values.length) this.makeRoom();
    d.values[d.count++] = v;
    if (v < d.min) d.min = v;
    if (v > d.max) d.max = v;
    const distinct = d.distinct;
    if (distinct === null) return;
    const k = distinct.indexOf(v); // v is finite: indexOf finds what includes() would (and -0 as 0)
    if (k >= 0) d.distinctCounts![k]++;
    else if (distinct.length >= DISTINCT_TRACK_LIMIT) this.stopTracking();
    else {
      distinct.push(v);
      d.distinctCounts!.push(1);
    }
  }

  /** More distinct values than are tracked: from here on only "many" is known. */
  private stopTracking(): void {
    this.data.distinct = null;
    this.data.distinctCounts = undefined;
  }

  /** The buffer is full: grow it, or in spill mode write it out and start it over. */
  private makeRoom(): void {
    const d = this.data;
    if (this.spillFile !== null) this.flushSpill();
    else {
      const grown = new Float64Array(Math.max(1024, Math.ceil(d.values.length * 1.5)));
      grown.set(d.values);
      d.values = grown;
    }
  }

  /**
   * The distinct-value tracking pushNumber does, for values[from, to) just stored: the same list in the
   * same order. A value equal to the one before is skipped without a search (low-cardinality columns —
   * flags, counts, ratings — repeat values in runs).
   */
  private trackDistinct(from: number, to: number): void {
    const d = this.data;
    const distinct = d.distinct!;
    const counts = d.distinctCounts!;
    const values = d.values;
    let last = NaN;
    let at = -1; // where `last` is in the list
    for (let i = from; i < to; i++) {
      const v = values[i];
      if (v !== last) {
        // An inline search, not indexOf (a builtin call per changed value: on a 0/1 column, every other
        // value): the same index, as both use === (v is finite, -0 finds 0) and the list is short.
        at = -1;
        for (let k = 0; k < distinct.length; k++) {
          if (distinct[k] === v) {
            at = k;
            break;
          }
        }
        if (at < 0) {
          if (distinct.length >= DISTINCT_TRACK_LIMIT) {
            this.stopTracking();
            return;
          }
          at = distinct.length;
          distinct.push(v);
          counts.push(0);
        }
        last = v;
      }
      counts[at]++;
    }
  }

  /** Writes the buffered values to the spill file (one 512 KiB write per 65,536 values, in the background where it can: spill-file.ts). */
  private flushSpill(): void {
    const d = this.data;
    this.spillWriter ??= new SpillWriter(this.spillFile!);
    this.spillWriter.write(d.values, d.count);
    this.spilled += d.count;
    d.count = 0;
  }

  /** Waits until the spilled values are all on disk (they are written in the background); throws a write's error. */
  async spillSettled(): Promise<void> {
    await this.spillWriter?.settled();
  }

  /** Final data: values trimmed to their count (one copy, then the big buffer is released). */
  finish(): ColumnData {
    const d = this.data;
    if (this.spillFile !== null && d.kind === 'numerical') {
      this.flushSpill();
      const { direct } = this.spillWriter!.close();
      d.spill = { file: this.spillFile, count: this.spilled, direct };
      d.values = new Float64Array(0);
      d.count = 0;
      return d;
    }
    if (this.spillWriter) {
      // Turned to text after values were written: they are not needed.
      this.spillWriter.close();
      unlinkSync(this.spillFile!);
    }
    // A view, not a copy: a copy would transiently double the column, and the unused tail of a
    // (zero-filled, never written) buffer is not resident memory anyway.
    if (d.kind === 'numerical' && d.values.length !== d.count) d.values = d.values.subarray(0, d.count);
    if (d.kind === 'categorical') {
      d.values = new Float64Array(0);
      d.count = 0;
      d.integerDtype = false;
      for (const { text, count } of this.text.entries()) {
        if (MISSING_TOKENS.has(text)) d.missing += count;
        else d.categories.set(text, count);
      }
    }
    return d;
  }
}
