/**
 * The tool's version, in one place: package.json's `version`, injected as `__MODEL_LAB_VERSION__` by
 * esbuild (scripts/build.mjs defines it for every bundle, scripts/server-bundle-config.mjs for the
 * exported server); read from package.json only when the sources run unbundled (tsx, the tests).
 *
 * Node-only (the fallback reads a file): the CLI, the server and the export use it; the webview gets the
 * version from the server (`GET /v2`), not from here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

declare const __MODEL_LAB_VERSION__: string | undefined;

function readVersion(): string {
  if (typeof __MODEL_LAB_VERSION__ === 'string') return __MODEL_LAB_VERSION__;
  // server/protocol/ (tsx) sits two levels below the package root; a bundle without the define, three.
  for (const up of ['../..', '../../..']) {
    try {
      const pkg = JSON.parse(readFileSync(join(__dirname, up, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'model-lab' && pkg.version) return pkg.version;
    } catch {
      /* try the next candidate */
    }
  }
  return '0.0.0-unknown';
}

export const VERSION: string = readVersion();
