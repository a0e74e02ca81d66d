/**
 * A streaming CSV tokenizer over raw bytes (RFC 4180: `,` separator — or another one byte, format.ts
 * tells which —, `"` quoting with `""` escapes, `\n` or `\r\n` rows, UTF-8 BOM skipped, blank lines
 * skipped like pandas).
 *
 * Why hand-written rather than csv-parse: drift checks read tens of millions of rows, and csv-parse
 * builds a JS string per field and an array per row (measured ~10× slower on the 10M-row benchmark
 * and dominated by GC). Here a row is a set of byte offsets into the chunk; the column store parses
 * numbers straight from the bytes and only makes strings for categorical values.
 */

import { EXIT_USER_ERROR, ModelLabError } from '../../protocol/errors';
import { createFastRows, type FastRows, type FastRowsModule, type FastRowsSink } from './fast-rows';
import { INTEGER_LITERAL, NOT_A_NUMBER, scanEnd, scanNumberInto } from './values';

export const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** Rows read here after one the fast path could not take, before it is tried again. */
const FAST_PAUSE_ROWS = 32;
/**
 * The longest row kept waiting for its end. A row is carried from chunk to chunk until its line ends; a
 * file with no line end for gigabytes (binary data, or a gzip file that inflates to one endless line)
 * would otherwise grow that carry until the process runs out of memory.
 */
export const MAX_ROW_BYTES = 64 << 20;

/** Byte ranges of the fields of one row, valid only during the `onRow` call. */
export interface RowFields {
  buf: Buffer;
  /** Field i spans buf[starts[i], ends[i]) — quotes excluded. */
  starts: Int32Array;
  ends: Int32Array;
  /** 1 when field i was quoted and contains `""` escapes that must be unescaped. */
  escaped: Uint8Array;
  count: number;
  /** 1-based line number where the row starts. */
  line: number;
  /**
   * Set by the consumer: 1 for the fields of columns expected to hold numbers. The tokenizer then reads
   * such an unquoted field as a number while it looks for the field's end (one scan of the bytes, not two).
   */
  numeric: Uint8Array;
  /** Field i was read as a number (numeric fields only): 0 no, 1 yes, 2 yes and written as an integer (no `.`, no exponent). */
  parsed: Uint8Array;
  /** The number of field i when `parsed[i]` is not 0. */
  values: Float64Array;
}

/** A malformed-CSV error that says where: file, line, column (character position) and what to do (400 / exit 1). */
export class CsvFormatError extends ModelLabError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
    exitCode: number = EXIT_USER_ERROR,
  ) {
    super(`${file}, line ${line}, column ${column}: ${detail}`, { status: 400, exitCode });
  }
}

/**
 * Incremental tokenizer: feed chunks with `push`, then call `end`. Rows are delivered whole, so a
 * row cut by a chunk boundary waits for the next chunk (its bytes are carried over).
 */
export class CsvTokenizer {
  private carry: Buffer | null = null;
  private bomProbe: Buffer | null = null;
  private line = 1;
  private first = true;
  private readonly row: RowFields;

  private fast: FastRows | null = null;
  private fastSink: FastRowsSink | null = null;

  /** Bytes above this are never the separator or a line end (one comparison for most bytes of a field). */
  private readonly high: number;

  constructor(
    private readonly file: string,
    private readonly onRow: (row: RowFields) => void,
    maxFields = 4096,
    private readonly separator = COMMA,
  ) {
    this.high = Math.max(separator, CR);
    this.row = {
      buf: Buffer.alloc(0),
      starts: new Int32Array(maxFields),
      ends: new Int32Array(maxFields),
      escaped: new Uint8Array(maxFields),
      count: 0,
      line: 1,
      numeric: new Uint8Array(maxFields),
      parsed: new Uint8Array(maxFields),
      values: new Float64Array(maxFields),
    };
  }

  /**
   * From now on plain rows of `fields` fields go to `sink` a block at a time (fast-rows.ts) instead of one
   * `onRow` call each; the others still come to `onRow`. Callable from `onRow` (e.g. once the header is read).
   * Does nothing when the fast path cannot run here.
   */
  /** `module`: the instance whose memory the reader reads the file into (fast-rows.ts: inputChunks), if any. */
  enableFastRows(sink: FastRowsSink, fields: number, module?: FastRowsModule | null): void {
    this.fast = module ? module.forFields(fields, this.separator) : createFastRows(fields, this.separator);
    this.fastSink = this.fast ? sink : null;
  }

  push(chunk: Buffer): void {
    if (this.first) {
      // The UTF-8 BOM may itself be cut by a chunk boundary: hold a short first piece that could be one.
      if (this.bomProbe) {
        chunk = Buffer.concat([this.bomProbe, chunk]);
        this.bomProbe = null;
      }
      if (chunk.length < 3 && BOM.subarray(0, chunk.length).equals(chunk)) {
        this.bomProbe = Buffer.from(chunk);
        return;
      }
      this.first = false;
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    if (this.carry) {
      // Finish the row cut by the previous chunk boundary by joining the carry with just enough of
      // this chunk (up to a newline), not the whole chunk: copying every 1 MiB chunk was measurable
      // garbage on multi-GB files. A newline inside a quoted field needs a longer piece; after a few
      // tries the whole chunk is joined.
      let end = chunk.indexOf(LF);
      for (let attempt = 0; end >= 0 && attempt < 4; attempt++) {
        const joined = Buffer.concat([this.carry, chunk.subarray(0, end + 1)]);
        if (this.parse(joined, false) === joined.length) {
          this.carry = null;
          chunk = chunk.subarray(end + 1);
          break;
        }
        end = chunk.indexOf(LF, end + 1);
      }
      if (this.carry) {
        chunk = Buffer.concat([this.carry, chunk]);
        this.carry = null;
      }
    }
    const consumed = this.parse(chunk, false);
    if (chunk.length - consumed > MAX_ROW_BYTES) {
      throw new CsvFormatError(
        this.file,
        this.line,
        1,
        `a row longer than ${MAX_ROW_BYTES >> 20} MiB (no line end) — is this a CSV file? Rows end with a line break`,
      );
    }
    this.carry = consumed < chunk.length ? Buffer.from(chunk.subarray(consumed)) : null;
  }

  end(): void {
    if (this.bomProbe) {
      // A file of one or two bytes that began like a BOM: they are data after all.
      const piece = this.bomProbe;
      this.bomProbe = null;
      this.first = false;
      this.push(piece);
    }
    if (this.carry) this.parse(this.carry, true);
    this.carry = null;
  }

  /** Parses whole rows; returns how many bytes were consumed (the rest is an incomplete row). */
  private parse(buf: Buffer, final: boolean): number {
    const row = this.row;
    row.buf = buf;
    const len = buf.length;
    const starts = row.starts;
    const ends = row.ends;
    const escaped = row.escaped;
    const numeric = row.numeric;
    const parsed = row.parsed;
    const values = row.values;
    const maxFields = starts.length;
    const sep = this.separator;
    const high = this.high;
    this.fast?.reset();
    let fastPause = 0;
    let i = 0;
    while (i < len) {
      // Plain rows go to the WebAssembly fast path (fast-rows.ts) when the consumer asked for it; the row it
      // stops at is read below, and after one it could not take the next few rows are read here too (a file
      // whose rows are mostly not plain then costs few futile calls).
      const fast = this.fast;
      if (fast !== null) {
        if (fastPause === 0) {
          const read = fast.read(buf, i, numeric, this.fastSink!);
          if (read > 0) {
            this.line += read;
            i = fast.stop;
            continue;
          }
          // A row with a text cell the fast path's cache does not hold yet: read just it here (which adds
          // the spelling to the column's dictionary, and so to the cache on the next call).
          fastPause = fast.missed ? 0 : FAST_PAUSE_ROWS;
        } else fastPause--;
      }
      const rowStart = i;
      const rowLine = this.line;
      let linesInRow = 0;
      // Blank line: skip (pandas skip_blank_lines).
      if (buf[i] === LF) {
        i++;
        this.line++;
        continue;
      }
      if (buf[i] === CR && i + 1 < len && buf[i + 1] === LF) {
        i += 2;
        this.line++;
        continue;
      }
      let count = 0;
      let complete = false;
      for (;;) {
        if (count >= maxFields) throw new CsvFormatError(this.file, rowLine, 1, `more than ${maxFields} fields in a row`);
        let c = i < len ? buf[i] : -1;
        if (c === QUOTE) {
          const fieldStart = i + 1;
          let j = fieldStart;
          let hasEscape = 0;
          let closed = false;
          while (j < len) {
            const b = buf[j];
            if (b === QUOTE) {
              if (j + 1 < len && buf[j + 1] === QUOTE) {
                hasEscape = 1;
                j += 2;
                continue;
              }
              if (j + 1 >= len && !final) break; // might be the first half of `""` — wait for more
              closed = true;
              break;
            }
            if (b === LF) linesInRow++;
            j++;
          }
          if (!closed) {
            if (!final) return rowStart;
            throw new CsvFormatError(
              this.file,
              rowLine,
              fieldStart - lineStartOf(buf, rowStart, fieldStart),
              'a quoted field starts here and is never closed — add the closing `"` (write `""` for a quote inside a field)',
            );
          }
          starts[count] = fieldStart;
          ends[count] = j;
          escaped[count] = hasEscape;
          parsed[count] = 0;
          count++;
          i = j + 1;
          c = i < len ? buf[i] : -1;
          if (c === sep) {
            i++;
            continue;
          }
          if (c === LF) {
            i++;
            complete = true;
            break;
          }
          if (c === CR && i + 1 < len && buf[i + 1] === LF) {
            i += 2;
            complete = true;
            break;
          }
          if (c === -1 || (c === CR && i + 1 >= len)) {
            if (!final) return rowStart;
            if (c === CR) i++;
            complete = true;
            break;
          }
          throw new CsvFormatError(
            this.file,
            rowLine + linesInRow,
            i + 1 - lineStartOf(buf, rowStart, i),
            `unexpected character after a closing quote — quote the whole field and write an inner quote as ""`,
          );
        }
        // Unquoted field: runs to the next separator or line end.
        const fieldStart = i;
        let number = 0;
        if (numeric[count] === 1) {
          // A number column: read the number, and take it when a separator or the line end follows it
          // (else the field is scanned below as any other and its owner decides what it is).
          const kind = scanNumberInto(buf, i, len, values, count);
          const e = scanEnd;
          if (kind !== NOT_A_NUMBER && e < len) {
            const d = buf[e];
            if (d === sep || d === LF || (d === CR && e + 1 < len && buf[e + 1] === LF)) {
              number = kind === INTEGER_LITERAL ? 2 : 1;
              i = e;
            }
          }
        }
        while (i < len) {
          c = buf[i];
          // With `,` (0x2c) digits, letters, '.', '-' are all above it: one comparison for most bytes.
          if (c > high) {
            i++;
            continue;
          }
          if (c === sep || c === LF) break;
          if (c === CR && (i + 1 >= len || buf[i + 1] === LF)) break;
          i++;
        }
        if (i >= len) {
          if (!final) return rowStart;
          starts[count] = fieldStart;
          ends[count] = i;
          escaped[count] = 0;
          parsed[count] = 0;
          count++;
          complete = true;
          break;
        }
        starts[count] = fieldStart;
        ends[count] = i;
        escaped[count] = 0;
        parsed[count] = number;
        count++;
        if (c === sep) {
          i++;
          continue;
        }
        if (c === LF) {
          i++;
          complete = true;
          break;
        }
        // CR: either CRLF, or a CR at the very end of the buffer.
        if (i + 1 < len) {
          i += 2;
          complete = true;
          break;
        }
        if (!final) return rowStart;
        i++;
        complete = true;
        break;
      }
      if (complete) {
        row.count = count;
        row.line = rowLine;
        this.line += 1 + linesInRow;
        this.onRow(row);
      }
    }
    return len;
  }
}

/** Index of the first byte of the physical line containing `at` (for 1-based column numbers). */
function lineStartOf(buf: Buffer, rowStart: number, at: number): number {
  let k = at - 1;
  while (k >= rowStart && buf[k] !== LF) k--;
  return k + 1;
}

/** Text of field i (unquoted, `""` unescaped). */
export function fieldText(row: RowFields, i: number): string {
  const text = row.buf.toString('utf8', row.starts[i], row.ends[i]);
  return row.escaped[i] ? text.replaceAll('""', '"') : text;
}
