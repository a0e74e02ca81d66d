/** The header row of a CSV file alone (read before the two files are streamed side by side). */
import { open } from 'node:fs/promises';
import { CsvFormatError, CsvTokenizer, fieldText } from './tokenizer';

/**
 * Column names as pandas' read_csv makes them from a header row: an empty name becomes `Unnamed: i`
 * (i its position — the index column `to_csv` writes has no name), and a repeated name `a` becomes
 * `a.1`, `a.2`… skipping a suffix that is itself a name in the header (`a,a,a.1` → `a, a.2, a.1`), as
 * pandas' C parser does.
 */
export function uniqueHeader(raw: string[]): string[] {
  const names = raw.map((name, i) => (name === '' ? `Unnamed: ${i}` : name));
  const inHeader = new Set(names);
  const counts = new Map<string, number>();
  return names.map((original) => {
    let name = original;
    let count = counts.get(name) ?? 0;
    while (count > 0) {
      counts.set(original, count + 1);
      name = `${original}.${count}`;
      count = inHeader.has(name) ? count + 1 : (counts.get(name) ?? 0);
    }
    counts.set(name, count + 1);
    return name;
  });
}

/** Thrown from the row callback to stop the tokenizer after the header (an Error, so lint and stacks are happy). */
const FOUND = new Error('header found');

/** Column names of `file` (trimmed, de-duplicated). Throws CsvFormatError for an empty or malformed header. */
export async function readHeader(file: string): Promise<string[]> {
  const handle = await open(file, 'r');
  let header: string[] | null = null;
  const tokenizer = new CsvTokenizer(file, (row) => {
    const names: string[] = [];
    for (let i = 0; i < row.count; i++) names.push(fieldText(row, i).trim());
    header = uniqueHeader(names);
    throw FOUND;
  });
  try {
    const chunk = Buffer.allocUnsafe(1 << 16);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) {
        tokenizer.end();
        break;
      }
      tokenizer.push(Buffer.from(chunk.subarray(0, bytesRead)));
    }
  } catch (err) {
    if (err !== FOUND) throw err;
  } finally {
    await handle.close();
  }
  if (header === null) throw new CsvFormatError(file, 1, 1, 'the file is empty — a header row with column names is needed');
  return header;
}
