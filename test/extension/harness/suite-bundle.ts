/**
 * Bundles the in-host Mocha suite (test/extension/suite/: `index.ts` + every `*.suite.ts`) with esbuild
 * into `.cache/extension-tests/`, one CommonJS file per entry. `vscode` comes from the host; `mocha`
 * stays external and resolves from the repository's node_modules (the bundle lives under the repo root).
 */
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './code-server';

export const SUITE_SOURCE_DIR = join(REPO_ROOT, 'test', 'extension', 'suite');
export const SUITE_OUT_DIR = join(REPO_ROOT, '.cache', 'extension-tests');

/** Returns the folder to pass as `extensionTestsPath` (its index.js exports `run()`). */
export async function bundleSuite(outDir = SUITE_OUT_DIR): Promise<string> {
  const entries = readdirSync(SUITE_SOURCE_DIR).filter((f) => f === 'index.ts' || f.endsWith('.suite.ts'));
  await rm(outDir, { recursive: true, force: true });
  await build({
    entryPoints: entries.map((f) => join(SUITE_SOURCE_DIR, f)),
    outdir: outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return outDir;
}
