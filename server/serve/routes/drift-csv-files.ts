/**
 * `GET /api/drift/files`: the CSV and Parquet files under the folders drift checks may read (a bounded walk), and
 * the registered stat tests, for the Drift tab's pickers.
 */
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { listStatTests } from '../../drift/index';
import type { DriftFileList } from '../../protocol/drift';
import { DRIFT_DATA_FILE_EXTENSIONS, hasExtension } from './drift-file-types';

const MAX_FILES = 200;
const MAX_DEPTH = 3;
/** Folders never walked: big, generated, or not the user's data. */
const SKIP = new Set(['node_modules', '.git', 'dist', '.test-artifacts', '__pycache__', '.venv', 'venv']);

/** *.csv and *.parquet under each root, breadth first, at most MAX_DEPTH folders deep and MAX_FILES files in all. */
export async function listCsvFiles(roots: string[]): Promise<DriftFileList> {
  const files: DriftFileList['files'] = [];
  const seen = new Set<string>();
  let truncated = false;
  const unique = [...new Set(roots)];
  for (const root of unique) {
    let level = [root];
    for (let depth = 0; depth <= MAX_DEPTH && level.length && !truncated; depth++) {
      const nextLevel: string[] = [];
      for (const dir of level) {
        let entries;
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch {
          continue;
        }
        entries.sort((a, b) => a.name.localeCompare(b.name));
        for (const e of entries) {
          const path = join(dir, e.name);
          if (e.isDirectory() && !SKIP.has(e.name) && !e.name.startsWith('.')) nextLevel.push(path);
          else if (e.isFile() && hasExtension(e.name, DRIFT_DATA_FILE_EXTENSIONS) && !seen.has(path)) {
            if (files.length >= MAX_FILES) {
              truncated = true;
              break;
            }
            seen.add(path);
            files.push({ path, root, relative: relative(root, path) });
          }
        }
        if (truncated) break;
      }
      level = nextLevel;
    }
  }
  const statTests = listStatTests().map((t) => ({
    name: t.name,
    displayName: t.displayName,
    kinds: [...t.kinds],
    defaultThreshold: t.defaultThreshold,
  }));
  return { roots: unique, files, truncated, statTests };
}
