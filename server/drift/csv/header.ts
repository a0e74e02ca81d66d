/** The header row of a CSV file alone (read before the two files are streamed side by side). */
import { open } from 'node:fs/promises';
import { uniqueHeader } from '../../model/csv-header';
import { sniffCsvFormat } from './format';
import { feedGzip } from './gzip-source';
import { CsvFormatError, CsvTokenizer, fieldText } from './tokenizer';

export { uniqueHeader };

/** Thrown from the row callback to stop the tokenizer after the header (an Error, so lint and stacks are happy). */
const FOUND = new Error('header found');

/** Column names of `file` (trimmed, de-duplicated). Throws CsvFormatError for an empty or malformed header. */
export async function readHeader(file: string): Promise<string[]> {
  const format = await sniffCsvFormat(file);
  let header: string[] | null = null;
  const tokenizer = new CsvTokenizer(
    file,
    (row) => {
      const names: string[] = [];
      for (let i = 0; i < row.count; i++) names.push(fieldText(row, i).trim());
      header = uniqueHeader(names);
      throw FOUND;
    },
    undefined,
    format.separator,
  );
  try {
    if (format.gzip) await feedGzip(file, (chunk) => tokenizer.push(chunk));
    else await feedPlain(file, (chunk) => tokenizer.push(chunk));
    tokenizer.end();
  } catch (err) {
    if (err !== FOUND) throw err;
  }
  if (header === null) throw new CsvFormatError(file, 1, 1, 'the file is empty — a header row with column names is needed');
  return header;
}

/** The file's bytes in 64 KiB chunks (each a copy: the tokenizer may keep a cut row's bytes). */
async function feedPlain(file: string, push: (chunk: Buffer) => void): Promise<void> {
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return;
      push(Buffer.from(chunk.subarray(0, bytesRead)));
    }
  } finally {
    await handle.close();
  }
}
