/**
 * One flat column chunk, page by page, without assembling rows: hyparquet's page decoders (header,
 * decompression, levels, PLAIN/dictionary/delta/byte-stream-split values, type conversion) are used
 * directly, and each page is handed over as its present values (or dictionary indices) plus its
 * definition levels. hyparquet's own row assembly turns every OPTIONAL column — all of pandas'
 * columns are OPTIONAL — into a JS array of boxed values, which made Parquet slower than CSV;
 * this keeps the typed arrays it decodes into. hyparquet is pinned to an exact version for these.
 */
import type { CompressionCodec, DecodedArray, FileMetaData, ParquetParsers } from 'hyparquet';
import type { ColumnDecoder } from 'hyparquet/src/types.js';
import { parquetHeader } from 'hyparquet/src/column.js';
import { DEFAULT_PARSERS, convert } from 'hyparquet/src/convert.js';
import { decompressPage, readDataPage, readDataPageV2 } from 'hyparquet/src/datapage.js';
import { readPlain } from 'hyparquet/src/plain.js';
import { getMaxDefinitionLevel, getSchemaPath } from 'hyparquet/src/schema.js';
import { boundedCompressors, MAX_PAGE_BYTES, PageTooLargeError } from './compressors';

/** One data page of a flat column: `numValues` rows, of which `present.length` are not null. */
export interface Page {
  /** The non-null values in row order, or their dictionary indices when `dictionary` is set. */
  present: DecodedArray;
  dictionary: DecodedArray | null;
  /** Per row: === maxDefinitionLevel when present; empty when every row is present. */
  definitionLevels: number[];
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
      const data = header.data_page_header
        ? readDataPage(
            decompressPage(compressed, header.uncompressed_page_size, decoder.codec, decoder.compressors),
            header.data_page_header,
            decoder,
          )
        : readDataPageV2(compressed, header, decoder);
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
