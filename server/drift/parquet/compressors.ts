/**
 * Decompressors for the codecs pandas/pyarrow, Spark and DuckDB write: snappy (pyarrow's default, wasm
 * from hyparquet-compressors), zstd and LZ4 (hyparquet-compressors), gzip and brotli (Node's zlib,
 * native). Each one is bounded: a page header that claims more than MAX_PAGE_BYTES is refused before
 * anything is allocated, so a corrupt or hostile file cannot make the reader allocate gigabytes.
 */
import type { CompressionCodec, Compressors } from 'hyparquet';
import { compressors as bundled, decompressZstd } from 'hyparquet-compressors';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

/** Largest uncompressed page accepted (pyarrow writes 1 MiB pages; the format allows up to 2 GiB). */
export const MAX_PAGE_BYTES = 256 * 2 ** 20;

/** Thrown by a bounded decompressor; the reader turns it into a ParquetFormatError with the place. */
export class PageTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`a page claims ${bytes.toLocaleString('en')} uncompressed bytes, more than the ${MAX_PAGE_BYTES / 2 ** 20} MiB limit`);
  }
}

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array;

const zlibBound = (inflate: typeof gunzipSync): Decompress => {
  return (input, outputLength) => {
    const out = inflate(input, { maxOutputLength: Math.max(1, outputLength) });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  };
};

const DECOMPRESSORS: Partial<Record<CompressionCodec, Decompress>> = {
  SNAPPY: bundled.SNAPPY,
  // Into a buffer of the size the page header gives: a frame claiming more cannot allocate more.
  ZSTD: (input, outputLength) => decompressZstd(input, new Uint8Array(outputLength)),
  LZ4: bundled.LZ4,
  LZ4_RAW: bundled.LZ4_RAW,
  GZIP: zlibBound(gunzipSync),
  BROTLI: zlibBound(brotliDecompressSync),
};

/** Codecs this reader decompresses (UNCOMPRESSED needs none). */
export const SUPPORTED_CODECS: readonly CompressionCodec[] = ['UNCOMPRESSED', ...(Object.keys(DECOMPRESSORS) as CompressionCodec[])];

/** The decompressors, each refusing a page larger than MAX_PAGE_BYTES before decompressing it. */
export const boundedCompressors: Compressors = Object.fromEntries(
  Object.entries(DECOMPRESSORS).map(([codec, decompress]) => [
    codec,
    (input: Uint8Array, outputLength: number) => {
      if (!(outputLength >= 0 && outputLength <= MAX_PAGE_BYTES)) throw new PageTooLargeError(outputLength);
      return decompress(input, outputLength);
    },
  ]),
);
