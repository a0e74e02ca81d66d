/**
 * The drift CSV reader's fast path: plain rows read by a small WebAssembly module (fast-rows.c — read
 * its header for exactly which rows it takes and why its numbers are the tokenizer's, bit for bit).
 * The tokenizer (tokenizer.ts) hands it the bytes at each row start; it reads rows until one is not
 * plain, and the tokenizer reads that one itself. What it read goes to the consumer a block of rows at a
 * time — numbers as doubles, text fields as byte ranges — instead of one callback per row. A text
 * column's cells whose spelling the reader has counted before are counted by the module itself, in a
 * cache of the column's dictionary (FastRowsSink.dictionaryOf): a categorical column then costs no
 * JavaScript per cell (~8 ms per 200k-row column of a cold process, where code had not warmed up yet).
 *
 * Why: on pandas-written files (17-digit floats) reading numbers byte by byte in JavaScript was most of
 * a drift check's time (10M × 20 columns: ~13 s of ~20 s per file); integer arithmetic on 64 bits and
 * no per-row call are what JavaScript lacks here.
 */
import type { ByteDictionary } from './dictionary';
import { FAST_ROWS_WASM } from './fast-rows-wasm';

/** The separator unless the file says otherwise (format.ts). */
const COMMA = 0x2c;

/**
 * Rows the fast path read, column by column: field f of row r is at f · stride + r in each array (views,
 * valid during the call), so a column's numbers are one contiguous run.
 */
export interface FastRowsBlock {
  buf: Buffer;
  rows: number;
  fields: number;
  stride: number;
  /** Numeric columns: the number. */
  values: Float64Array;
  /**
   * Numeric columns: 2 written as an integer, 1 otherwise, 0 missing (empty or an NA string; the value is NaN).
   * Text columns: 1 when the field was quoted and holds `""` escapes, else 0.
   */
  kinds: Uint8Array;
  /**
   * Text columns: the field is buf[starts[i], ends[i]) (quotes excluded) — unless the column's mask is
   * CACHED_TEXT: its cells were counted in the dictionary cache, and are in the column's ByteDictionary
   * already (FastRowsSink.dictionaryOf).
   */
  starts: Int32Array;
  ends: Int32Array;
  /**
   * Per numeric column f, over this block's rows: the smallest and largest present value (±Infinity when
   * none), how many were missing, and 1 when some cell was not an integer literal (missing ones included).
   */
  min: Float64Array;
  max: Float64Array;
  missing: Int32Array;
  notInteger: Uint8Array;
  /** Per field, what the module did with it (see FastRows.setMask): CACHED_TEXT for a text column counted in the cache. */
  mask: Uint8Array;
  /**
   * Moves numeric column f's present values to the front of its run (values[f · stride …]), in order, and
   * returns how many there are. Changes `values` and leaves row f · stride + r no longer row r's: only for
   * the column's own consumer, once the block's rows were sampled.
   */
  compact(field: number): number;
}

/** A block's mask value for a text column whose cells the module counted itself (FastRowsBlock.starts). */
export const CACHED_TEXT = 3;

/** What the consumer tells the fast path: which columns it reads as text (numbers: RowFields.numeric), and where rows go. */
export interface FastRowsSink {
  /** 1 for the fields the consumer reads at all (the others are only skipped). */
  wanted: Uint8Array;
  onRows(block: FastRowsBlock): void;
  /**
   * The dictionary a text column's cells are counted in, or null (not a text column, or not counted by
   * bytes). When given, the fast path keeps the spellings it holds in the module's own cache and counts
   * cells with those spellings itself, adding the counts to it (ByteDictionary.addCount); a cell with a
   * new spelling is left to the tokenizer, whose row adds it. Without it, every text cell comes back as a
   * byte range in the block.
   */
  dictionaryOf?(field: number): ByteDictionary | null;
}

interface Exports {
  memory: WebAssembly.Memory;
  stop(): number;
  rows(
    input: number,
    start: number,
    len: number,
    mask: number,
    fields: number,
    maxRows: number,
    values: number,
    kinds: number,
    starts: number,
    ends: number,
    colMin: number,
    colMax: number,
    colMissing: number,
    colNotInteger: number,
    separator: number,
  ): number;
  dict_reset(): void;
  dict_stage(): number;
  dict_counts(): number;
  dict_insert(field: number, len: number, escaped: number): number;
  dict_miss(): number;
  heap_base(): number;
  compact(values: number, kinds: number, n: number): number;
}

const MiB = 1 << 20;
/**
 * Where the buffers sit in the module's 32 MiB memory (the first MiB holds its own data and stack).
 * CHUNKS: the reader's two file chunks, read straight into the module's memory (inputChunks) so that
 * the bytes are not copied in again; COPY: any other buffer the tokenizer hands over (a row joined across
 * two chunks), copied in first.
 */
const CHUNKS = 1 * MiB;
const CHUNKS_BYTES = 2 * MiB;
const COPY = 3 * MiB;
const COPY_BYTES = 6 * MiB;
const MASK = 9 * MiB;
const MAX_FIELDS = 4096;
const VALUES = 10 * MiB;
const KINDS = 18 * MiB;
const STARTS = 19 * MiB;
const ENDS = 23 * MiB;
/** Per column of a block (MAX_FIELDS each): min, max (doubles), missing (int32), not-integer flags. */
const COL_MIN = 27 * MiB;
const COL_MAX = COL_MIN + MAX_FIELDS * 8;
const COL_MISSING = COL_MAX + MAX_FIELDS * 8;
const COL_NOT_INTEGER = COL_MISSING + MAX_FIELDS * 4;
/** Cells (rows × fields) per call: what KINDS, STARTS and ENDS hold (VALUES holds as many doubles). */
const CELLS = MiB;
/** The module's dictionary cache (fast-rows.c): entries in all, and the bytes a spelling may be staged in. */
const CACHE_ENTRIES = 4096;
/**
 * A column whose distinct spellings pass this many stops being cached (its cells come back as byte
 * ranges again): each new spelling costs a row read by the tokenizer, and a column of ids or free text
 * would have one for every row.
 */
const CACHE_COLUMN_ENTRIES = 512;
/** A spelling longer than this is not cached (free text, not a category); the column stops being cached. */
const CACHE_SPELLING_BYTES = 256;
const CACHING = 1;
const NOT_CACHED = 2;

let compiled: WebAssembly.Module | null = null;

/**
 * Rows the fast path has read in this thread, bytes it had to copy into its memory first, and text cells
 * it counted in its dictionary cache (tests check them).
 */
export const fastRowsStats = { rows: 0, copiedBytes: 0, cachedCells: 0 };

/** The fast path for rows of `fields` fields, or null when it cannot run (too many fields, no WebAssembly). */
export function createFastRows(fields: number, separator = COMMA): FastRows | null {
  return createFastRowsModule()?.forFields(fields, separator) ?? null;
}

/**
 * A module instance not yet told the rows' width (the reader makes it before the header is read, to read
 * the file into its memory: inputChunks), or null when WebAssembly cannot run.
 */
export function createFastRowsModule(): FastRowsModule | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    compiled ??= new WebAssembly.Module(Buffer.from(FAST_ROWS_WASM, 'base64'));
    const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as Exports;
    // Its own data and stack must end below the buffers laid out here (fast-rows.test.ts checks it too).
    if (exports.heap_base() > CHUNKS) return null;
    return new FastRowsModule(exports);
  } catch {
    return null;
  }
}

/** Instances whose read ended, on this thread (their memory is paged in already: see takeFastRowsModule). */
const idle: FastRowsModule[] = [];

/**
 * An instance for one read: an idle one of an earlier read on this thread when there is one, else a new
 * one. A new instance's 32 MiB memory is new pages the read then writes (its file chunks and blocks:
 * ~1,000 page faults, ~13 µs each on the machines measured) and external memory the GC is pressed by;
 * a server running drift jobs, or a pass reading after another, reuses one instead. Two reads at once
 * on one thread (two jobs) take two instances. Give it back with `releaseFastRowsModule` when the read
 * is over.
 */
export function takeFastRowsModule(): FastRowsModule | null {
  return idle.pop() ?? createFastRowsModule();
}

export function releaseFastRowsModule(module: FastRowsModule | null): void {
  if (module && idle.length < 2) idle.push(module);
}

export class FastRowsModule {
  constructor(readonly wasm: Exports) {}

  /**
   * Two buffers of `bytes` each in the module's memory for the reader's file chunks (null when they do
   * not fit): the fast path then reads the bytes where the file read put them. The memory never grows,
   * so the views stay valid.
   */
  inputChunks(bytes: number): [Buffer, Buffer] | null {
    if (2 * bytes > CHUNKS_BYTES) return null;
    const memory = this.wasm.memory.buffer;
    return [Buffer.from(memory, CHUNKS, bytes), Buffer.from(memory, CHUNKS + bytes, bytes)];
  }

  /** The fast path for rows of `fields` fields split by `separator` on this instance, or null when there are too many. */
  forFields(fields: number, separator = COMMA): FastRows | null {
    return fields >= 1 && fields <= MAX_FIELDS ? new FastRows(this.wasm, fields, separator) : null;
  }
}

export class FastRows {
  private readonly heap: Uint8Array;
  private readonly mask: Uint8Array;
  private readonly block: FastRowsBlock;
  private readonly maxRows: number;
  /** The buffer whose bytes are at `input` in the module's memory (copied there once per tokenizer parse call, unless already there). */
  private copied: Buffer | null = null;
  private input = COPY;
  /** Where the last `read` stopped. */
  stop = 0;
  /** The last `read` stopped at a row with a text cell not in the cache yet: the tokenizer reads just that row. */
  missed = false;
  /** Per field: 0 not cached (yet), CACHING, NOT_CACHED (given up); and how many of its dictionary's entries the cache holds. */
  private readonly cacheState: Uint8Array;
  private readonly cacheSynced: Int32Array;
  /** Per cache entry: whose dictionary, and which of its entries. */
  private readonly entryDictionary: ByteDictionary[] = [];
  private readonly entryId: number[] = [];
  private readonly cacheCounts: Float64Array;
  private readonly stage: number;
  /** Fields the mask has as CACHED_TEXT. */
  private cachedFields = 0;

  constructor(
    private readonly wasm: Exports,
    private readonly fields: number,
    private readonly separator: number,
  ) {
    const memory = wasm.memory.buffer;
    this.heap = new Uint8Array(memory);
    this.mask = new Uint8Array(memory, MASK, fields);
    this.maxRows = Math.floor(CELLS / fields);
    wasm.dict_reset(); // a module reused from an earlier read (takeFastRowsModule) holds its spellings
    this.cacheState = new Uint8Array(fields);
    this.cacheSynced = new Int32Array(fields);
    this.cacheCounts = new Float64Array(memory, wasm.dict_counts(), CACHE_ENTRIES);
    this.stage = wasm.dict_stage();
    this.block = {
      buf: Buffer.alloc(0),
      rows: 0,
      fields,
      stride: this.maxRows,
      values: new Float64Array(memory, VALUES, CELLS),
      kinds: new Uint8Array(memory, KINDS, CELLS),
      starts: new Int32Array(memory, STARTS, CELLS),
      ends: new Int32Array(memory, ENDS, CELLS),
      min: new Float64Array(memory, COL_MIN, fields),
      max: new Float64Array(memory, COL_MAX, fields),
      missing: new Int32Array(memory, COL_MISSING, fields),
      notInteger: new Uint8Array(memory, COL_NOT_INTEGER, fields),
      mask: this.mask,
      compact: (field) => wasm.compact(VALUES + field * this.maxRows * 8, KINDS + field * this.maxRows, this.block.rows),
    };
  }

  /** Forget the copied bytes: the tokenizer calls this when it starts on a new buffer. */
  reset(): void {
    this.copied = null;
  }

  /**
   * Reads plain rows of buf from `start` and gives them to `sink`; returns how many (0: the row at
   * `start` is for the tokenizer). `numeric`: RowFields.numeric (1 = read this field as a number).
   */
  read(buf: Buffer, start: number, numeric: Uint8Array, sink: FastRowsSink): number {
    const len = buf.length;
    if (this.copied !== buf) {
      if (buf.buffer === this.heap.buffer) {
        this.input = buf.byteOffset; // a chunk the reader read into this memory (inputChunks)
      } else {
        if (len > COPY_BYTES) {
          this.missed = false; // not a cache miss: the tokenizer reads on as after any row the module cannot take
          return 0;
        }
        this.heap.set(buf, COPY);
        this.input = COPY;
        fastRowsStats.copiedBytes += len;
      }
      this.copied = buf;
    }
    if (sink.dictionaryOf) this.syncCache(numeric, sink);
    this.setMask(numeric, sink.wanted);
    let total = 0;
    let at = start;
    for (;;) {
      const rows = this.wasm.rows(
        this.input,
        at,
        len,
        MASK,
        this.fields,
        this.maxRows,
        VALUES,
        KINDS,
        STARTS,
        ENDS,
        COL_MIN,
        COL_MAX,
        COL_MISSING,
        COL_NOT_INTEGER,
        this.separator,
      );
      const stop = this.wasm.stop();
      if (rows > 0) {
        if (this.entryId.length > 0) this.takeCounts();
        const block = this.block;
        block.buf = buf;
        block.rows = rows;
        sink.onRows(block);
        total += rows;
        fastRowsStats.rows += rows;
        fastRowsStats.cachedCells += rows * this.cachedFields;
      }
      at = stop;
      // Stopped because the output was full: go on; else a row the tokenizer must read (or the end). The
      // mask stays right meanwhile: only a row the tokenizer reads can turn a column to text.
      if (rows < this.maxRows) break;
    }
    this.stop = at;
    this.missed = this.wasm.dict_miss() === 1;
    return total;
  }

  /**
   * Per field, what the module does with it: 1 read a number, 2 note the text's range, CACHED_TEXT count
   * the text in the cache, 0 skip.
   */
  private setMask(numeric: Uint8Array, wanted: Uint8Array): void {
    const mask = this.mask;
    const cache = this.cacheState;
    let cached = 0;
    for (let f = 0; f < this.fields; f++) {
      mask[f] = numeric[f] === 1 ? 1 : wanted[f] !== 1 ? 0 : cache[f] === CACHING ? CACHED_TEXT : 2;
      if (mask[f] === CACHED_TEXT) cached++;
    }
    this.cachedFields = cached;
  }

  /**
   * Puts the spellings the text columns' dictionaries gained since the last call (rows the tokenizer
   * read) in the module's cache. A column that outgrows it (too many spellings, a long one, the cache
   * full) is not cached from then on; what was counted for it so far is in its dictionary already.
   */
  private syncCache(numeric: Uint8Array, sink: FastRowsSink): void {
    const wanted = sink.wanted;
    for (let f = 0; f < this.fields; f++) {
      if (wanted[f] !== 1 || numeric[f] === 1 || this.cacheState[f] === NOT_CACHED) continue;
      const dictionary = sink.dictionaryOf!(f);
      if (dictionary === null) continue;
      const size = dictionary.size;
      let id = this.cacheSynced[f];
      let state = CACHING;
      for (; id < size; id++) {
        const bytes = dictionary.entryBytes(id);
        if (id >= CACHE_COLUMN_ENTRIES || bytes.length > CACHE_SPELLING_BYTES) {
          state = NOT_CACHED;
          break;
        }
        this.heap.set(bytes, this.stage);
        const entry = this.wasm.dict_insert(f, bytes.length, dictionary.entryEscaped(id));
        if (entry < 0) {
          state = NOT_CACHED;
          break;
        }
        this.entryDictionary[entry] = dictionary;
        this.entryId[entry] = id;
      }
      this.cacheSynced[f] = id;
      this.cacheState[f] = state;
    }
  }

  /** Moves the module's counts of the block just read to the dictionaries (and zeroes them for the next one). */
  private takeCounts(): void {
    const counts = this.cacheCounts;
    for (let entry = 0; entry < this.entryId.length; entry++) {
      const n = counts[entry];
      if (n === 0) continue;
      this.entryDictionary[entry].addCount(this.entryId[entry], n);
      counts[entry] = 0;
    }
  }
}
