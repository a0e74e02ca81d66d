#!/usr/bin/env node
// One build for the three faces: the server/CLI (Node), the VS Code extension (Node, `vscode` external)
// and the web UI (browser). `--if-needed` skips the build when dist/ is newer than every source file,
// so `npm start` stays fast after the first run.
// Also for the installed extension, which has no sources and no esbuild: the deployable server of Docker
// bundles (dist/bundle-server/index.js), the samples "Try a Sample Model" copies (dist/samples/) and the
// walkthrough's pages (dist/walkthrough/).
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { PREBUILT_SERVER_BUNDLE, serverBundleOptions } from './server-bundle-config.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ifNeeded = process.argv.includes('--if-needed');

/** The CLI's commands, each bundled apart (see server/cli/commands/index.ts). */
const CLI_COMMANDS = ['serve', 'info', 'predict', 'drift', 'bench', 'loadtest', 'compress', 'export', 'explain'];

/**
 * cli.js is the dispatcher (help, version, error mapping); `import('./drift')` in the command registry
 * becomes require('./cli-drift.js'), a bundle of its own beside it, so a command loads only its engine.
 */
const commandsApart = {
  name: 'cli-commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z]+$/ }, (args) => {
      const name = args.path.slice(2);
      if (args.kind !== 'dynamic-import' || !args.importer.endsWith(join('server', 'cli', 'commands', 'index.ts'))) return undefined;
      if (!CLI_COMMANDS.includes(name)) throw new Error(`build: command '${name}' is not in CLI_COMMANDS (scripts/build.mjs)`);
      return { path: `./cli-${name}.js`, external: true };
    });
  },
};

/**
 * `model-lab drift` on CSVs never runs the model loader (protobufjs, zod, csv-parse: 1.1 MB of its 1.7 MB
 * bundle, read and compiled on every start: ~60-80 ms), nor the Parquet reader (hyparquet and its
 * decompressors: 280 KB; in cli-drift.js it cost ~10 ms of every start, its worker ~100 ms when it
 * ran there). Those lazy imports become bundles of their own, loaded when a model or a Parquet file is
 * given. Only in the drift CLI's bundles (DRIFT_APART): cli-serve.js keeps one copy of each module, so
 * its error classes stay one class (a second copy would fail `instanceof` there). A model error from
 * drift-model.js is only ever reported by its message (drift/prediction-drift.ts), and the Parquet
 * reader's errors are thrown again by name (drift/table.ts), as the worker's are, so the copies do not
 * matter here.
 */
const DRIFT_APART = { '../model/index': './drift-model.js', './parquet': './drift-parquet.js' };
const LAZY_IMPORTERS = ['prediction-drift.ts', 'predictions.ts', 'table.ts'].map((f) => join('server', 'drift', f));
const driftLazyApart = {
  name: 'drift-lazy-apart',
  setup(b) {
    b.onResolve({ filter: /^(\.\.\/model\/index|\.\/parquet)$/ }, (args) => {
      const lazy =
        (args.kind === 'dynamic-import' && LAZY_IMPORTERS.some((f) => args.importer.endsWith(f))) ||
        (args.kind === 'require-call' && args.importer.endsWith(join('server', 'drift', 'worker.ts')));
      return lazy ? { path: DRIFT_APART[args.path], external: true } : undefined;
    });
  },
};

/** Options the two Node targets of the server/CLI share. */
const nodeCli = {
  outdir: join(root, 'dist/server'),
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Native code and its loader stay outside the bundle; npm installs them.
  external: ['onnxruntime-node'],
  loader: { '.proto': 'text' },
  // The command bundles are CommonJS: load them with require(), not Node's import() (whose CJS
  // interop would wrap module.exports once more). This turns every import() esbuild does not bundle
  // into require(): one that must stay an import (a file:// URL, an .mjs) goes through a runtime
  // import, as server/export/server-bundle.ts's importAtRunTime does.
  supported: { 'dynamic-import': false },
};

const targets = [
  {
    name: 'server/CLI',
    ...nodeCli,
    entryPoints: {
      cli: join(root, 'server/cli/main.ts'),
      ...Object.fromEntries(CLI_COMMANDS.filter((c) => c !== 'drift').map((c) => [`cli-${c}`, join(root, `server/cli/commands/${c}.ts`)])),
    },
    plugins: [commandsApart],
  },
  {
    // The drift command and the engine's worker thread, with their lazy parts apart (see driftLazyApart).
    name: 'drift CLI',
    ...nodeCli,
    entryPoints: {
      'cli-drift': join(root, 'server/cli/commands/drift.ts'),
      'drift-worker': join(root, 'server/drift/worker.ts'),
      'drift-model': join(root, 'server/model/index.ts'),
      'drift-parquet': join(root, 'server/drift/parquet/index.ts'),
    },
    plugins: [driftLazyApart],
  },
  {
    name: 'extension',
    entryPoints: { extension: join(root, 'extension/extension.ts') },
    outdir: join(root, 'dist/extension'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode', 'onnxruntime-node'],
    loader: { '.proto': 'text' },
  },
  {
    name: 'web UI',
    entryPoints: { main: join(root, 'webview/main.ts') },
    outdir: join(root, 'dist/webview'),
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
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
  const outputs = [
    'dist/server/cli.js',
    ...CLI_COMMANDS.map((c) => `dist/server/cli-${c}.js`),
    ...Object.values(DRIFT_APART).map((f) => join('dist/server', f)),
    'dist/extension/extension.js',
    'dist/webview/main.js',
    PREBUILT_SERVER_BUNDLE,
    'dist/samples/index.json',
  ].map((p) => join(root, p));
  if (!outputs.every(existsSync)) return false;
  const oldestOutput = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  const newestSource = Math.max(
    ...['server', 'webview', 'extension', 'samples'].map((d) => newestMtime(join(root, d))),
    statSync(join(root, 'package-lock.json')).mtimeMs,
  );
  return oldestOutput > newestSource;
}

/** Samples shipped with the extension: [folder under samples/, one line for the quick pick]. */
const SAMPLES = [
  ['iris', 'Iris species from 4 flower measurements (3 classes, tiny)'],
  ['flights', 'Flight delay from carrier, distance, hour… (string and number features, binary)'],
  ['breast-cancer', 'Malignant or benign from 30 cell measurements (binary)'],
  ['diabetes', 'Disease progression from 10 patient measurements (regression)'],
];

if (ifNeeded && upToDate()) process.exit(0);

// The version in one place (server/protocol/version.ts reads this define; package.json is its source).
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const started = Date.now();
for (const { name, optional = [], ...options } of targets) {
  const entryPoints = Object.fromEntries(
    Object.entries(options.entryPoints).filter(([key, file]) => {
      if (existsSync(file)) return true;
      if (optional.includes(key)) return false;
      throw new Error(`build: missing entry point ${file} (${name})`);
    }),
  );
  await build({
    ...options,
    entryPoints,
    bundle: true,
    sourcemap: true,
    minify: false,
    logLevel: 'warning',
    legalComments: 'none',
    define: { __MODEL_LAB_VERSION__: JSON.stringify(version) },
  });
}
await build(serverBundleOptions({ root, version, outfile: join(root, PREBUILT_SERVER_BUNDLE) }));
asciiOnly(join(root, 'dist/server'));
copyExtensionExtras();
console.error(`model-lab: built server, extension, web UI and the bundled server into dist/ in ${Date.now() - started} ms`);

/**
 * esbuild writes code as ASCII (escapes in strings) but keeps the comments it keeps — JSDoc on class
 * members — as written, and one `±` or `—` makes V8 hold the whole script as a two-byte string: twice
 * the memory to read and scan on every start (~1.5 ms and ~120 pages of the drift command's 0.2 MB).
 * Only comments can hold such characters here, so each UTF-16 unit of them becomes `?` (one for one:
 * the source maps' columns stay right).
 */
function asciiOnly(dir) {
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.js'))) {
    const file = join(dir, name);
    const text = readFileSync(file, 'utf8');
    if (/[^\x00-\x7f]/.test(text)) writeFileSync(file, text.replace(/[^\x00-\x7f]/g, '?'));
  }
}

/**
 * The samples an installed extension offers ("Model Lab: Try a Sample Model", the walkthrough): only what
 * the walkthrough uses — model, sidecar signature, reference.csv and current.csv — not the generators
 * or expected.json. Listed in dist/samples/index.json with a one-line description each.
 */
function copyExtensionExtras() {
  const samples = join(root, 'dist/samples');
  rmSync(samples, { recursive: true, force: true });
  const index = [];
  for (const [name, description] of SAMPLES) {
    const from = join(root, 'samples', name);
    const files = readdirSync(from).filter((f) => /\.(onnx|csv)$|\.signature\.json$/.test(f));
    mkdirSync(join(samples, name), { recursive: true });
    for (const f of files) cpSync(join(from, f), join(samples, name, f));
    index.push({ name, description, model: files.find((f) => f.endsWith('.onnx')), files });
  }
  cpSync(join(root, 'extension/walkthrough'), join(root, 'dist/walkthrough'), { recursive: true });
  // An installed extension has no package-lock.json of its own: the export derives the bundle's lock
  // (onnxruntime-node's subtree, as verified) from this copy of the project's.
  cpSync(join(root, 'package-lock.json'), join(root, 'dist/bundle-server/project-package-lock.json'));
  // Written last: build --if-needed takes its presence as "the extras are there".
  writeFileSync(join(samples, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
}
