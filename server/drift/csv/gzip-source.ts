/**
 * A gzip-compressed CSV (`to_csv("x.csv.gz")`), streamed through Node's zlib a chunk at a time: the
 * decompressed text is never held whole (a 4 GB CSV in a 1 GB .gz is read in the same memory as the
 * plain file), and a file cut short or corrupt is said in words, not as zlib's error.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CsvFormatError } from './tokenizer';

/** Decompressed bytes per chunk, as the plain reader's chunks. */
const CHUNK_BYTES = 1 << 20;

export interface GzipFeedOptions {
  signal?: AbortSignal;
  /** After each chunk: how many bytes of the (compressed) file were read so far. */
  onBytes?: (fileBytesRead: number) => void;
  /** The error to throw when `signal` is aborted. */
  abortError?: (signal: AbortSignal) => Error;
}

/**
 * Decompresses `file` and gives each chunk of text to `push` (awaited when it returns a promise: the
 * stream waits meanwhile), in order; resolves when the stream ended.
 * Errors of `push` (a malformed row) are thrown as they are; zlib's as a CsvFormatError.
 */
export async function feedGzip(file: string, push: (chunk: Buffer) => void | Promise<void>, options: GzipFeedOptions = {}): Promise<void> {
  const input = createReadStream(file, { highWaterMark: CHUNK_BYTES });
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  // pipeline: an error of either stream destroys both and surfaces in the loop below (no stream without a handler).
  pipeline(input, gunzip, () => undefined);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      if (options.signal?.aborted) throw options.abortError?.(options.signal) ?? new Error('aborted');
      await push(chunk);
      options.onBytes?.(input.bytesRead);
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new CsvFormatError(
        file,
        1,
        1,
        code === 'Z_BUF_ERROR'
          ? 'the gzip data ends early — the file was cut short (copy or download it again)'
          : 'the gzip data is corrupt — the file is damaged or not gzip after all',
      );
    }
    throw err;
  } finally {
    input.destroy();
    gunzip.destroy();
  }
}
