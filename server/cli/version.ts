/** The tool's version, injected by esbuild at build time; read from package.json when run through tsx. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __MODEL_LAB_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __MODEL_LAB_VERSION__ === 'string') return __MODEL_LAB_VERSION__;
  // Both server/cli/ (tsx) and dist/server/ (bundle) sit two levels below the package root.
  for (const up of ['../..', '../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'model-lab' && pkg.version) return pkg.version;
    } catch { /* try the next candidate */ }
  }
  return '0.0.0-unknown';
}

export const VERSION = readVersion();
