/**
 * Reads a Parquet file into the columns the drift engine compares — the same CsvColumns shape as
 * csv/read.ts — one row group at a time and one column chunk at a time, so memory holds the kept
 * values plus one decoded chunk. Progress and cancellation are checked per column chunk. Typing
 * follows pandas' read_parquet (see typing.ts); the MMD row sample is drawn exactly as the CSV path
 * draws it (same reservoir, same seed), so a file and its CSV twin give the same report.
 */
import { parquetRead, type DecodedArray } from 'hyparquet';
import { ModelLabError } from '../../protocol/errors';
import { mulberry32 } from '../math/random';
import { abortError, sortColumns, type CsvColumns, type ReadCsvOptions } from '../csv/read';
import type { ColumnData } from '../csv/column';
import { boundedCompressors, PageTooLargeError, SUPPORTED_CODECS } from './compressors';
import { ParquetFormatError } from './errors';
import { openParquet, type OpenParquet, type ParquetColumn } from './file';
import { ParquetColumnAccumulator } from './column';
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
    const names = options.columns ?? pq.header;
    const selected = names.map((name) => selectColumn(pq, name));
    const accumulators = selected.map(
      (c) => new ParquetColumnAccumulator(c.name, c.type.kind, options.categorical?.has(c.name) ?? false, pq.rows, options.pool),
    );
    const sampler = options.sampleRows && selected.length ? new RowSampler(options.sampleRows, selected.length, options.seed ?? 1) : null;
    let rows = 0;
    let bytes = 0;
    for (const [g, group] of pq.metadata.row_groups.entries()) {
      const groupRows = Number(group.num_rows);
      const chunks: DecodedArray[] = [];
      for (const [k, column] of selected.entries()) {
        if (options.signal?.aborted) throw abortError(options.signal);
        const data = await readChunk(pq, g, rows, rows + groupRows, column);
        accumulators[k].add(data);
        if (sampler) chunks.push(data);
        bytes += Number(group.columns[column.leaf].meta_data!.total_compressed_size);
      }
      if (sampler) sampleRows(sampler, chunks, selected, groupRows, rows);
      rows += groupRows;
      options.onProgress?.(rows, Math.min(bytes, pq.size), pq.size);
    }
    const columns = new Map<string, ColumnData>();
    for (const acc of accumulators) columns.set(acc.data.name, acc.finish());
    if (options.sort) sortColumns(columns.values());
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
const PARSERS = {
  timestampFromMilliseconds: (v: bigint) => formatTimestamp(v * 1_000_000n),
  timestampFromMicroseconds: (v: bigint) => formatTimestamp(v * 1_000n),
  timestampFromNanoseconds: (v: bigint) => formatTimestamp(v),
  dateFromDays: (days: number) => formatDate(days),
  jsonFromBytes: (bytes: Uint8Array) => bytes && Buffer.from(bytes).toString('utf8'),
};

/** One column chunk of one row group, decoded; any failure becomes a ParquetFormatError with the place. */
async function readChunk(pq: OpenParquet, g: number, rowStart: number, rowEnd: number, column: ParquetColumn): Promise<DecodedArray> {
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
  if (rowEnd === rowStart) return [];
  const parts: { data: DecodedArray; start: number }[] = [];
  try {
    await parquetRead({
      file: pq.buffer,
      metadata: pq.metadata,
      columns: [column.name],
      rowStart,
      rowEnd,
      compressors: boundedCompressors,
      parsers: PARSERS,
      utf8: true,
      onChunk: (chunk) => parts.push({ data: chunk.columnData, start: chunk.rowStart }),
    });
  } catch (err) {
    if (err instanceof PageTooLargeError) throw new ParquetFormatError(pq.file, place, err.message);
    throw new ParquetFormatError(
      pq.file,
      place,
      `cannot be decoded (${describe(err)}): the file is corrupt or uses an unsupported encoding`,
    );
  }
  return assemble(pq.file, place, parts, rowStart, rowEnd);
}

/** The chunk's values for exactly [rowStart, rowEnd) (hyparquet may hand them over in pieces). */
function assemble(
  file: string,
  place: { rowGroup: number; column: string },
  parts: { data: DecodedArray; start: number }[],
  rowStart: number,
  rowEnd: number,
): DecodedArray {
  const length = rowEnd - rowStart;
  if (parts.length === 1 && parts[0].start === rowStart && parts[0].data.length === length) return parts[0].data;
  const out: unknown[] = new Array<unknown>(length).fill(null);
  let filled = 0;
  for (const { data, start } of parts) {
    for (let i = 0; i < data.length; i++) {
      const row = start + i - rowStart;
      if (row >= 0 && row < length) {
        out[row] = data[i];
        filled++;
      }
    }
  }
  if (filled < length) throw new ParquetFormatError(file, place, `holds ${filled} values for ${length} rows: the file is corrupt`);
  return out as DecodedArray;
}

/** hyparquet's own words, short (they name the Parquet feature, e.g. an encoding), never a stack. */
function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, ' ').slice(0, 120);
}

/** The sampled rows of this row group: numbers, NaN for missing and text (as the CSV path parses cells). */
function sampleRows(sampler: RowSampler, chunks: DecodedArray[], columns: ParquetColumn[], groupRows: number, rowsBefore: number): void {
  const width = columns.length;
  const numeric = columns.map((c) => isNumericKind(c.type.kind));
  for (let i = 0; i < groupRows; i++) {
    const slot = sampler.slotFor(rowsBefore + i + 1);
    if (slot < 0) continue;
    for (let k = 0; k < width; k++) {
      const raw: unknown = chunks[k][i];
      sampler.values[slot * width + k] =
        !numeric[k] || raw === null || raw === undefined ? NaN : typeof raw === 'number' ? raw : Number(raw);
    }
  }
}

/** Reservoir sampling (Algorithm R), seeded: the same draws as csv/read.ts's, row for row. */
class RowSampler {
  readonly values: Float64Array;
  filled = 0;
  private readonly random: () => number;
  constructor(
    private readonly size: number,
    width: number,
    seed: number,
  ) {
    this.values = new Float64Array(size * width);
    this.random = mulberry32(seed);
  }
  slotFor(row: number): number {
    if (this.filled < this.size) return this.filled++;
    const j = Math.floor(this.random() * row);
    return j < this.size ? j : -1;
  }
}
