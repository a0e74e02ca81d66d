#!/usr/bin/env node
/**
 * `npm run package [-- --target <t>] [-- --out <file.vsix>]`: a platform-specific VSIX.
 *
 * The bundles in dist/ carry every JavaScript dependency except what esbuild leaves external — native
 * onnxruntime and anything else a bundle still `require`s at run time. Those packages (and their own
 * dependencies) are copied into a staging folder (.cache/vsix-stage-<pid>), where the other platforms'
 * onnxruntime binaries are deleted: the real node_modules is never touched. `vsce package --target`
 * then packs the staging folder (its node_modules holds exactly what runs).
 *
 * Targets (VS Code platform ids → onnxruntime-node 1.30 binary folder bin/napi-v6/<os>/<arch>):
 *   linux-x64 (default) · linux-arm64 · darwin-arm64 · win32-x64 · win32-arm64
 *   (onnxruntime-node 1.30 ships no darwin-x64 binary; that target is refused.)
 * Publish one VSIX per target; the Marketplace serves each user the one for their platform.
 * Each must be built where its binaries are in node_modules — the npm package carries all of them.
 *
 * Output: model-lab-<target>-<version>.vsix in the repository root, or --out / MODEL_LAB_VSIX_OUT.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};

function argument(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const target = argument('target') ?? 'linux-x64';
if (!TARGETS[target]) {
  console.error(`package-vsix: unknown or unsupported --target '${target}'; one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = resolve(argument('out') ?? process.env.MODEL_LAB_VSIX_OUT ?? join(root, `model-lab-${target}-${pkg.version}.vsix`));
// One staging folder per run (removed at the end): two packagings at once must not share it.
const stage = join(root, '.cache', `vsix-stage-${process.pid}`);
const say = (text) => console.error(`package-vsix: ${text}`);

// Only when sources changed: `npm test` packages while other tests run the built CLI, and rewriting
// dist/ under them would be a race.
say('building dist/ if sources changed (server, extension, web UI)');
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--if-needed'], { stdio: 'inherit' });

/**
 * What a bundle still needs at run time: packages it `require`s (not bundled into it, not built in),
 * and single files it only locates with `require.resolve("pkg/file")` (copied alone, e.g. a vendored
 * browser script, instead of the whole package and its dependencies).
 */
function runtimeNeeds() {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  const names = new Set();
  const resolvedFiles = new Set();
  const files = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.js')) files.push(p);
    }
  };
  walk(join(root, 'dist'));
  for (const file of files) {
    const code = readFileSync(file, 'utf8');
    for (const [, resolveOnly, spec] of code.matchAll(/\brequire\d*(\.resolve)?\("([^"./][^"]*)"\)/g)) {
      if (builtins.has(spec) || spec === 'vscode') continue;
      const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (resolveOnly && spec !== name) {
        if (existsSync(join(root, 'node_modules', spec))) resolvedFiles.add(spec);
        else say(`warning: ${relative(root, file)} resolves '${spec}', which is not installed; left out`);
        continue;
      }
      // esbuild marks what it bundled with `// node_modules/<name>/…`; such a require is generated code text.
      if (code.includes(`// node_modules/${name}/`)) continue;
      if (existsSync(join(root, 'node_modules', name, 'package.json'))) names.add(name);
      else say(`warning: ${relative(root, file)} requires '${spec}', which is not installed; left out`);
    }
  }
  return { names: [...names], resolvedFiles: [...resolvedFiles] };
}

/** The packages and, recursively, their production dependencies (hoisted npm layout). */
function closure(names) {
  const seen = new Set();
  const visit = (name, from) => {
    const candidates = [join(from, 'node_modules', name), join(root, 'node_modules', name)];
    const dir = candidates.find((d) => existsSync(join(d, 'package.json')));
    if (!dir || seen.has(dir)) return;
    seen.add(dir);
    const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    for (const dep of Object.keys({ ...meta.dependencies, ...meta.optionalDependencies })) visit(dep, dir);
  };
  for (const name of names) visit(name, root);
  return [...seen];
}

rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
process.on('exit', () => rmSync(stage, { recursive: true, force: true }));
const needs = runtimeNeeds();
const packages = closure(needs.names);
say(`runtime packages: ${packages.map((d) => relative(join(root, 'node_modules'), d)).join(', ') || 'none'}`);
for (const dir of packages) cpSync(dir, join(stage, relative(root, dir)), { recursive: true, dereference: true });
const fileOnly = [];
for (const spec of needs.resolvedFiles) {
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  say(`runtime file: ${spec}`);
  cpSync(join(root, 'node_modules', spec), join(stage, 'node_modules', spec), { dereference: true });
  // A stub manifest (name + version, no dependencies): enough for require.resolve, and npm sees no missing deps.
  if (!existsSync(join(stage, 'node_modules', name, 'package.json'))) {
    const { version } = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8'));
    writeFileSync(
      join(stage, 'node_modules', name, 'package.json'),
      JSON.stringify({ name, version, description: `only ${spec} (Model Lab)` }),
    );
    fileOnly.push([name, version]);
  }
}

// Only the target's onnxruntime binaries.
const keep = TARGETS[target];
const ortBin = join(stage, 'node_modules/onnxruntime-node/bin');
if (existsSync(ortBin)) {
  for (const napi of readdirSync(ortBin)) {
    if (!existsSync(join(ortBin, napi, keep))) {
      say(`onnxruntime-node has no ${napi}/${keep} binary: cannot package ${target}`);
      process.exit(1);
    }
    for (const os of readdirSync(join(ortBin, napi))) {
      for (const arch of readdirSync(join(ortBin, napi, os))) {
        if (`${os}/${arch}` !== keep) rmSync(join(ortBin, napi, os, arch), { recursive: true, force: true });
      }
    }
  }
}

cpSync(join(root, 'dist'), join(stage, 'dist'), { recursive: true });
for (const f of ['README.md', '.vscodeignore', 'LICENSE']) if (existsSync(join(root, f))) cpSync(join(root, f), join(stage, f));
const staged = {
  ...pkg,
  dependencies: Object.fromEntries(
    packages
      .filter((d) => relative(join(root, 'node_modules'), d).split('/node_modules/').length === 1)
      .map((d) => {
        const m = JSON.parse(readFileSync(join(d, 'package.json'), 'utf8'));
        return [m.name, m.version];
      })
      .concat(fileOnly),
  ),
};
delete staged.devDependencies;
delete staged.scripts;
delete staged.bin;
writeFileSync(join(stage, 'package.json'), `${JSON.stringify(staged, null, 2)}\n`);

say(`vsce package --target ${target}`);
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/@vscode/vsce/vsce'),
      'package',
      '--target',
      target,
      '--allow-missing-repository',
      '--skip-license',
      '--out',
      out,
    ],
    { cwd: stage, stdio: 'inherit' },
  );
} finally {
  rmSync(stage, { recursive: true, force: true });
}
const mb = (statSync(out).size / 1024 / 1024).toFixed(1);
say(`${relative(root, out)}: ${mb} MB${Number(mb) >= 40 ? ' — over the 40 MB goal' : ''}`);
