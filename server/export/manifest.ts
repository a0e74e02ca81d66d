/** `MANIFEST.json`: every file of the bundle with its size and sha256 (streamed, so big models are fine). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ManifestFile } from './types';

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Every regular file under `dir` (sorted, `/`-separated), except `exclude`. */
export async function listFiles(dir: string, exclude: string[] = []): Promise<ManifestFile[]> {
  const out: ManifestFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const path = relative(dir, p).split(sep).join('/');
        if (!exclude.includes(path)) out.push({ path, bytes: (await stat(p)).size, sha256: await sha256File(p) });
      }
    }
  };
  await walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
