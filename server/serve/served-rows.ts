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

/**
 * A run of rows served by one request. Rows are decoded from the request's input tensors only when
 * someone looks (a drift job, the JSONL writer): formatting float32 values back into short decimals
 * costs more than the prediction itself, so it stays off the request path.
 */
interface Chunk {
  at: number;
  /** Rows of the chunk, of which the first `skip` fell out of the ring. */
  count: number;
  skip: number;
  rows?: ServedRow[];
  source?: { signature: Signature; inputs: PlainTensor[] };
}

export class ServedRows {
  readonly capacity: number;
  private readonly chunks: Chunk[] = [];
  /** Index of the oldest chunk still held (chunks before it are dropped in bulk, not shifted one by one). */
  private head = 0;
  private held = 0;
  private total = 0;
  private columns: string[] = [];
  private file: WriteStream | null = null;
  /** Chunks not yet appended to the JSONL file; written on the next turn of the event loop. */
  private unwritten: Chunk[] = [];
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
    this.columns = columns;
    this.push({ at: Date.now(), count: rows.length, skip: 0, rows });
  }

  /**
   * Adds the rows of a request's input tensors without decoding them yet (the hot path). Returns false,
   * logging nothing, when the tensors cannot be mapped back to features (images, raw inputs, odd shapes).
   */
  addTensors(signature: Signature, inputs: PlainTensor[]): boolean {
    const count = mappedRowCount(signature, inputs);
    if (count <= 0) return false;
    this.columns = servedColumns(signature);
    // A request larger than the ring keeps only its last rows: decode those now rather than hold the whole tensor.
    if (count > this.capacity) {
      const rows = recordsFromTensors(signature, inputs, count - this.capacity);
      if (rows) this.push({ at: Date.now(), count: rows.length, skip: 0, rows }, count);
      return rows !== null;
    }
    this.push({ at: Date.now(), count, skip: 0, source: { signature, inputs } });
    return true;
  }

  /** `served`: rows the request had, which a request larger than the ring has more of than the chunk. */
  private push(chunk: Chunk, served = chunk.count): void {
    this.total += served;
    if (chunk.count === 0) return;
    this.chunks.push(chunk);
    this.held += chunk.count;
    while (this.held > this.capacity) {
      const oldest = this.chunks[this.head];
      const live = oldest.count - oldest.skip;
      const drop = Math.min(live, this.held - this.capacity);
      oldest.skip += drop;
      this.held -= drop;
      if (oldest.skip === oldest.count) {
        this.chunks[this.head] = undefined as unknown as Chunk;
        this.head++;
      }
    }
    // Compact now and then, so the array of chunks does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks.splice(0, this.head);
      this.head = 0;
    }
    if (this.file) {
      this.unwritten.push(chunk);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    }
  }

  /** Appends the rows added since the last flush to the JSONL file (every row, even ones the ring dropped). */
  private flush(): void {
    this.flushScheduled = false;
    const chunks = this.unwritten;
    this.unwritten = [];
    if (!this.file) return;
    const lines: string[] = [];
    for (const chunk of chunks) {
      const at = new Date(chunk.at).toISOString();
      for (const row of rowsOf(chunk, 0)) lines.push(JSON.stringify({ at, row }));
    }
    if (lines.length) this.file.write(lines.join('\n') + '\n');
  }

  /** `{rows, capacity, since, total}`: rows held, when the oldest held row was served, rows ever served. */
  status(): { rows: number; capacity: number; since: string | null; total: number; columns: string[] } {
    const oldest = this.chunks[this.head];
    return {
      rows: this.held,
      capacity: this.capacity,
      total: this.total,
      columns: this.columns,
      since: this.held && oldest ? new Date(oldest.at).toISOString() : null,
    };
  }

  /** The rows held, oldest first. */
  snapshot(): ServedRow[] {
    const out: ServedRow[] = [];
    for (let i = this.head; i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      for (const row of rowsOf(chunk, chunk.skip)) out.push(row);
    }
    return out;
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
    if (this.unwritten.length) this.flush();
    const file = this.file;
    this.file = null;
    return new Promise((resolve) => (file ? file.end(() => resolve()) : resolve()));
  }
}

/** A chunk's rows from `from` on, decoded (once: the result is kept, and the tensors let go). */
function rowsOf(chunk: Chunk, from: number): ServedRow[] {
  if (!chunk.rows && chunk.source) {
    chunk.rows = recordsFromTensors(chunk.source.signature, chunk.source.inputs) ?? [];
    chunk.source = undefined;
  }
  const rows = chunk.rows ?? [];
  return from === 0 ? rows : rows.slice(from);
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
