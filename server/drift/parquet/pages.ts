/**
 * One flat column chunk, page by page, without assembling rows: hyparquet's page decoders (header,
 * decompression, levels, PLAIN/dictionary/delta/byte-stream-split values, type conversion) are used
 * directly, and each page is handed over as its present values (or dictionary indices) plus its
 * definition levels. hyparquet's own row assembly turns every OPTIONAL column — all of pandas'
 * columns are OPTIONAL — into a JS array of boxed values, which made Parquet slower than CSV;
 * this keeps the typed arrays it decodes into. Data pages of flat columns in PLAIN or dictionary
 * encoding are read here (readFlatPage), their levels and indices into typed arrays too. hyparquet is
 * pinned to an exact version for these.
 */
import {
  snappyUncompress,
  type CompressionCodec,
  type DecodedArray,
  type FileMetaData,
  type PageHeader,
  type ParquetParsers,
} from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readRleBitPackedHybrid } from 'hyparquet/src/encoding.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { boundedCompressors, MAX_PAGE_BYTES, PageTooLargeError } from './compressors';

/** One data page of a flat column: `numValues` rows, of which `present.length` are not null. */
export interface Page {
  /** The non-null values in row order, or their dictionary indices when `dictionary` is set. */
  present: DecodedArray;
  dictionary: DecodedArray | null;
  /** Per row: === maxDefinitionLevel when present; empty when every row is present. */
  definitionLevels: ArrayLike<number>;
  maxDefinitionLevel: number;
  numValues: number;
}

export function columnDecoder(
  metadata: FileMetaData,
  name: string,
  codec: CompressionCodec,
  parsers: Partial<ParquetParsers>,
): ColumnDecoder {
  const schemaPath = getSchemaPath(metadata.schema, [name]);
  const element = schemaPath[schemaPath.length - 1].element;
  return {
    pathInSchema: [name],
    type: element.type!,
    element,
    schemaPath,
    codec,
    parsers: { ...DEFAULT_PARSERS, ...parsers },
    compressors: boundedCompressors,
    utf8: true,
  };
}

/** Decodes the chunk's pages (bytes = the whole column chunk), calling `onPage` for each data page; returns the rows seen. */
export function readPages(bytes: Uint8Array, rows: number, decoder: ColumnDecoder, onPage: (page: Page) => void): number {
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
  const maxDefinitionLevel = getMaxDefinitionLevel(decoder.schemaPath);
  let dictionary: DecodedArray | null = null;
  let seen = 0;
  while (seen < rows && reader.offset < bytes.byteLength - 1) {
    const header = parquetHeader(reader);
    const compressedSize = header.compressed_page_size;
    if (!(compressedSize >= 0 && reader.offset + compressedSize <= bytes.byteLength))
      throw new RangeError('a page runs past its column chunk');
    if (!(header.uncompressed_page_size >= 0 && header.uncompressed_page_size <= MAX_PAGE_BYTES))
      throw new PageTooLargeError(header.uncompressed_page_size);
    const compressed = new Uint8Array(bytes.buffer, bytes.byteOffset + reader.offset, compressedSize);
    reader.offset += compressedSize;
    if (header.type === 'DICTIONARY_PAGE') {
      const page = decompressPage(compressed, header.uncompressed_page_size, decoder.codec, decoder.compressors);
      const pageReader = { view: new DataView(page.buffer, page.byteOffset, page.byteLength), offset: 0 };
      const count = header.dictionary_page_header?.num_values ?? 0;
      // Each entry takes at least one byte: a header claiming more would only make the decoder allocate.
      if (!(count >= 0 && count <= header.uncompressed_page_size))
        throw new RangeError('a dictionary page claims more entries than it has bytes');
      dictionary = convert(readPlain(pageReader, decoder.type, count, decoder.element.type_length), decoder);
    } else if (header.type === 'DATA_PAGE' || header.type === 'DATA_PAGE_V2') {
      const daph = header.type === 'DATA_PAGE_V2' ? header.data_page_header_v2 : header.data_page_header;
      if (!daph) throw new RangeError('a data page without its header');
      // A flat column has one value per row: a page claiming more rows than the group has left is corrupt (and bounds the levels' arrays).
      if (!(daph.num_values >= 0 && daph.num_values <= rows - seen))
        throw new RangeError('a page claims more values than its row group has rows');
      const data =
        readFlatPage(compressed, header, decoder, maxDefinitionLevel) ??
        (header.data_page_header
          ? readDataPage(
              decompressPage(compressed, header.uncompressed_page_size, decoder.codec, decoder.compressors),
              header.data_page_header,
              decoder,
            )
          : readDataPageV2(compressed, header, decoder));
      const indexed = dictionary !== null && daph.encoding.endsWith('_DICTIONARY');
      onPage({
        present: indexed ? data.dataPage : convert(data.dataPage, decoder),
        dictionary: indexed ? dictionary : null,
        // No nulls in the page: no levels to walk (v2 pages always carry them).
        definitionLevels: data.dataPage.length === daph.num_values ? [] : (data.definitionLevels ?? []),
        maxDefinitionLevel,
        numValues: daph.num_values,
      });
      seen += daph.num_values;
    }
    // Index pages (and unknown ones) carry no values: skipped.
  }
  if (seen !== rows) throw new RangeError(`${seen} values for ${rows} rows`);
  return seen;
}

const NO_LEVELS = new Uint8Array(0);

let flatPages = true;

/** Turns readFlatPage off (or on again) in this thread: tests compare it with hyparquet's readers. */
export function setFlatPageReader(on: boolean): void {
  flatPages = on;
}

/**
 * A data page of a flat column in the encodings pandas/pyarrow write for numbers and categories (PLAIN,
 * dictionary indices), read as hyparquet's readDataPage / readDataPageV2 read it but into typed arrays:
 * they decode every page's definition levels, and dictionary indices, into JS arrays of numbers —
 * ~2/3 of the time of a 200k-row file's read went to them and to collecting them. A v2 page with no
 * nulls (its header says so) has its levels skipped, not decoded. Other pages (booleans, delta,
 * byte-stream-split, nested columns): null, and hyparquet reads them.
 */
function readFlatPage(
  compressed: Uint8Array,
  header: PageHeader,
  decoder: ColumnDecoder,
  maxDefinitionLevel: number,
): { definitionLevels: ArrayLike<number>; dataPage: DecodedArray } | null {
  const v2 = header.data_page_header_v2;
  const daph = v2 ?? header.data_page_header;
  if (!flatPages || !daph || decoder.type === 'BOOLEAN' || maxDefinitionLevel > 1 || decoder.schemaPath.length > 2) return null;
  const encoding = daph.encoding;
  const dictionary = encoding === 'PLAIN_DICTIONARY' || encoding === 'RLE_DICTIONARY';
  if (encoding !== 'PLAIN' && !dictionary) return null;
  let bytes: Uint8Array;
  let offset = 0;
  let levels: Uint8Array = NO_LEVELS;
  let nulls = 0;
  if (v2) {
    // Levels uncompressed ahead of the values (a flat column has no repetition levels).
    const levelBytes = v2.repetition_levels_byte_length + v2.definition_levels_byte_length;
    if (v2.repetition_levels_byte_length !== 0) return null;
    if (!(levelBytes >= 0 && levelBytes <= compressed.byteLength)) throw new RangeError("a page's definition levels lie outside it");
    if (v2.num_nulls > 0 && maxDefinitionLevel > 0) {
      levels = new Uint8Array(v2.num_values);
      const reader = { view: new DataView(compressed.buffer, compressed.byteOffset, levelBytes), offset: 0 };
      readRleBitPackedHybrid(reader, 1, levels, v2.definition_levels_byte_length);
    }
    nulls = v2.num_nulls;
    const valuesSize = header.uncompressed_page_size - levelBytes;
    const values = compressed.subarray(levelBytes);
    bytes = v2.is_compressed !== false && valuesSize ? decompressDataPage(values, valuesSize, decoder) : values;
  } else {
    bytes = decompressDataPage(compressed, header.uncompressed_page_size, decoder);
    if (maxDefinitionLevel > 0) {
      levels = new Uint8Array(daph.num_values);
      const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: 0 };
      readRleBitPackedHybrid(reader, 1, levels); // length-prefixed
      offset = reader.offset;
      for (let i = 0; i < levels.length; i++) nulls += 1 - levels[i];
    }
  }
  if (nulls === 0) levels = NO_LEVELS;
  const count = daph.num_values - nulls;
  if (!(count >= 0)) throw new RangeError('a page claims more nulls than values');
  const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset };
  if (!dictionary) return { definitionLevels: levels, dataPage: readPlain(reader, decoder.type, count, decoder.element.type_length) };
  const bitWidth = bytes[offset];
  reader.offset = offset + 1;
  const indices = bitWidth ? new Int32Array(count) : new Uint8Array(count); // width 0: every index is 0
  if (bitWidth) readRleBitPackedHybrid(reader, bitWidth, indices, bytes.byteLength - reader.offset);
  return { definitionLevels: levels, dataPage: indices };
}

/** Where this thread decompresses snappy data pages (grown to the largest page seen): see decompressDataPage. */
let pageScratch = new Uint8Array(0);

/**
 * A data page's bytes, decompressed. Snappy (pyarrow's default) into this thread's one buffer, with
 * hyparquet's decoder: the bundled WebAssembly one copies each page into its memory and then out into a
 * new array — ~1 MB of new memory per page, ~256 page faults (~3 ms on the machines measured). Safe
 * because a data page's values are used only while its `onPage` runs (column.ts and rows.ts copy them
 * out); dictionary pages, which stay, are decompressed into their own arrays.
 */
function decompressDataPage(input: Uint8Array, size: number, decoder: ColumnDecoder): Uint8Array {
  if (decoder.codec !== 'SNAPPY') return decompressPage(input, size, decoder.codec, decoder.compressors);
  if (!(size >= 0 && size <= MAX_PAGE_BYTES)) throw new PageTooLargeError(size);
  if (pageScratch.length < size) pageScratch = new Uint8Array(Math.max(size, Math.min(MAX_PAGE_BYTES, pageScratch.length * 2)));
  const page = pageScratch.subarray(0, size);
  snappyUncompress(input, page);
  return page;
}
