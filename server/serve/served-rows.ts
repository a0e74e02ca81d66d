/**
 * What the server saw: a bounded log of the feature rows it has served, for live drift checks
 * ("is today's traffic like the reference?").
 *
 * Every prediction route (OIP v2, v1, MLflow, CSV batch) ends in `ModelHost.infer` with tensors, so the
 * log is fed in one place: {@link recordingHost} wraps the host and, after a successful run, keeps the
 * input tensors; they are decoded back into records through the signature (the inverse of the codec's
 * encodeRecords for packed and per-column inputs) only when read — a drift job, the JSONL writer — so
 * the request path pays for a shape check, not for formatting every value. Image and raw inputs carry
 * no named features and are not logged.
 *
 * Rows live in a ring buffer (default 10,000: the oldest fall out); with a JSONL file each row is also
 * appended there as `{"at": ISO time, "row": {...}}`, on the next turn of the event loop.
 *
 * The ring is preallocated typed arrays (values as float64 plus one code byte per cell saying how to read
 * it back), not one object per request: 10,000 requests' tensors kept alive were copied by every young-
 * generation GC and then promoted, which under load made scavenges ~30 % longer and filled the old
 * generation with garbage every few seconds (a full collection, a 20 ms pause in the tail).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { readScalar, type PlainTensor } from '../protocol/codec';
import type { Signature } from '../protocol/signature';
import type { ModelHost } from './host';

export type ServedValue = number | string | boolean | null;
export type ServedRow = Record<string, ServedValue>;

export const DEFAULT_SERVED_CAPACITY = 10_000;

export interface ServedRowsOptions {
  /** Rows kept in memory (default 10,000). */
  capacity?: number;
  /** Also append every row to this JSONL file. */
  jsonlFile?: string;
  /** Where a failing JSONL write is reported (once). */
  log?: (line: string) => void;
}

/** How a cell of the ring reads back. */
const enum Cell {
  /** `numbers[cell]` as it is. */
  Number = 0,
  /** `numbers[cell]` was a float32: read as the shortest decimal of that float32. */
  Float32 = 1,
  /** `numbers[cell]` is 1 or 0: true or false. */
  Bool = 2,
  /** A string: in `texts[slot][column]`. */
  Text = 3,
  /** No value written (a feature no input carries): left out of the row, as a record would. */
  Missing = 4,
}

/** The ring starts this many rows long and doubles up to its capacity (memory follows use). */
const INITIAL_ROWS = 1024;

export class ServedRows {
  readonly capacity: number;
  /** Column order of the rows in the typed part of the ring (the current signature's features). */
  private columns: string[] = [];
  private width = 0;
  /** Rows allocated (≤ capacity); slots are `0 … allocated − 1`. */
  private allocated = 0;
  private numbers = new Float64Array(0);
  private codes = new Uint8Array(0);
  private at = new Float64Array(0);
  /** Per slot: the row's string cells by column, when it has any. */
  private texts: (ServedValue[] | undefined)[] = [];
  /** Per slot: the whole row as a record (rows given as records, or kept from an earlier signature). */
  private records: (ServedRow | undefined)[] = [];
  /** Slot the next row goes to; the held rows are the `held` slots before it (wrapping). */
  private next = 0;
  private held = 0;
  private total = 0;
  private file: WriteStream | null = null;
  /** Newest held rows not yet appended to the JSONL file; written on the next turn of the event loop. */
  private unwritten = 0;
  private flushScheduled = false;

  constructor(options: ServedRowsOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_SERVED_CAPACITY));
    if (options.jsonlFile) {
      const log = options.log ?? (() => undefined);
      this.file = createWriteStream(options.jsonlFile, { flags: 'a' });
      this.file.on('error', (err) => {
        log(`served-rows log ${options.jsonlFile}: ${err.message}; rows are still kept in memory`);
        this.file = null;
      });
    }
  }

  /** Adds rows (the oldest fall out past the capacity); `columns` is the feature order for CSV export. */
  add(rows: ServedRow[], columns: string[]): void {
    this.useColumns(columns);
    const first = Math.max(0, rows.length - this.capacity);
    const now = Date.now();
    this.total += rows.length;
    this.beforeWriting(rows.length - first);
    for (let r = first; r < rows.length; r++) {
      const slot = this.claimSlot();
      this.at[slot] = now;
      this.records[slot] = rows[r];
    }
  }

  /**
   * Adds the rows of a request's input tensors (the hot path: values are copied into the ring, nothing
   * is formatted or allocated per request). Returns false, logging nothing, when the tensors cannot be
   * mapped back to features (images, raw inputs, odd shapes).
   */
  addTensors(signature: Signature, inputs: PlainTensor[]): boolean {
    const count = mappedRowCount(signature, inputs);
    if (count <= 0) return false;
    this.useColumns(servedColumns(signature));
    const index = columnIndex(this.columns);
    // A request larger than the ring keeps only its last rows.
    const first = Math.max(0, count - this.capacity);
    this.total += count;
    this.beforeWriting(count - first);
    const now = Date.now();
    const startSlot = this.next;
    for (let r = first; r < count; r++) {
      const slot = this.claimSlot();
      this.at[slot] = now;
    }
    for (const binding of signature.inputs) {
      const tensor = inputs.find((t) => t.name === binding.tensor)!;
      const stride = binding.features.length;
      const data = tensor.data;
      const dtype = tensor.dtype;
      for (let j = 0; j < stride; j++) {
        const column = index.get(binding.features[j]);
        if (column === undefined) continue;
        let slot = startSlot;
        for (let r = first; r < count; r++) {
          const cell = slot * this.width + column;
          const i = r * stride + j;
          if (dtype === 'float32') {
            this.numbers[cell] = data[i] as number;
            this.codes[cell] = Cell.Float32;
          } else if (dtype === 'string') {
            (this.texts[slot] ??= [])[column] = data[i] as string;
            this.codes[cell] = Cell.Text;
          } else {
            const v = readScalar(tensor, i);
            this.numbers[cell] = typeof v === 'boolean' ? (v ? 1 : 0) : (v as number);
            this.codes[cell] = typeof v === 'boolean' ? Cell.Bool : Cell.Number;
          }
          if (++slot === this.allocated) slot = 0;
        }
      }
    }
    return true;
  }

  /** The next slot for a row, growing the ring while it is below capacity; the slot is emptied. */
  private claimSlot(): number {
    if (this.next === this.allocated && this.allocated < this.capacity) this.grow();
    const slot = this.next;
    this.next = slot + 1 === this.allocated && this.allocated === this.capacity ? 0 : slot + 1;
    if (this.held < this.capacity) this.held++;
    this.texts[slot] = undefined;
    this.records[slot] = undefined;
    if (this.width) this.codes.fill(Cell.Missing, slot * this.width, (slot + 1) * this.width);
    return slot;
  }

  /** Doubles the typed arrays (only while no row has wrapped: slots stay where they are). */
  private grow(): void {
    const rows = Math.min(this.capacity, Math.max(INITIAL_ROWS, this.allocated * 2));
    const numbers = new Float64Array(rows * this.width);
    numbers.set(this.numbers);
    const codes = new Uint8Array(rows * this.width);
    codes.set(this.codes);
    const at = new Float64Array(rows);
    at.set(this.at);
    this.numbers = numbers;
    this.codes = codes;
    this.at = at;
    this.allocated = rows;
  }

  /**
   * A new column order (another model, or rows given with other columns): rows held so far become
   * records, and the typed arrays are laid out for the new width.
   */
  private useColumns(columns: string[]): void {
    if (columns === this.columns || sameColumns(columns, this.columns)) {
      this.columns = columns;
      return;
    }
    for (let k = 0, slot = this.oldestSlot(); k < this.held; k++) {
      this.records[slot] = this.rowAt(slot);
      this.texts[slot] = undefined;
      if (++slot === this.allocated) slot = 0;
    }
    this.columns = columns;
    this.width = columns.length;
    this.numbers = new Float64Array(this.allocated * this.width);
    this.codes = new Uint8Array(this.allocated * this.width);
  }

  /** With a JSONL file: rows not written yet that `incoming` rows would overwrite are written first. */
  private beforeWriting(incoming: number): void {
    if (!this.file) return;
    if (this.unwritten + incoming > this.capacity) this.flush();
    this.unwritten += incoming;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private oldestSlot(): number {
    const slot = this.next - this.held;
    return slot < 0 ? slot + this.allocated : slot;
  }

  /** The row in `slot`, decoded. */
  private rowAt(slot: number): ServedRow {
    const record = this.records[slot];
    if (record) return record;
    const row: ServedRow = {};
    const base = slot * this.width;
    const texts = this.texts[slot];
    for (let c = 0; c < this.width; c++) {
      const code = this.codes[base + c] as Cell;
      if (code === Cell.Missing) continue;
      const v = this.numbers[base + c];
      row[this.columns[c]] =
        code === Cell.Float32 ? float32Text(v) : code === Cell.Bool ? v === 1 : code === Cell.Text ? (texts?.[c] ?? null) : v;
    }
    return row;
  }

  /** The newest `n` held rows with their times, oldest first. */
  private newest(n: number): { at: number; row: ServedRow }[] {
    const out: { at: number; row: ServedRow }[] = [];
    let slot = this.next - Math.min(n, this.held);
    if (slot < 0) slot += this.allocated;
    for (let k = Math.min(n, this.held); k > 0; k--) {
      out.push({ at: this.at[slot], row: this.rowAt(slot) });
      if (++slot === this.allocated) slot = 0;
    }
    return out;
  }

  /** Appends the rows added since the last flush to the JSONL file. */
  private flush(): void {
    this.flushScheduled = false;
    const n = this.unwritten;
    this.unwritten = 0;
    if (!this.file || n === 0) return;
    const lines = this.newest(n).map(({ at, row }) => JSON.stringify({ at: new Date(at).toISOString(), row }));
    if (lines.length) this.file.write(lines.join('\n') + '\n');
  }

  /** `{rows, capacity, since, total}`: rows held, when the oldest held row was served, rows ever served. */
  status(): { rows: number; capacity: number; since: string | null; total: number; columns: string[] } {
    return {
      rows: this.held,
      capacity: this.capacity,
      total: this.total,
      columns: this.columns,
      since: this.held ? new Date(this.at[this.oldestSlot()]).toISOString() : null,
    };
  }

  /** The rows held, oldest first. */
  snapshot(): ServedRow[] {
    return this.newest(this.held).map((entry) => entry.row);
  }

  /** Writes the rows held as a CSV (header = feature order) for the drift engine; returns the row count. */
  async writeCsv(path: string): Promise<number> {
    const rows = this.snapshot();
    const lines = [this.columns.map(csvCell).join(',')];
    for (const row of rows) lines.push(this.columns.map((c) => csvCell(row[c] ?? null)).join(','));
    await writeFile(path, lines.join('\n') + '\n', { mode: 0o600 });
    return rows.length;
  }

  /** Ends the JSONL file (resolves once it is flushed). */
  close(): Promise<void> {
    if (this.unwritten) this.flush();
    const file = this.file;
    this.file = null;
    return new Promise((resolve) => (file ? file.end(() => resolve()) : resolve()));
  }
}

function sameColumns(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

const indexOf = new WeakMap<string[], Map<string, number>>();

/** Column name → position, kept per columns array (servedColumns returns one array per signature). */
function columnIndex(columns: string[]): Map<string, number> {
  let index = indexOf.get(columns);
  if (!index) {
    index = new Map(columns.map((name, i) => [name, i]));
    indexOf.set(columns, index);
  }
  return index;
}

function csvCell(value: ServedValue): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The shortest decimal that reads back as the same float32 (so 0.1f logs as 0.1, not 0.10000000149). */
function float32Text(v: number): number {
  if (!Number.isFinite(v) || Number.isInteger(v)) return v;
  for (let p = 1; p <= 9; p++) {
    const shorter = Number(v.toPrecision(p));
    if (Math.fround(shorter) === v) return shorter;
  }
  return v;
}

interface ColumnSource {
  name: string;
  tensor: PlainTensor;
  stride: number;
  offset: number;
}

/** How each feature is read from the tensors, and the row count; null when the inputs do not map back. */
function featureColumns(signature: Signature, inputs: PlainTensor[]): { rows: number; columns: ColumnSource[] } | null {
  const columns: ColumnSource[] = [];
  const rows = mapFeatures(signature, inputs, columns);
  return rows < 0 ? null : { rows, columns };
}

/**
 * The row count when the inputs map back to features, else -1; with `columns`, also how each feature is
 * read. Without it nothing is allocated: the request path only counts rows (one object per feature was
 * ~1.5 µs of every request).
 */
function mapFeatures(signature: Signature, inputs: PlainTensor[], columns?: ColumnSource[]): number {
  const bindings = signature.inputs;
  if (!bindings.length || bindings.some((b) => b.kind === 'image' || b.kind === 'raw')) return -1;
  let rows = -1;
  for (const binding of bindings) {
    const tensor = inputs.find((t) => t.name === binding.tensor);
    if (!tensor || tensor.dims.length === 0) return -1;
    const n = tensor.dims[0];
    let width = 1;
    for (let i = 1; i < tensor.dims.length; i++) width *= tensor.dims[i];
    if (rows !== -1 && n !== rows) return -1;
    rows = n;
    if (binding.kind === 'packed' ? width !== binding.features.length : width !== 1 || binding.features.length !== 1) return -1;
    if (columns) binding.features.forEach((name, j) => columns.push({ name, tensor, stride: width, offset: j }));
  }
  return rows;
}

/** Rows the inputs hold when they map back to features, else -1 (cheap: reads shapes, not values). */
export function mappedRowCount(signature: Signature, inputs: PlainTensor[]): number {
  return mapFeatures(signature, inputs);
}

/**
 * Input tensors → one record per row (from row `fromRow` on), keyed by feature name, or null when the
 * inputs cannot be mapped back (image/raw inputs, a missing tensor, shapes that do not match the signature).
 */
export function recordsFromTensors(signature: Signature, inputs: PlainTensor[], fromRow = 0): ServedRow[] | null {
  const mapped = featureColumns(signature, inputs);
  if (!mapped) return null;
  const out: ServedRow[] = [];
  for (let r = Math.max(0, fromRow); r < mapped.rows; r++) {
    const row: ServedRow = {};
    for (const c of mapped.columns) {
      const v = readScalar(c.tensor, r * c.stride + c.offset);
      row[c.name] = c.tensor.dtype === 'float32' && typeof v === 'number' ? float32Text(v) : v;
    }
    out.push(row);
  }
  return out;
}

const columnsOf = new WeakMap<Signature, string[]>();

/** Feature order for the log's CSV: the signature's features that are not images. */
export function servedColumns(signature: Signature): string[] {
  let columns = columnsOf.get(signature);
  if (!columns) {
    columns = signature.features.filter((f) => f.kind !== 'image').map((f) => f.name);
    columnsOf.set(signature, columns);
  }
  return columns;
}

/**
 * A ModelHost that logs the rows of every successful `infer` into `served`. Everything else is the
 * wrapped host's own behaviour. Logging never fails a request.
 */
export function recordingHost(host: ModelHost, served: ServedRows): ModelHost {
  return {
    current: () => host.current(),
    generation: () => host.generation(),
    batching: () => host.batching(),
    onEvent: (listener) => host.onEvent(listener),
    recentEvents: () => host.recentEvents(),
    close: () => host.close(),
    switchTo: host.switchTo ? (path, options) => host.switchTo!(path, options) : undefined,
    versions: host.versions ? () => host.versions!() : undefined,
    servedVersion: host.servedVersion ? () => host.servedVersion!() : undefined,
    async infer(inputs, outputNames) {
      const signature = host.current().signature;
      const outputs = await host.infer(inputs, outputNames);
      try {
        served.addTensors(signature, inputs);
      } catch {
        /* an unexpected tensor shape: the prediction stands, the row is just not logged */
      }
      return outputs;
    },
  };
}
