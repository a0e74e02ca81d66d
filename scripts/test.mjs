#!/usr/bin/env node
// `npm test`: everything the test suite needs that npm does not install, then the suite.
// 1. Debian chromium for the browser tests (installed with apt when missing and we are root); for the
//    extension tests (test/extension/) also Node 24 + code-server in .cache/ (scripts/ensure-test-deps.mjs);
//    clang and lld for the check that the committed WebAssembly is what its C sources build to (optional).
// 2. A fresh build (tests drive the built CLI and the built UI bundle).
// 3. The type check, the layering check (dependency-cruiser: no import cycles, no imports against the
//    layers, see .dependency-cruiser.cjs), the lint (eslint.config.mjs, .prettierrc.json), then every
//    test/**/*.test.ts with Node's test runner (through tsx).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { aptInstall, ensureExtensionTestDeps, ensureWasmToolchain } from './ensure-test-deps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The same arguments as `npm run check:deps` in package.json. */
const DEPCRUISE_ARGS = ['server', 'webview', 'extension', 'benchmarks', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'];
const say = (msg) => console.log(`[npm test] ${msg}`);

function ensureChromium() {
  if (existsSync('/usr/bin/chromium')) {
    say('chromium: found /usr/bin/chromium');
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error('Browser tests need Debian chromium at /usr/bin/chromium. Install it with: sudo apt-get install -y chromium');
  }
  say('chromium: not found, installing Debian chromium with apt-get (once; ~1 min)…');
  aptInstall(['chromium'], { recommends: true }); // with its recommends, as this step always installed it
}

function findTests(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'fixtures' && e.name !== 'node_modules') out.push(...findTests(p));
    } else if (e.name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

// `npm test -- test/serve/x.test.ts` runs just those files: the VS Code test host is installed only when
// one of them is an extension test, and the whole-suite checks (types, layering) are left to `npm test`.
const only = process.argv.slice(2);
const needsExtensionHost = only.length === 0 || only.some((f) => f.replace(/\\/g, '/').includes('test/extension/'));
const needsBrowser = only.length === 0 || only.some((f) => /ui|browser|e2e|extension|perf-ui|proxy/.test(f));
if (needsBrowser) ensureChromium();
if (needsExtensionHost) {
  try {
    ensureExtensionTestDeps();
  } catch (err) {
    console.error(`[npm test] ${err.message}`);
    process.exit(1);
  }
}
if (only.length === 0 || only.some((f) => f.includes('fast-rows'))) {
  try {
    ensureWasmToolchain();
  } catch (err) {
    // Optional: without it one check is skipped, not the suite.
    say(`clang/lld could not be installed (${err.message}): the check of the committed WebAssembly is skipped`);
  }
}
say('building (esbuild)…');
run(process.execPath, ['scripts/build.mjs']);
if (only.length === 0) {
  say('type-checking (tsc --noEmit)…');
  run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
  say('checking the layering (npm run check:deps)…');
  run(process.execPath, [join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), ...DEPCRUISE_ARGS]);
  say('linting (npm run lint: typescript-eslint, then Prettier --check)…');
  run(process.execPath, [join(root, 'node_modules/eslint/bin/eslint.js'), '.']);
  run(process.execPath, [join(root, 'node_modules/prettier/bin/prettier.cjs'), '--check', '--log-level', 'warn', '.']);
}
const files = only.length ? only : findTests(join(root, 'test')).map((f) => relative(root, f));
say(`running ${files.length} test files…`);
run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files]);
