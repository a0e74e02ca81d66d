/**
 * Reads a Parquet file into the columns the drift engine compares — the same CsvColumns shape as
 * csv/read.ts — one row group at a time, one column chunk at a time, page by page (pages.ts), so
 * memory holds the kept values plus one column chunk's bytes and one decoded page. Progress is
 * reported per row group and cancellation checked per column chunk. Typing
 * follows pandas' read_parquet (see typing.ts); the MMD row sample is drawn exactly as the CSV path
 * draws it (same reservoir, same seed), so a file and its CSV twin give the same report.
 */
import { EXIT_USAGE, ModelLabError } from '../../protocol/errors';
import { abortError, RowSampler as CsvRowSampler, sortColumns, type CsvColumns, type ReadCsvOptions } from '../csv/read';
import type { ColumnData } from '../csv/column';
import { PageTooLargeError, SUPPORTED_CODECS } from './compressors';
import { ParquetFormatError } from './errors';
import { openParquet, type OpenParquet, type ParquetColumn } from './file';
import { ParquetColumnAccumulator } from './column';
import { columnDecoder, readPages, type Page } from './pages';
import { formatDate, formatTimestamp, isNumericKind } from './typing';

/** The column names of a Parquet file (pandas' index columns left out). */
export async function readParquetHeader(file: string): Promise<string[]> {
  const pq = await openParquet(file);
  await pq.close();
  return pq.header;
}

/** The number of data rows, from the footer. */
export async function parquetRowCount(file: string): Promise<number> {
  const pq = await openParquet(file);
  await pq.close();
  return pq.rows;
}

/** Reads `file` (options as for CSV); throws ParquetFormatError naming file, row group and column. */
export async function readParquetColumns(file: string, options: ReadCsvOptions = {}): Promise<CsvColumns> {
  const pq = await openParquet(file);
  try {
    // As for an empty CSV (csv/empty.ts): bad input a gate cannot judge, exit 2, never "no drift".
    if (pq.rows === 0) throw new ParquetFormatError(file, {}, 'has no data rows: a drift check needs rows on both sides', EXIT_USAGE);
    const names = options.columns ?? pq.header;
    const selected = names.map((name) => selectColumn(pq, name));
    const accumulators = selected.map(
      (c) => new ParquetColumnAccumulator(c.name, c.type.kind, options.categorical?.has(c.name) ?? false, pq.rows, options.pool),
    );
    const sampler = options.sampleRows && selected.length ? new RowSampler(options.sampleRows, selected.length, options.seed ?? 1) : null;
    const decoders = selected.map((c) => columnDecoder(pq.metadata, c.name, 'UNCOMPRESSED', PARSERS));
    let rows = 0;
    let bytes = 0;
    for (const [g, group] of pq.metadata.row_groups.entries()) {
      const groupRows = Number(group.num_rows);
      // The sampled rows of this group and their slots, drawn once for all columns (as the CSV path draws them per row).
      const picks = sampler ? sampler.pick(rows, groupRows) : null;
      for (const [k, column] of selected.entries()) {
        if (options.signal?.aborted) throw abortError(options.signal);
        const meta = group.columns[column.leaf].meta_data!;
        const sample = picks && isNumericKind(column.type.kind) ? new PageSampler(picks, sampler!, k, selected.length) : null;
        await readChunk(pq, g, groupRows, column, { ...decoders[k], codec: meta.codec }, (page) => {
          accumulators[k].add(page);
          sample?.take(page);
        });
        if (picks && !sample) sampler!.fillNaN(picks, k, selected.length);
        bytes += Number(meta.total_compressed_size);
      }
      rows += groupRows;
      options.onProgress?.(rows, Math.min(bytes, pq.size), pq.size);
    }
    const columns = new Map<string, ColumnData>();
    for (const acc of accumulators) columns.set(acc.data.name, acc.finish());
    if (options.sort) sortColumns(columns.values(), options.pool);
    const sample = sampler
      ? { columns: selected.map((c) => c.name), rows: sampler.filled, values: sampler.values.subarray(0, sampler.filled * selected.length) }
      : null;
    return { file, header: pq.header, rows, columns, sample };
  } finally {
    await pq.close();
  }
}

function selectColumn(pq: OpenParquet, name: string): ParquetColumn {
  const column = pq.columns.get(name);
  if (!column) {
    const list = pq.header.slice(0, 20).join(', ') + (pq.header.length > 20 ? ', …' : '');
    throw new ModelLabError(`${pq.file}: no column named "${name}" (columns: ${list})`, { field: name });
  }
  if (column.type.kind === 'unsupported') {
    throw new ParquetFormatError(
      pq.file,
      { column: name },
      `${column.type.what ?? 'a column of an unsupported type'}, which a drift check cannot compare; leave it out with --columns`,
    );
  }
  return column;
}

/** Timestamps and dates become text as pandas writes them; JSON stays its text. */
export const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => formatTimestamp(v * 1_000_000n),
  timestampFromMicroseconds: (v: bigint) => formatTimestamp(v * 1_000n),
  timestampFromNanoseconds: (v: bigint) => formatTimestamp(v),
  dateFromDays: (days: number) => formatDate(days),
  jsonFromBytes: (bytes: Uint8Array) => bytes && Buffer.from(bytes).toString('utf8'),
};

/** One column chunk of one row group, page by page; any failure becomes a ParquetFormatError with the place. */
export async function readChunk(
  pq: OpenParquet,
  g: number,
  groupRows: number,
  column: ParquetColumn,
  decoder: ReturnType<typeof columnDecoder>,
  onPage: (page: Page) => void,
): Promise<void> {
  const place = { rowGroup: g, column: column.name };
  const meta = pq.metadata.row_groups[g].columns[column.leaf].meta_data!;
  if (!SUPPORTED_CODECS.includes(meta.codec)) {
    throw new ParquetFormatError(
      pq.file,
      place,
      `compressed with ${meta.codec}, which this reader cannot decompress (it reads ${SUPPORTED_CODECS.join(', ')}); ` +
        `write the file again with another codec, e.g. pandas' to_parquet(compression="snappy")`,
    );
  }
  if (groupRows === 0) return;
  // Offsets and sizes were checked against the file size when it was opened (file.ts).
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  try {
    const bytes = await pq.chunk(start, start + Number(meta.total_compressed_size));
    readPages(bytes, groupRows, decoder, onPage);
  } catch (err) {
    if (err instanceof PageTooLargeError) throw new ParquetFormatError(pq.file, place, err.message);
    throw new ParquetFormatError(
      pq.file,
      place,
      `cannot be decoded (${describe(err)}): the file is corrupt or uses an unsupported encoding`,
    );
  }
}

/** hyparquet's own words, short (they name the Parquet feature, e.g. an encoding), never a stack. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').slice(0, 120);
}

/** A sampled row of a row group: its index in the group and the reservoir slot it goes to. */
interface Pick {
  row: number;
  slot: number;
}

/** Writes one numeric column's values of the picked rows into the sample, page by page. */
class PageSampler {
  private next = 0;
  private pageStart = 0;
  constructor(
    private readonly picks: Pick[],
    private readonly sampler: RowSampler,
    private readonly k: number,
    private readonly width: number,
  ) {}

  take(page: Page): void {
    const end = this.pageStart + page.numValues;
    const levels = page.definitionLevels;
    let row = this.pageStart;
    let index = 0; // present values before `row`
    for (; this.next < this.picks.length && this.picks[this.next].row < end; this.next++) {
      const pick = this.picks[this.next];
      // Present values up to the picked row (levels are empty when every row is present).
      if (levels.length) {
        for (; row < pick.row; row++) if (levels[row - this.pageStart] === page.maxDefinitionLevel) index++;
      } else {
        index = pick.row - this.pageStart;
        row = pick.row;
      }
      const isPresent = levels.length === 0 || levels[pick.row - this.pageStart] === page.maxDefinitionLevel;
      let v = NaN;
      if (isPresent) {
        const raw: unknown = page.dictionary ? page.dictionary[page.present[index] as number] : page.present[index];
        v = raw === null || raw === undefined ? NaN : typeof raw === 'number' ? raw : Number(raw);
      }
      this.sampler.values[pick.slot * this.width + this.k] = v;
    }
    this.pageStart = end;
  }
}

/** csv/read.ts's seeded reservoir sampler (the same draws, row for row), taking a row group at a time. */
class RowSampler extends CsvRowSampler {
  /** The rows of a group (after `rowsBefore` rows) that go into the sample, in row order (a slot taken twice: the later row wins). */
  pick(rowsBefore: number, groupRows: number): Pick[] {
    const picks: Pick[] = [];
    for (let i = 0; i < groupRows; i++) {
      const slot = this.slotFor(rowsBefore + i + 1);
      if (slot >= 0) picks.push({ row: i, slot });
    }
    return picks;
  }
  /** A column that is not numeric has no value in the sample (the CSV path's text cells parse to NaN). */
  fillNaN(picks: Pick[], k: number, width: number): void {
    for (const { slot } of picks) this.values[slot * width + k] = NaN;
  }
}
