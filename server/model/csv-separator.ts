/**
 * The separator of a delimited-text file, from its header line: pandas writes `,`; spreadsheets in many
 * locales write `;`, `.tsv` files a tab, some exports `|`. Every CSV reader of Model Lab (the serving
 * reference, batch prediction, explain, drift) decides it the same way, so a file that works in one
 * works in all.
 */
import { open } from 'node:fs/promises';

export const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;
const PIPE = 0x7c;
/** The separators a header may show, comma first: it wins whenever the header has one. */
const SEPARATORS = [COMMA, SEMICOLON, TAB, PIPE] as const;
/** How much of a file is read to find its header line. */
const HEAD_BYTES = 1 << 16;

/**
 * The header line's separator: a comma when the header has one outside quotes (pandas' default),
 * else whichever of `;`, tab and `|` it has most; a header with none of them is one column (comma).
 */
export function separatorOf(text: Uint8Array): number {
  const counts = new Map<number, number>(SEPARATORS.map((s) => [s, 0]));
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === 0x22) quoted = !quoted;
    else if (!quoted && (c === 0x0a || c === 0x0d)) break;
    else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  if (counts.get(COMMA)! > 0) return COMMA;
  let best = COMMA;
  let most = 0;
  for (const s of SEPARATORS) {
    if (counts.get(s)! > most) {
      best = s;
      most = counts.get(s)!;
    }
  }
  return best;
}

/** How a separator is said in messages. */
export function separatorName(separator: number): string {
  return separator === TAB ? 'tab' : `"${String.fromCharCode(separator)}"`;
}

/**
 * The separator of the file at `path` as csv-parse's `delimiter`. A file that cannot be read gives `,`:
 * the reader that opens it next reports why, in its own words.
 */
export async function csvDelimiterOf(path: string): Promise<string> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.allocUnsafe(HEAD_BYTES);
      const { bytesRead } = await handle.read(head, 0, HEAD_BYTES, 0);
      return String.fromCharCode(separatorOf(head.subarray(0, bytesRead)));
    } finally {
      await handle.close();
    }
  } catch {
    return ',';
  }
}
