/**
 * Atomic bundle writes: everything is built in a sibling `<outDir>.partial-<random>` folder and renamed
 * into place only once complete (MANIFEST.json written last). A crash or a cancel leaves at most a
 * `.partial-` folder, never something that looks like a finished bundle.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { ModelLabError } from '../protocol/errors';

/** A problem with the export request itself (folder, model, variant, targets); the message says what to do (400 / exit 1). */
export class ExportError extends ModelLabError {
  constructor(message: string) {
    super(message, { status: 400 });
  }
}

export interface Staging {
  /** The final folder. */
  outDir: string;
  /** Where files are written until `commit`. */
  dir: string;
  /** Moves the staged folder into place (replacing an empty or, with force, non-empty outDir). */
  commit(): Promise<void>;
  /** Removes the staged folder. Safe after commit (does nothing). */
  discard(): Promise<void>;
}

/** Refuses a non-empty folder (unless force) or an unwritable parent before any work is done. */
export async function openStaging(outDirInput: string, force: boolean): Promise<Staging> {
  const outDir = resolve(outDirInput);
  const parent = dirname(outDir);
  if (existsSync(outDir)) {
    const s = await stat(outDir);
    if (!s.isDirectory()) throw new ExportError(`${outDir} exists and is a file; choose a folder path for the bundle`);
    const entries = await readdir(outDir);
    if (entries.length > 0 && !force) {
      throw new ExportError(
        `${outDir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ` +
          `e.g. '${entries[0]}'); choose an empty or new folder, or pass --force to replace it`,
      );
    }
  }
  try {
    await mkdir(parent, { recursive: true });
  } catch (err) {
    throw new ExportError(`cannot create ${parent}: ${describeFsError(err)}`);
  }
  const dir = `${outDir}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await mkdir(dir);
  } catch (err) {
    throw new ExportError(`cannot write the bundle into ${parent}: ${describeFsError(err)}; choose a folder you can write to`);
  }
  let committed = false;
  return {
    outDir,
    dir,
    async commit() {
      if (existsSync(outDir)) {
        // Move the old folder aside first so that at every instant outDir is either old or new, whole.
        const aside = `${outDir}.replaced-${randomBytes(4).toString('hex')}`;
        await rename(outDir, aside);
        try {
          await rename(dir, outDir);
        } catch (err) {
          await rename(aside, outDir).catch(() => undefined);
          throw new ExportError(`cannot move the finished bundle to ${outDir}: ${describeFsError(err)}`);
        }
        await rm(aside, { recursive: true, force: true });
      } else {
        await rename(dir, outDir);
      }
      committed = true;
    },
    async discard() {
      if (!committed) await rm(dir, { recursive: true, force: true });
    },
  };
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOTDIR') return `a part of the path is a file (${basename((err as NodeJS.ErrnoException).path ?? '')})`;
  return (err as Error).message;
}
