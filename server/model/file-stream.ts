/**
 * A file streamed through a parser, with the file's errors delivered to whoever reads the parser.
 *
 * `createReadStream(path).pipe(parser)` does not forward the read stream's errors: a file deleted,
 * moved or unreadable between the check and the read emits `error` on a stream nobody listens to, and
 * Node ends the process (this is how deleting the reference CSV used to kill the server). `pipeline`
 * destroys the parser with that error instead, so a `for await` over the parser throws it, and it
 * closes the file when the reader stops early.
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';

export function readFileThrough<T extends NodeJS.ReadWriteStream>(path: string, parser: T, options?: { highWaterMark?: number }): T {
  // The callback sees the same error the parser's reader gets (or a premature close after an early
  // `break`): nothing more to do with it here.
  pipeline(createReadStream(path, options), parser, () => undefined);
  return parser;
}

/** A one-line reason for a file that could not be read (`ENOENT` → "it no longer exists"). */
export function fileReadProblem(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'it no longer exists (deleted or moved)';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a folder';
  if (code && /^E[A-Z]+$/.test(code)) return `${(err as Error).message.split('\n')[0]}`;
  return undefined;
}
