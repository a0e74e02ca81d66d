/**
 * A bundle folder as one zip, streamed: files are read one chunk at a time only when the reader asks for
 * more (a ReadableStream `pull`), so a slow download holds one chunk in memory, not the bundle. Sizes are
 * bounded before the first byte is sent; symbolic links and special files are left out (a bundle has
 * none, and a link could point outside it). Written with fflate's streaming Zip (deflate; stored for
 * files that do not shrink, such as the ONNX weights and TF.js shards).
 */
import { createReadStream } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import { ModelLabError } from '../protocol/errors';

/** Largest bundle offered as a zip, and most files in it. */
export const ZIP_LIMITS = { maxBytes: 1024 ** 3, maxFiles: 10_000 } as const;

/** Files whose bytes deflate gains little on: stored, which keeps a large model's zip fast to make. */
const STORED = /\.(onnx|bin|zip|gz|png|jpe?g)$/i;

export interface BundleZip {
  stream: ReadableStream<Uint8Array>;
  files: number;
  /** Sum of the files' sizes (the zip is about this or smaller). */
  bytes: number;
}

interface Entry {
  path: string;
  name: string;
  bytes: number;
  mtime: Date;
}

async function listBundle(dir: string, limits: { maxBytes: number; maxFiles: number }): Promise<Entry[]> {
  const entries: Entry[] = [];
  let total = 0;
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const path = join(d, e.name);
      if (e.isDirectory()) await walk(path);
      else if (e.isFile()) {
        const info = await lstat(path);
        total += info.size;
        entries.push({ path, name: relative(dir, path).split(sep).join('/'), bytes: info.size, mtime: info.mtime });
        if (entries.length > limits.maxFiles || total > limits.maxBytes) {
          throw new ModelLabError(
            `the bundle is too large to download as a zip (more than ${limits.maxFiles} files or ` +
              `${Math.round(limits.maxBytes / 1024 ** 2)} MiB); ` +
              `copy the folder ${dir} instead`,
            { status: 413 },
          );
        }
      }
    }
  };
  await walk(dir);
  return entries.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/**
 * Zips `dir` (a finished bundle) under a top folder `root`, for a download. Throws (413) before streaming
 * when the folder exceeds the limits; a file that cannot be read mid-way errors the stream (the download
 * fails visibly instead of ending in a truncated zip).
 *
 * @example
 * const { stream } = await zipBundle('exports/iris-2026', 'iris-2026');
 * return new Response(stream, { headers: { 'content-type': 'application/zip' } });
 */
export async function zipBundle(
  dir: string,
  root: string,
  limits: { maxBytes: number; maxFiles: number } = ZIP_LIMITS,
): Promise<BundleZip> {
  const entries = await listBundle(dir, limits);
  let zip: Zip | null = null;
  let index = 0;
  let reading: AsyncIterator<Buffer> | null = null;
  let file: ZipDeflate | ZipPassThrough | null = null;
  let closeFile: (() => void) | null = null;

  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      zip = new Zip((err, chunk, final) => {
        if (err) {
          controller.error(err);
          return;
        }
        if (chunk.length) controller.enqueue(chunk);
        if (final) controller.close();
      });
    },
    async pull(controller) {
      try {
        // Each pull adds at least one chunk of input; the zip's callback enqueues what it makes of it.
        for (;;) {
          if (!reading) {
            const entry = entries[index++];
            if (!entry) {
              zip!.end();
              return;
            }
            file = STORED.test(entry.name)
              ? new ZipPassThrough(`${root}/${entry.name}`)
              : new ZipDeflate(`${root}/${entry.name}`, { level: 6 });
            file.mtime = entry.mtime;
            zip!.add(file);
            const source = createReadStream(entry.path, { highWaterMark: 256 * 1024 });
            closeFile = () => source.destroy();
            reading = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
          }
          const next = await reading.next();
          if (next.done) {
            file!.push(new Uint8Array(0), true);
            reading = null;
            closeFile = null;
          } else {
            file!.push(new Uint8Array(next.value.buffer, next.value.byteOffset, next.value.byteLength));
          }
          if ((controller.desiredSize ?? 0) <= 0 || !next.done) return;
        }
      } catch (err) {
        closeFile?.();
        zip?.terminate();
        controller.error(err);
      }
    },
    cancel() {
      // The client went away: stop reading and drop the half-made archive.
      closeFile?.();
      zip?.terminate();
    },
  });
  return { stream, files: entries.length, bytes: entries.reduce((a, e) => a + e.bytes, 0) };
}
