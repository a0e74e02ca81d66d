#!/usr/bin/env node
// One build for the three faces: the server/CLI (Node), the VS Code extension (Node, `vscode` external)
// and the web UI (browser). `--if-needed` skips the build when dist/ is newer than every source file,
// so `npm start` stays fast after the first run.
import { build } from 'esbuild';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ifNeeded = process.argv.includes('--if-needed');

const targets = [
  {
    name: 'server/CLI',
    entryPoints: { cli: join(root, 'server/cli/main.ts'), 'drift-worker': join(root, 'server/drift/worker.ts') },
    outdir: join(root, 'dist/server'),
    platform: 'node', format: 'cjs', target: 'node20',
    // Native code and its loader stay outside the bundle; npm installs them.
    external: ['onnxruntime-node'],
    loader: { '.proto': 'text' },
  },
  {
    name: 'extension',
    entryPoints: { extension: join(root, 'extension/extension.ts') },
    outdir: join(root, 'dist/extension'),
    platform: 'node', format: 'cjs', target: 'node20',
    external: ['vscode', 'onnxruntime-node'],
    loader: { '.proto': 'text' },
  },
  {
    name: 'web UI',
    entryPoints: { main: join(root, 'webview/main.ts') },
    outdir: join(root, 'dist/webview'),
    platform: 'browser', format: 'iife', target: 'es2020',
    loader: { '.css': 'css', '.svg': 'text' },
  },
];

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function upToDate() {
  const outputs = ['dist/server/cli.js', 'dist/extension/extension.js', 'dist/webview/main.js'].map((p) => join(root, p));
  if (!outputs.every(existsSync)) return false;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const newestSource = Math.max(...['server', 'webview', 'extension'].map((d) => newestMtime(join(root, d))),
    statSync(join(root, 'package-lock.json')).mtimeMs);
  return oldestOutput > newestSource;
}

if (ifNeeded && upToDate()) process.exit(0);

const started = Date.now();
for (const { name, optional = [], ...options } of targets) {
  const entryPoints = Object.fromEntries(Object.entries(options.entryPoints).filter(([key, file]) => {
    if (existsSync(file)) return true;
    if (optional.includes(key)) return false;
    throw new Error(`build: missing entry point ${file} (${name})`);
  }));
  await build({
    ...options, entryPoints, bundle: true, sourcemap: true, minify: false, logLevel: 'warning',
    legalComments: 'none',
  });
}
console.error(`model-lab: built server, extension and web UI into dist/ in ${Date.now() - started} ms`);
