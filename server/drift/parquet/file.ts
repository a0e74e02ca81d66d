/**
 * Opening a Parquet file: the footer is checked (magic bytes, length) before it is read, then the
 * metadata is bounded — rows, columns, row groups, column chunk sizes and offsets — before anything is
 * allocated from it. Reads go through one file handle at explicit positions (no stream per slice).
 */
import { open, type FileHandle } from 'node:fs/promises';
import { parquetMetadataAsync, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { ParquetFormatError } from './errors';
import { columnType, type ParquetColumnType } from './typing';

/** Largest footer (metadata) accepted: a wide file's footer is a few MB. */
export const MAX_FOOTER_BYTES = 64 * 2 ** 20;
/** Most top-level columns accepted. */
export const MAX_COLUMNS = 10_000;
/** Most rows accepted in one file (the length limit of one value buffer). */
export const MAX_ROWS = 2 ** 31 - 1;
/** Most row groups accepted. */
export const MAX_ROW_GROUPS = 1_000_000;

const MAGIC = 0x31524150; // "PAR1", little-endian

export interface ParquetColumn {
  name: string;
  /** Index among the leaf columns (= the column chunk's index in every row group). */
  leaf: number;
  type: ParquetColumnType;
}

export interface OpenParquet {
  file: string;
  size: number;
  buffer: AsyncBuffer;
  metadata: FileMetaData;
  rows: number;
  /** Data columns in file order (pandas' index columns left out, as `read_parquet` makes them the index). */
  header: string[];
  columns: Map<string, ParquetColumn>;
  /**
   * Bytes [start, end) of the file in this file's one reusable buffer: valid until the next call (the
   * reader decodes a column chunk before it reads the next one). A new buffer per chunk was ~1 MB of
   * new memory each — page faults that cost as much as decoding it on the machines measured.
   */
  chunk(start: number, end: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Opens and checks `file`; throws ParquetFormatError naming the file for anything unreadable. */
export async function openParquet(file: string): Promise<OpenParquet> {
  const handle = await open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const buffer = fileBuffer(handle, size);
    const metadata = await readMetadata(file, handle, buffer, size);
    const { header, columns } = topLevelColumns(file, metadata);
    const rows = checkRowGroups(file, metadata, size, columns.size === 0 ? 0 : leafCount(metadata));
    let reusable = new Uint8Array(0);
    const chunk = async (start: number, end: number) => {
      if (!(end >= start)) throw new RangeError(`bytes ${start}-${end} are no range`);
      if (reusable.length < end - start) reusable = new Uint8Array(end - start);
      const bytes = reusable.subarray(0, end - start);
      await readAt(handle, size, bytes, start);
      return bytes;
    };
    return { file, size, buffer, metadata, rows, header, columns, chunk, close: () => handle.close() };
  } catch (err) {
    await handle.close();
    if (err instanceof ParquetFormatError) throw err;
    // A footer that decodes but holds fields of the wrong type or shape (a corrupt file, not our fault).
    throw new ParquetFormatError(file, {}, 'the footer (metadata) is corrupt: a field has an impossible value');
  }
}

/** hyparquet's view of the file: byte ranges read at their position through the one handle, bounded by the size. */
function fileBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    async slice(start: number, end: number = size) {
      const bytes = new Uint8Array(end - start);
      await readAt(handle, size, bytes, start);
      return bytes.buffer;
    },
  };
}

/** Fills `bytes` from the file at `start` (within the file's `size`). */
async function readAt(handle: FileHandle, size: number, bytes: Uint8Array, start: number): Promise<void> {
  const end = start + bytes.length;
  if (!(start >= 0 && end <= size)) throw new RangeError(`bytes ${start}-${end} are outside the file`);
  let done = 0;
  while (done < bytes.length) {
    const { bytesRead } = await handle.read(bytes, done, bytes.length - done, start + done);
    if (bytesRead === 0) throw new RangeError('the file ended early (truncated while reading?)');
    done += bytesRead;
  }
}

async function readMetadata(file: string, handle: FileHandle, buffer: AsyncBuffer, size: number): Promise<FileMetaData> {
  const corrupt = (detail: string) => new ParquetFormatError(file, {}, detail);
  if (size < 12) throw corrupt(`only ${size} bytes — not a Parquet file (too short for its header and footer)`);
  const head = Buffer.alloc(4);
  const tail = Buffer.alloc(8);
  await handle.read(head, 0, 4, 0);
  await handle.read(tail, 0, 8, size - 8);
  if (head.readUInt32LE(0) !== MAGIC || tail.readUInt32LE(4) !== MAGIC) {
    throw corrupt('not a Parquet file (it does not start and end with "PAR1"); is it a CSV with a .parquet name, or cut short?');
  }
  const footer = tail.readUInt32LE(0);
  if (footer > size - 12) throw corrupt(`the footer claims ${footer.toLocaleString('en')} bytes, more than the file holds (cut short?)`);
  if (footer > MAX_FOOTER_BYTES)
    throw corrupt(`the footer (metadata) is ${footer.toLocaleString('en')} bytes, more than the 64 MiB this reader accepts`);
  try {
    return await parquetMetadataAsync(buffer, { initialFetchSize: Math.min(size, footer + 8), geoparquet: false });
  } catch {
    throw corrupt('the footer (metadata) cannot be decoded: the file is corrupt or was cut short');
  }
}

function leafCount(metadata: FileMetaData): number {
  return metadata.schema.filter((e) => !e.num_children).length;
}

/** Top-level columns, their kinds and their leaf index; pandas' index columns are left out. */
function topLevelColumns(file: string, metadata: FileMetaData): { header: string[]; columns: Map<string, ParquetColumn> } {
  if (metadata.schema.length > 10 * MAX_COLUMNS) throw new ParquetFormatError(file, {}, `more than ${MAX_COLUMNS} columns`);
  let tree;
  try {
    tree = parquetSchema(metadata);
  } catch {
    throw new ParquetFormatError(file, {}, 'the schema in the footer is corrupt');
  }
  if (tree.children.length > MAX_COLUMNS)
    throw new ParquetFormatError(file, {}, `${tree.children.length} columns, more than ${MAX_COLUMNS}`);
  const index = new Set(pandasIndexColumns(metadata));
  const header: string[] = [];
  const columns = new Map<string, ParquetColumn>();
  let leaf = 0;
  for (const node of tree.children) {
    const name = node.element.name;
    const leaves = countLeaves(node);
    if (!index.has(name)) {
      if (columns.has(name)) throw new ParquetFormatError(file, { column: name }, 'the column name appears twice in the schema');
      header.push(name);
      columns.set(name, { name, leaf, type: columnType(node) });
    }
    leaf += leaves;
  }
  return { header, columns };
}

function countLeaves(node: { children: { children: unknown[] }[] }): number {
  if (node.children.length === 0) return 1;
  let n = 0;
  for (const child of node.children) n += countLeaves(child as typeof node);
  return n;
}

/** Names pandas stored its index under (`__index_level_0__`…); a RangeIndex is stored as a range, not a column. */
function pandasIndexColumns(metadata: FileMetaData): string[] {
  const entry = metadata.key_value_metadata?.find((kv) => kv.key === 'pandas');
  if (!entry?.value || entry.value.length > MAX_FOOTER_BYTES) return [];
  try {
    const parsed = JSON.parse(entry.value) as { index_columns?: unknown };
    return Array.isArray(parsed.index_columns) ? parsed.index_columns.filter((c): c is string => typeof c === 'string') : [];
  } catch {
    return [];
  }
}

/** Checks the row groups against the file (counts add up, chunks inside the file); returns the row count. */
function checkRowGroups(file: string, metadata: FileMetaData, size: number, leaves: number): number {
  const rows = int(metadata.num_rows);
  if (rows < 0n || rows > BigInt(MAX_ROWS))
    throw new ParquetFormatError(file, {}, `the footer claims ${rows} rows, more than ${MAX_ROWS} this reader accepts`);
  if (metadata.row_groups.length > MAX_ROW_GROUPS)
    throw new ParquetFormatError(file, {}, `${metadata.row_groups.length} row groups, more than ${MAX_ROW_GROUPS}`);
  let sum = 0n;
  for (const [g, group] of metadata.row_groups.entries()) {
    const groupRows = int(group.num_rows);
    if (groupRows < 0n) throw new ParquetFormatError(file, { rowGroup: g }, 'a negative row count');
    sum += groupRows;
    if (group.columns.length !== leaves) {
      throw new ParquetFormatError(file, { rowGroup: g }, `${group.columns.length} column chunks for ${leaves} columns in the schema`);
    }
    for (const chunk of group.columns) {
      const m = chunk.meta_data;
      const column = m?.path_in_schema.join('.') ?? undefined;
      if (!m) throw new ParquetFormatError(file, { rowGroup: g, column }, 'a column chunk without metadata (stored in another file?)');
      if (chunk.file_path)
        throw new ParquetFormatError(file, { rowGroup: g, column }, `its data is in another file (${chunk.file_path.slice(0, 80)})`);
      const start = int(m.dictionary_page_offset || m.data_page_offset);
      const length = int(m.total_compressed_size);
      if (start < 0n || length < 0n || start + length > BigInt(size)) {
        throw new ParquetFormatError(file, { rowGroup: g, column }, 'the column chunk lies outside the file (cut short?)');
      }
    }
  }
  if (sum !== rows) throw new ParquetFormatError(file, {}, `the row groups hold ${sum} rows but the footer says ${rows}`);
  return Number(rows);
}

/** A footer integer as a bigint; -1n (refused by every check) when the field is missing or not an integer. */
function int(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  return -1n;
}
