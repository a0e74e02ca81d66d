/**
 * `server/`: the prediction server as one self-contained esbuild bundle (`index.js`), the web form's
 * assets (`ui/`), and a `package.json` + `package-lock.json` (server-package.ts) that install exactly
 * the onnxruntime-node tree this machine runs. onnxruntime-node is the only dependency: it is native code and
 * cannot be bundled.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../protocol/version';
import { type ServerFolder, writeServerPackage } from './server-package';

/** The Model Lab package root (holding `server/` sources and `node_modules`), from tsx or from dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'model-lab') return dir;
      } catch {
        /* keep walking */
      }
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the model-lab package root (looked upwards from the running code)');
}

const localRequire = createRequire(join(packageRoot(), 'package.json'));

/** The exact onnxruntime-node version installed here, which the bundle pins. */
export function onnxruntimeVersion(): string {
  return (JSON.parse(readFileSync(localRequire.resolve('onnxruntime-node/package.json'), 'utf8')) as { version: string }).version;
}

/** The folder holding this installation's node_modules (for NODE_PATH during verification). */
export function projectNodeModules(): string {
  return join(packageRoot(), 'node_modules');
}

interface EsbuildApi {
  build(options: Record<string, unknown>): Promise<unknown>;
}

/** What scripts/server-bundle-config.mjs exports (the esbuild options shared with scripts/build.mjs). */
interface ServerBundleConfig {
  PREBUILT_SERVER_BUNDLE: string;
  serverBundleOptions(o: { root: string; version: string; outfile: string }): Record<string, unknown>;
}

/** Relative to the package root; the same constant as in scripts/server-bundle-config.mjs. */
const PREBUILT_SERVER_BUNDLE = 'dist/bundle-server/index.js';

/** Newest modification time of the `.ts` files under `dir` (0 when there are none). */
function newestSourceMtime(dir: string): number {
  let newest = 0;
  for (const entry of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : []) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMtime(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * The prebuilt server (`dist/bundle-server/index.js`, made by scripts/build.mjs and shipped in the VSIX)
 * when it can be used: always in an installation without sources (the VSIX); in a checkout only when it
 * is newer than every server source, so an edit is never exported stale.
 */
export function prebuiltServerBundle(root = packageRoot()): string | undefined {
  const prebuilt = join(root, PREBUILT_SERVER_BUNDLE);
  if (!existsSync(prebuilt)) return undefined;
  const sources = join(root, 'server');
  if (!existsSync(join(sources, 'serve', 'bundle-entry.ts'))) return prebuilt;
  return statSync(prebuilt).mtimeMs >= newestSourceMtime(sources) ? prebuilt : undefined;
}

/**
 * Writes the bundled server (server/serve/bundle-entry.ts: predictions only, the lab routes never
 * imported, so a deployed server cannot write bundles onto its host) to `outFile`: a copy of the prebuilt
 * file when it is current, else built with esbuild from the sources of this checkout.
 */
export async function buildServerBundle(outFile: string): Promise<void> {
  const root = packageRoot();
  const prebuilt = prebuiltServerBundle(root);
  if (prebuilt) {
    await copyFile(prebuilt, outFile);
    return;
  }
  const entry = join(root, 'server/serve/bundle-entry.ts');
  if (!existsSync(entry))
    throw new Error(
      `the prebuilt server ${join(root, PREBUILT_SERVER_BUNDLE)} is missing and so are the ` +
        `sources to build it; reinstall Model Lab (or run node scripts/build.mjs in a checkout)`,
    );
  let esbuild: EsbuildApi;
  try {
    // Loaded at run time through createRequire so the CLI bundle does not try to bundle esbuild itself.
    esbuild = localRequire('esbuild') as EsbuildApi;
  } catch {
    throw new Error('esbuild is not installed; run npm ci in the Model Lab folder (it builds the bundled server)');
  }
  // A computed specifier: the CLI bundle loads the checkout's own file at run time instead of inlining it.
  const configFile = join(root, 'scripts', 'server-bundle-config.mjs');
  const config = (await importAtRunTime(pathToFileURL(configFile).href)) as ServerBundleConfig;
  await esbuild.build(config.serverBundleOptions({ root, version: VERSION, outfile: outFile }));
}

/**
 * A real dynamic `import()`, also from the CommonJS CLI bundle (dist/server/cli.js), where esbuild turns a
 * written `import()` into `require()`, which cannot load a file:// URL (every export from a checkout whose
 * sources are newer than dist/ failed its docker target with "Cannot find module 'file:///…'").
 */
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant body: only the specifier varies
const importAtRunTime = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

export type { ServerFolder } from './server-package';

/** Writes `server/` into the bundle. */
export async function writeServerFolder(bundleDir: string, modelName: string): Promise<ServerFolder> {
  const dir = join(bundleDir, 'server');
  await mkdir(join(dir, 'ui'), { recursive: true });
  await buildServerBundle(join(dir, 'index.js'));
  const uiDir = join(packageRoot(), 'dist/webview');
  for (const file of existsSync(uiDir) ? await readdir(uiDir) : []) {
    if (file === 'main.js' || file === 'main.css') await copyFile(join(uiDir, file), join(dir, 'ui', file));
  }
  return writeServerPackage({ dir, modelName, toolVersion: VERSION, installRoot: packageRoot(), onnxruntimeVersion: onnxruntimeVersion() });
}
