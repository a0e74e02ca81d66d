/**
 * Which files a drift job may open: paths come from the client, so each one must resolve — symlinks
 * followed — to a file inside one of the allowed folders and be a data file (`.csv`, `.parquet`) or, for the
 * model, an `.onnx` file (../routes/drift-file-types.ts). Anything else is a 4xx and is never opened.
 * A relative path (`current.csv`, as the Drift tab's suggestions show them) is read from the first
 * allowed folder that has it, in order — the served model's folder first.
 */
import { existsSync } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { ModelLabError } from '../../protocol/errors';
import { hasExtension } from '../routes/drift-file-types';

export interface AllowedFiles {
  /** Each root as given (resolved) and with symlinks followed, so both spellings of a path match. */
  roots(): Promise<string[]>;
  /** `path` as a real file path inside an allowed root with one of `extensions`, or a 400/403/404 naming `field`. */
  check(field: string, path: string, extensions: readonly string[]): Promise<string>;
}

export function allowedFiles(allowedRoots: readonly string[]): AllowedFiles {
  const roots = Promise.all(
    allowedRoots.map(async (r) => {
      try {
        return [resolve(r), await realpath(resolve(r))];
      } catch {
        return [resolve(r)];
      }
    }),
  ).then((pairs) => [...new Set(pairs.flat())]);

  const isInside = async (p: string) =>
    (await roots).some((root) => {
      const rel = relative(root, p);
      return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
    });

  /**
   * A relative path against the first allowed folder holding it (the first folder when none does).
   * Only spellings that stay inside their folder are probed: `../x.csv` touches no disk.
   */
  const locate = (path: string) => {
    if (isAbsolute(path)) return resolve(path);
    const candidates = allowedRoots.map((root) => resolve(root, path));
    const inside = candidates.filter((p, i) => !relative(resolve(allowedRoots[i]), p).startsWith('..'));
    return inside.find((p) => existsSync(p)) ?? candidates[0] ?? resolve(path);
  };

  return {
    roots: () => roots,
    async check(field, path, extensions) {
      // Words for the person typing in the Drift tab (and for curl users): what to type instead.
      const outside = () =>
        new ModelLabError(
          `${field}: '${path}' is outside the folders this server may read (${allowedRoots.join(', ')}). ` +
            `Pick a file from the suggestions under the field, or type a path inside one of those folders ` +
            `(a relative path like current.csv is read from the model's folder)`,
          { status: 403, field },
        );
      const wrongType = () =>
        new ModelLabError(`${field}: '${path}' is not a ${listOf(extensions)} file; drift checks only read those`, { field });
      // Checked before touching the disk (so nothing outside is even probed), and again after
      // following symlinks (a link inside may point outside).
      const lexical = locate(path);
      if (!(await isInside(lexical))) throw outside();
      if (!hasExtension(lexical, extensions)) throw wrongType();
      let real: string;
      try {
        real = await realpath(lexical);
      } catch {
        throw new ModelLabError(
          `${field}: no such file '${path}'` +
            `${isAbsolute(path) ? '' : ` in ${allowedRoots.join(' or ')}`}; pick one from the ` +
            `suggestions under the field`,
          { status: 404, field },
        );
      }
      if (!(await isInside(real))) throw outside();
      if (!hasExtension(real, extensions)) throw wrongType();
      if (!(await stat(real)).isFile()) throw new ModelLabError(`${field}: '${path}' is not a file`, { field });
      return real;
    },
  };
}

/** `.csv, .tsv or .parquet`. */
function listOf(extensions: readonly string[]): string {
  return extensions.length < 2 ? extensions.join('') : `${extensions.slice(0, -1).join(', ')} or ${extensions[extensions.length - 1]}`;
}
