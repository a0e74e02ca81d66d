/**
 * What the server saw: a bounded log of the feature rows it has served, for live drift checks
 * ("is today's traffic like the reference?").
 *
 * Every prediction route (OIP v2, v1, MLflow, CSV batch) ends in `ModelHost.infer` with tensors, so the
 * log is fed in one place: {@link recordingHost} wraps the host and, after a successful run, decodes the
 * input tensors back into records through the signature (the inverse of the codec's encodeRecords for
 * packed and per-column inputs). Image and raw inputs carry no named features and are not logged.
 *
 * Rows live in a ring buffer (default 10,000: the oldest fall out); with a JSONL file each row is also
 * appended there as `{"at": ISO time, "row": {...}}`.
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

export class ServedRows {
  readonly capacity: number;
  private readonly rows: (ServedRow | undefined)[];
  private readonly times: number[];
  private next = 0;
  private count = 0;
  private total = 0;
  private columns: string[] = [];
  private file: WriteStream | null = null;

  constructor(options: ServedRowsOptions = {}) {
    this.capacity = Math.max(1, Math.floor(options.capacity ?? DEFAULT_SERVED_CAPACITY));
    this.rows = new Array<ServedRow | undefined>(this.capacity);
    this.times = new Array<number>(this.capacity).fill(0);
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
    const now = Date.now();
    this.columns = columns;
    const lines: string[] = [];
    for (const row of rows) {
      this.rows[this.next] = row;
      this.times[this.next] = now;
      this.next = (this.next + 1) % this.capacity;
      this.count = Math.min(this.count + 1, this.capacity);
      this.total++;
      if (this.file) lines.push(JSON.stringify({ at: new Date(now).toISOString(), row }));
    }
    if (this.file && lines.length) this.file.write(lines.join('\n') + '\n');
  }

  /** `{rows, capacity, since, total}`: rows held, when the oldest held row was served, rows ever served. */
  status(): { rows: number; capacity: number; since: string | null; total: number; columns: string[] } {
    const oldest = this.count < this.capacity ? 0 : this.next;
    return {
      rows: this.count,
      capacity: this.capacity,
      total: this.total,
      columns: this.columns,
      since: this.count ? new Date(this.times[oldest]).toISOString() : null,
    };
  }

  /** The rows held, oldest first. */
  snapshot(): ServedRow[] {
    const start = this.count < this.capacity ? 0 : this.next;
    const out: ServedRow[] = [];
    for (let i = 0; i < this.count; i++) out.push(this.rows[(start + i) % this.capacity]!);
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
    const file = this.file;
    this.file = null;
    return new Promise((resolve) => (file ? file.end(() => resolve()) : resolve()));
  }
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

/**
 * Input tensors → one record per row, keyed by feature name, or null when the inputs cannot be mapped
 * back (image/raw inputs, a missing tensor, shapes that do not match the signature).
 */
export function recordsFromTensors(signature: Signature, inputs: PlainTensor[]): ServedRow[] | null {
  const bindings = signature.inputs;
  if (!bindings.length || bindings.some((b) => b.kind === 'image' || b.kind === 'raw')) return null;
  let rows = -1;
  const columns: { name: string; tensor: PlainTensor; stride: number; offset: number }[] = [];
  for (const binding of bindings) {
    const tensor = inputs.find((t) => t.name === binding.tensor);
    if (!tensor || tensor.dims.length === 0) return null;
    const n = tensor.dims[0];
    const width = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
    if (rows !== -1 && n !== rows) return null;
    rows = n;
    if (binding.kind === 'packed' ? width !== binding.features.length : width !== 1 || binding.features.length !== 1) return null;
    binding.features.forEach((name, j) => columns.push({ name, tensor, stride: width, offset: j }));
  }
  const out: ServedRow[] = [];
  for (let r = 0; r < rows; r++) {
    const row: ServedRow = {};
    for (const c of columns) {
      const v = readScalar(c.tensor, r * c.stride + c.offset);
      row[c.name] = c.tensor.dtype === 'float32' && typeof v === 'number' ? float32Text(v) : v;
    }
    out.push(row);
  }
  return out;
}

/** Feature order for the log's CSV: the signature's features that are not images. */
export function servedColumns(signature: Signature): string[] {
  return signature.features.filter((f) => f.kind !== 'image').map((f) => f.name);
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
        const rows = recordsFromTensors(signature, inputs);
        if (rows) served.add(rows, servedColumns(signature));
      } catch {
        /* an unexpected tensor shape: the prediction stands, the row is just not logged */
      }
      return outputs;
    },
  };
}
