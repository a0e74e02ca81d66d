/**
 * What kind of delimited text a data file is, read from its first bytes: the separator (pandas writes
 * `,`; files from spreadsheets in many locales use `;`, `.tsv` files a tab, some exports `|`) and whether
 * it is gzip-compressed (pandas' `to_csv("x.csv.gz")` — read_csv infers that from the name; here the
 * bytes say it, whatever the name). Other compressions, zip files such as Excel workbooks and UTF-16
 * text are refused in words: the CSV reader would only see binary noise and report a bad row.
 */
import { open } from 'node:fs/promises';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { separatorOf } from '../../model/csv-separator';
import { CsvFormatError } from './tokenizer';

export { separatorName, separatorOf } from '../../model/csv-separator';

export interface CsvFormat {
  /** The byte between fields. */
  separator: number;
  /** The file is gzip data: read it through zlib (source.ts). */
  gzip: boolean;
  /** Uncompressed bytes per file byte, measured on the file's start (1 when not compressed): sizes the row estimate. */
  expansion: number;
  /** The start of the (uncompressed) text, at most HEAD_BYTES of the file. */
  head: Buffer;
}

/** How much of a file is read to tell its format (and, in plan.ts, its mean line length). */
export const HEAD_BYTES = 1 << 16;
/** The most the head may inflate to: 64 KiB of gzip that expands beyond this is not a CSV anyone wrote. */
const MAX_HEAD_TEXT = 16 << 20;

const UTF8_ADVICE = 'save it as "CSV UTF-8" (or re-encode it as UTF-8) first';

/** Compressed and archive formats read_csv users meet, by their first bytes. */
/** `null`: any byte. Long enough that no CSV header starts so (`BZh…` or `PAR1…` could be column names). */
const REFUSED: { magic: (number | null)[]; what: string; advice?: string }[] = [
  { magic: [0x42, 0x5a, 0x68, null, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], what: 'bzip2-compressed' },
  { magic: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz-compressed' },
  { magic: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd-compressed' },
  { magic: [0x50, 0x4b, 0x03, 0x04], what: 'a zip archive (an Excel workbook is one)' },
  { magic: [0x50, 0x41, 0x52, 0x31, 0x15], what: 'a Parquet file (name it .parquet)' },
  // Excel's "Unicode Text" export: UTF-16 with a byte-order mark (tab-separated).
  { magic: [0xff, 0xfe], what: 'UTF-16 text (as Excel\'s "Unicode Text" saves it)', advice: UTF8_ADVICE },
  { magic: [0xfe, 0xff], what: 'UTF-16 text', advice: UTF8_ADVICE },
];

/** Reads the first bytes of `file` and tells its format; throws CsvFormatError for a compressed file it cannot read. */
export async function sniffCsvFormat(file: string): Promise<CsvFormat> {
  const handle = await open(file, 'r');
  let raw: Buffer;
  try {
    const buffer = Buffer.allocUnsafe(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    raw = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return formatOf(file, raw);
}

/** The format of a file whose first bytes are `raw` (at most HEAD_BYTES). */
export function formatOf(file: string, raw: Buffer): CsvFormat {
  for (const { magic, what, advice } of REFUSED) {
    if (raw.length >= magic.length && magic.every((b, i) => b === null || raw[i] === b)) {
      throw new CsvFormatError(file, 1, 1, `this is ${what}, not a CSV file — ${advice ?? 'save or decompress it as CSV (or gzip) first'}`);
    }
  }
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    const head = inflateHead(file, raw);
    return { separator: separatorOf(head), gzip: true, expansion: raw.length > 0 ? Math.max(1, head.length / raw.length) : 1, head };
  }
  return { separator: separatorOf(raw), gzip: false, expansion: 1, head: raw };
}

/** The text at the start of a gzip file (the rest of the stream may be cut off here: no error for that). */
function inflateHead(file: string, raw: Buffer): Buffer {
  try {
    return gunzipSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: MAX_HEAD_TEXT });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new CsvFormatError(file, 1, 1, 'this gzip file expands more than 250-fold at its start — not a CSV file');
    }
    throw new CsvFormatError(file, 1, 1, 'this file starts like gzip data but is not readable as gzip — is it corrupt?');
  }
}
