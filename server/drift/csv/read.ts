/**
 * Streams a CSV file once and returns the requested columns (see column.ts for what is kept).
 * Progress is reported and cancellation checked once per chunk (1 MiB), never per row.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferPool, ColumnAccumulator, type ColumnData } from './column';
import { parseNumberBytes } from './values';
import { CsvFormatError, CsvTokenizer, fieldText, type RowFields } from './tokenizer';
import { releaseFastRowsModule, takeFastRowsModule, type FastRowsBlock, type FastRowsModule, type FastRowsSink } from './fast-rows';
import { separatorName, sniffCsvFormat, type CsvFormat } from './format';
import { feedGzip } from './gzip-source';
import { uniqueHeader } from './header';
import { CancelledError } from '../../protocol/errors';
import { sortDecimals, type CountsScratch } from '../math/sort';
import { WASM_SORT_MAX } from '../math/wasm-sort';

export interface ReadCsvOptions {
  /** Only these columns (by header name); default all. Unknown names are an error. */
  columns?: string[];
  /** Columns to read as text whatever they look like (per-column type override or a re-read). */
  categorical?: Set<string>;
  signal?: AbortSignal;
  /** Called after each chunk with the data rows read so far and the bytes read / file size. */
  onProgress?: (rowsRead: number, bytesRead: number, bytesTotal: number) => void;
  /** Keep a uniform random sample of this many rows of the read columns (numbers, NaN if not numeric). */
  sampleRows?: number;
  /** Seed of the sampling PRNG, so a re-run picks the same rows. */
  seed?: number;
  /** Buffers to reuse for the value arrays (from the previous pass). */
  pool?: BufferPool;
  /** Expected data rows (an estimate): sizes the value buffers up front. */
  expectedRows?: number;
  /** Plain rows through the WebAssembly fast path (fast-rows.ts; default true). False: the tokenizer reads every row — same result. */
  fastRows?: boolean;
  /** Sort each numerical column's values once read (tests need them sorted; file order is not kept). */
  sort?: boolean;
  /**
   * Write these numerical columns' values to files in `dir` (`<header index>.f64`) instead of keeping
   * them: a later pass loads them from there rather than tokenizing the CSV again (spill.ts).
   */
  spill?: { dir: string; columns: string[] };
}

export interface CsvColumns {
  file: string;
  header: string[];
  rows: number;
  columns: Map<string, ColumnData>;
  /** Row-aligned sample (row-major, `sampleColumns.length` values per row), if asked for. */
  sample: { columns: string[]; rows: number; values: Float64Array } | null;
}

/** Reads `file`; throws CsvFormatError (file, line, column) on malformed input, never crashes on it. */
export async function readCsvColumns(file: string, options: ReadCsvOptions = {}): Promise<CsvColumns> {
  const size = (await stat(file)).size;
  const format = await sniffCsvFormat(file);
  const first = await readOnce(file, size, format, options);
  if (options.sort) sortColumns(first.result.columns.values(), options.pool);
  // A column that turned to text after numbers were stored lost the numbers' exact spelling
  // ("1.50" vs "1.5" are different categories to pandas): read those columns again, as text.
  const reread = [...first.accumulators.values()].filter((a) => a.needsTextReread).map((a) => a.data.name);
  if (reread.length === 0) return first.result;
  const again = await readOnce(file, size, format, {
    ...options,
    columns: reread,
    categorical: new Set([...(options.categorical ?? []), ...reread]),
  });
  for (const [name, data] of again.result.columns) first.result.columns.set(name, data);
  return first.result;
}

/** Bytes per read: progress and cancellation are checked this often. */
const CHUNK_BYTES = 1 << 20;

/**
 * Sorts the numerical columns in place. The sort's scratch (8 bytes per value) comes from `pool` and
 * goes back to it, so the passes over a big pair reuse one buffer: a fresh 80 MB one per pass cost
 * ~250 ms of page faults on 10M rows.
 */
export function sortColumns(columns: Iterable<ColumnData>, pool?: BufferPool): void {
  // Columns with a few distinct values (tracked while reading) are not sorted: their tests, quality and
  // histogram come from counting the values (pair.ts: countsOnly); a test that needs them sorted sorts them then.
  const numeric = [...columns].filter((d) => d.kind === 'numerical' && !d.sorted && !d.spill && d.distinct === null);
  if (numeric.length === 0) return;
  const longest = numeric.reduce((most, d) => Math.max(most, d.count), 0);
  // Columns the WebAssembly sort takes whole need no scratch (it has its own, in its memory).
  const scratch: CountsScratch = { counts: null, floats: longest > WASM_SORT_MAX ? pool?.take(longest) : undefined };
  for (const d of numeric) {
    sortDecimals(d.values.subarray(0, d.count), d.min, d.max, scratch);
    d.sorted = true;
  }
  if (pool && scratch.floats) pool.put(scratch.floats.buffer as ArrayBuffer);
}

async function readOnce(file: string, size: number, format: CsvFormat, options: ReadCsvOptions) {
  const fastModule = options.fastRows !== false ? takeFastRowsModule() : null;
  try {
    return await readWith(fastModule, file, size, format, options);
  } finally {
    releaseFastRowsModule(fastModule); // nothing read keeps a view of its memory
  }
}

async function readWith(fastModule: FastRowsModule | null, file: string, size: number, format: CsvFormat, options: ReadCsvOptions) {
  let header: string[] | null = null;
  let wanted: { index: number; acc: ColumnAccumulator }[] = [];
  const accumulators = new Map<string, ColumnAccumulator>();
  let rows = 0;
  let sampler: RowSampler | null = null;
  let sampleIndexes: number[] = [];
  let sampleColumns: string[] = [];
  // Plain rows come a block at a time from the fast path (fast-rows.ts), the same work as onRow below
  // for each of them. `numeric`: RowFields.numeric, which says which fields the block holds as numbers.
  let numeric: Uint8Array = new Uint8Array(0);
  const fastSink: FastRowsSink = {
    wanted: new Uint8Array(0),
    onRows(block) {
      sampler?.sampleBlock(block, rows, sampleIndexes, numeric);
      rows += block.rows;
      for (let w = 0; w < wanted.length; w++) wanted[w].acc.addBlock(block, wanted[w].index);
    },
    dictionaryOf: (field) => accumulatorOf[field]?.textDictionary() ?? null,
  };
  let accumulatorOf: (ColumnAccumulator | undefined)[] = [];
  const onRow = (row: RowFields) => {
    if (header === null) {
      const names: string[] = [];
      for (let i = 0; i < row.count; i++) names.push(fieldText(row, i).trim());
      header = uniqueHeader(names);
      const selected = options.columns ?? header;
      for (const name of selected) {
        const index = header.indexOf(name);
        if (index < 0) {
          throw new CsvFormatError(
            file,
            row.line,
            1,
            `no column named "${name}" in the header (columns: ${header.slice(0, 20).join(', ')}${header.length > 20 ? ', …' : ''})`,
          );
        }
        if (accumulators.has(name)) continue; // named twice: one accumulator per field
        const spillFile = options.spill?.columns.includes(name) ? join(options.spill.dir, `${index}.f64`) : undefined;
        const acc = new ColumnAccumulator(name, options.categorical?.has(name) ?? false, options.expectedRows, options.pool, spillFile);
        accumulators.set(name, acc);
        wanted.push({ index, acc });
        // The tokenizer reads this column's numbers as it finds the fields' ends (one scan).
        if (acc.data.kind === 'numerical') row.numeric[index] = 1;
      }
      wanted = wanted.sort((a, b) => a.index - b.index);
      numeric = row.numeric;
      fastSink.wanted = new Uint8Array(header.length);
      accumulatorOf = new Array<ColumnAccumulator | undefined>(header.length);
      for (const { index, acc } of wanted) {
        fastSink.wanted[index] = 1;
        accumulatorOf[index] = acc;
      }
      if (options.fastRows !== false) tokenizer.enableFastRows(fastSink, header.length, fastModule);
      sampleColumns = [...selected];
      sampleIndexes = sampleColumns.map((name) => header!.indexOf(name));
      if (options.sampleRows && sampleColumns.length) sampler = new RowSampler(options.sampleRows, sampleColumns.length, options.seed ?? 1);
      return;
    }
    if (row.count !== header.length) {
      const where = Math.min(row.count, header.length);
      throw new CsvFormatError(
        file,
        row.line,
        where + 1,
        `expected ${header.length} fields (as in the header) but found ${row.count}` +
          (row.count > header.length
            ? ` — an unquoted ${separatorName(format.separator)} inside a value? Quote that value.`
            : ' — a value or a separator is missing.'),
      );
    }
    rows++;
    if (sampler !== null) {
      const slot = sampler.slotFor(rows);
      if (slot >= 0) {
        for (let k = 0; k < sampleIndexes.length; k++) {
          const idx = sampleIndexes[k];
          sampler.values[slot * sampleIndexes.length + k] =
            idx < 0 || numeric[idx] !== 1 // a text column: NaN, as in RowSampler.sampleBlock
              ? NaN
              : row.parsed[idx] !== 0
                ? row.values[idx]
                : parseNumberBytes(row.buf, row.starts[idx], row.ends[idx]);
        }
      }
    }
    for (let w = 0; w < wanted.length; w++) {
      const entry = wanted[w];
      entry.acc.add(row, entry.index);
    }
  };
  const tokenizer = new CsvTokenizer(file, onRow, undefined, format.separator);
  if (format.gzip) {
    await feedGzip(file, (chunk) => tokenizer.push(chunk), {
      signal: options.signal,
      abortError,
      onBytes: (bytes) => options.onProgress?.(rows, bytes, size),
    });
    tokenizer.end();
    return finishRead(file, header, rows, accumulators, sampler, sampleColumns);
  }
  // Two buffers read into in turn (the tokenizer copies only a row cut by the chunk end; a stream would
  // allocate a new 1 MiB Buffer per chunk, garbage the GC then has to chase), the next chunk's read in
  // flight while this one is tokenized: a read is done by a libuv thread, and waiting for each one left
  // this thread idle ~5% of a big file's read.
  const handle = await open(file, 'r');
  // In the fast path's memory when it runs: its module then reads the rows where the file read put them.
  const chunks = fastModule?.inputChunks(CHUNK_BYTES) ?? [Buffer.allocUnsafe(CHUNK_BYTES), Buffer.allocUnsafe(CHUNK_BYTES)];
  let next = 0;
  let pending: Promise<{ bytesRead: number }> | null = handle.read(chunks[next], 0, CHUNK_BYTES, null);
  let bytes = 0;
  try {
    for (;;) {
      if (options.signal?.aborted) throw abortError(options.signal);
      const { bytesRead } = await pending;
      pending = null;
      if (bytesRead === 0) break;
      const chunk = chunks[next];
      next ^= 1;
      // One read in flight at a time, issued after the previous one ended: the file position advances in order.
      pending = handle.read(chunks[next], 0, CHUNK_BYTES, null);
      tokenizer.push(chunk.subarray(0, bytesRead));
      bytes += bytesRead;
      options.onProgress?.(rows, bytes, size);
    }
    tokenizer.end();
  } finally {
    // A read still in flight (the tokenizer threw, or the check was cancelled) ends before the file closes.
    await pending?.catch(() => undefined);
    await handle.close();
  }
  return finishRead(file, header, rows, accumulators, sampler, sampleColumns);
}

/** The columns and sample once every row was read (`header` null: there was not even a header). */
async function finishRead(
  file: string,
  header: string[] | null,
  rows: number,
  accumulators: Map<string, ColumnAccumulator>,
  sampler: RowSampler | null,
  sampleColumns: string[],
) {
  if (header === null) throw new CsvFormatError(file, 1, 1, 'the file is empty — a header row with column names is needed');
  const columns = new Map<string, ColumnData>();
  for (const [name, acc] of accumulators) columns.set(name, acc.finish());
  // Spilled values still being written (in the background) are on disk before anyone reads them.
  await Promise.all([...accumulators.values()].map((acc) => acc.spillSettled()));
  const sample = sampler
    ? { columns: sampleColumns, rows: sampler.filled, values: sampler.values.subarray(0, sampler.filled * sampleColumns.length) }
    : null;
  return { result: { file, header, rows, columns, sample }, accumulators };
}

/** The error a cancelled drift check ends with: the signal's own reason when it is an Error, else a CancelledError. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new CancelledError('drift check cancelled');
}

/**
 * Reservoir sampling (Algorithm R) over data rows, seeded so runs are reproducible: mulberry32(seed)'s
 * stream (math/random.ts), one draw per row once the reservoir is full.
 */
export class RowSampler {
  readonly values: Float64Array;
  filled = 0;
  /**
   * mulberry32's state as an int32 (the same bits): kept in a typed array because a closure's or a
   * field's uint32 above 2^30 is a heap-allocated number in V8 — one allocation per row on every row.
   */
  private readonly state = new Int32Array(1);
  constructor(
    private readonly size: number,
    width: number,
    seed: number,
  ) {
    this.values = new Float64Array(size * width);
    this.state[0] = seed;
  }

  /** The next number of mulberry32(seed), in [0, 1). */
  random(): number {
    const a = (this.state[0] = (this.state[0] + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** The slot row number `row` (1-based) goes into, or -1 when it is not sampled. */
  slotFor(row: number): number {
    if (this.filled < this.size) return this.filled++;
    const j = Math.floor(this.random() * row);
    return j < this.size ? j : -1;
  }

  /**
   * Samples the rows of a fast-path block, rows `before` + 1 … `before` + block.rows: the numbers of the
   * fields at `indexes` that `numeric` marks (a text column's cell is NaN: only columns numerical to the
   * end go into the MMD sample, index.ts's takeSamples, and one that is text here stays categorical).
   * A function of its own, a loop and nothing after it: V8 optimises it in the loop, and the code that
   * came after the loop in the caller (not yet run then) made that optimised code bail out every block.
   */
  sampleBlock(block: FastRowsBlock, before: number, indexes: number[], numeric: Uint8Array): void {
    const width = indexes.length;
    const values = this.values;
    for (let r = 0; r < block.rows; r++) {
      const slot = this.slotFor(before + r + 1);
      if (slot < 0) continue;
      for (let k = 0; k < width; k++) {
        const idx = indexes[k];
        values[slot * width + k] = idx >= 0 && numeric[idx] === 1 ? block.values[idx * block.stride + r] : NaN;
      }
    }
  }
}
