/**
 * A Parquet file as rows of text cells, for what reads rows rather than columns (prediction drift
 * feeds them to the same CSV → record path as a CSV's rows). Cells are spelled as pandas' `to_csv`
 * writes them (numbers as repr, nulls empty, bools True/False), so a model sees the same input from
 * a file as from its CSV twin. One row group is decoded at a time; a column this reader cannot
 * compare (nested, time) gives empty cells rather than failing rows that do not use it.
 */
import { writeFile } from 'node:fs/promises';
import { abortError } from '../csv/read';
import { openParquet } from './file';
import { columnDecoder, type Page } from './pages';
import { PARSERS, readChunk } from './read';
import { formatNumber } from './typing';

export interface TextRows {
  header: string[];
  /** 1-based row numbers (as CSV lines would be, header excluded) and their cells. */
  rows: { line: number; values: string[] }[];
}

/** Yields the rows of `file` in batches of at most `batchRows`, with progress in bytes read. */
export async function* parquetTextRows(
  file: string,
  options: { batchRows: number; signal?: AbortSignal; onBytes?: (bytes: number, total: number) => void },
): AsyncGenerator<TextRows> {
  const pq = await openParquet(file);
  try {
    const columns = pq.header.map((name) => pq.columns.get(name)!);
    let before = 0;
    let bytes = 0;
    for (const [g, group] of pq.metadata.row_groups.entries()) {
      const groupRows = Number(group.num_rows);
      const cells: string[][] = [];
      for (const column of columns) {
        if (options.signal?.aborted) throw abortError(options.signal);
        const texts = new Array<string>(groupRows).fill('');
        cells.push(texts);
        if (column.type.kind === 'unsupported') continue;
        const meta = group.columns[column.leaf].meta_data!;
        const decoder = { ...columnDecoder(pq.metadata, column.name, meta.codec, PARSERS), codec: meta.codec };
        let row = 0;
        await readChunk(pq, g, groupRows, column, decoder, (page: Page) => {
          let k = 0;
          for (let i = 0; i < page.numValues; i++, row++) {
            if (page.definitionLevels.length && page.definitionLevels[i] !== page.maxDefinitionLevel) continue;
            const raw: unknown = page.dictionary ? page.dictionary[page.present[k] as number] : page.present[k];
            k++;
            texts[row] = spell(raw, column.type.kind === 'integer');
          }
        });
        bytes += Number(meta.total_compressed_size);
      }
      for (let start = 0; start < groupRows; start += options.batchRows) {
        const end = Math.min(groupRows, start + options.batchRows);
        const rows = [];
        for (let r = start; r < end; r++) rows.push({ line: before + r + 1, values: cells.map((c) => c[r]) });
        yield { header: pq.header, rows };
      }
      before += groupRows;
      options.onBytes?.(Math.min(bytes, pq.size), pq.size);
    }
  } finally {
    await pq.close();
  }
}

function spell(raw: unknown, integer: boolean): string {
  if (raw === null || raw === undefined) return '';
  if (typeof raw === 'boolean') return raw ? 'True' : 'False';
  if (typeof raw === 'bigint') return String(raw);
  if (typeof raw === 'number') return Number.isNaN(raw) ? '' : formatNumber(raw, integer);
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
  return typeof raw === 'string' ? raw : JSON.stringify(raw);
}

/** Rows the model loader scans to type a reference CSV's columns (server/model/reference.ts reads 5,000). */
const HEAD_ROWS = 5000;

/** The first rows of a Parquet file written as a CSV (for what reads a reference CSV, e.g. naming a model's features). */
export async function writeCsvHead(file: string, target: string): Promise<void> {
  const quote = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  const lines: string[] = [];
  for await (const batch of parquetTextRows(file, { batchRows: HEAD_ROWS })) {
    if (lines.length === 0) lines.push(batch.header.map(quote).join(','));
    for (const row of batch.rows) lines.push(row.values.map(quote).join(','));
    if (lines.length > HEAD_ROWS) break;
  }
  await writeFile(target, `${lines.slice(0, HEAD_ROWS + 1).join('\n')}\n`);
}
