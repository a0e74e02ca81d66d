/**
 * `server/`: the prediction server as one self-contained esbuild bundle (`index.js`), the web form's
 * assets (`ui/`), and a `package.json` + `package-lock.json` + `.npmrc` that install exactly the
 * onnxruntime-node this machine runs. onnxruntime-node is the only dependency: it is native code and
 * cannot be bundled.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { VERSION } from '../cli/version';

const run = promisify(execFile);

/** The Model Lab package root (holding `server/` sources and `node_modules`), from tsx or from dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'model-lab') return dir;
      } catch { /* keep walking */ }
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

/**
 * Bundles server/serve/bundle-entry.ts into `outFile`. The export routes are replaced by an empty
 * module: a deployed server must not be able to write bundles onto its host.
 */
export async function buildServerBundle(outFile: string): Promise<void> {
  const root = packageRoot();
  const entry = join(root, 'server/serve/bundle-entry.ts');
  if (!existsSync(entry)) throw new Error(`the server sources are missing (${entry}); export needs a Model Lab checkout with its sources`);
  let esbuild: EsbuildApi;
  try {
    // Loaded at run time through createRequire so the CLI bundle does not try to bundle esbuild itself.
    esbuild = localRequire('esbuild') as EsbuildApi;
  } catch {
    throw new Error('esbuild is not installed; run npm ci in the Model Lab folder (it builds the bundled server)');
  }
  await esbuild.build({
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node'],
    loader: { '.proto': 'text' },
    define: { __MODEL_LAB_VERSION__: JSON.stringify(VERSION) },
    minify: true,
    keepNames: true,
    legalComments: 'eof',
    logLevel: 'silent',
    plugins: [{
      name: 'no-dev-routes',
      setup(build: { onResolve: (o: object, cb: (a: { path: string }) => object) => void; onLoad: (o: object, cb: () => object) => void }) {
        // The export and performance-lab routes write files beside the model and run long jobs: they
        // belong to the dev server, not to a production deployment.
        build.onResolve({ filter: /routes\/(export|perf|drift)$/ }, () => ({ path: 'dev-routes-stub', namespace: 'model-lab-stub' }));
        build.onLoad({ filter: /.*/, namespace: 'model-lab-stub' } as object, () => ({
          contents: "import { Hono } from 'hono'; import { z } from 'zod'; export const ExportRequestSchema = z.object({}); export function exportRoutes() { return new Hono(); }"
            + ' export const PerfCompareRequestSchema = z.object({}); export const PerfSaveRequestSchema = z.object({}); export const PerfServeRequestSchema = z.object({});'
            + ' export function perfRoutes() { return new Hono(); }'
            + ' export const DriftRequestSchema = z.object({}); export function registerDriftRoutes() {}',
          resolveDir: join(root, 'server/serve/routes'),
          loader: 'ts',
        }));
      },
    }],
  });
}

export interface ServerFolder {
  /** Whether `package-lock.json` could be made (offline from the npm cache, else from the registry). */
  lockfile: 'offline' | 'registry' | 'missing';
  lockfileError?: string;
}

/** Writes `server/` into the bundle. */
export async function writeServerFolder(bundleDir: string, modelName: string): Promise<ServerFolder> {
  const dir = join(bundleDir, 'server');
  await mkdir(join(dir, 'ui'), { recursive: true });
  await buildServerBundle(join(dir, 'index.js'));
  const uiDir = join(packageRoot(), 'dist/webview');
  for (const file of existsSync(uiDir) ? await readdir(uiDir) : []) {
    if (file === 'main.js' || file === 'main.css') await copyFile(join(uiDir, file), join(dir, 'ui', file));
  }
  const pkg = {
    name: `${modelName.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '') || 'model'}-server`,
    version: '1.0.0',
    private: true,
    description: `Prediction server for the ${modelName} model (exported by Model Lab ${VERSION})`,
    main: 'index.js',
    scripts: { start: 'node index.js' },
    engines: { node: '>=20' },
    dependencies: { 'onnxruntime-node': onnxruntimeVersion() },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  // The CPU binaries ship inside the npm package; its install script would fetch CUDA files from elsewhere.
  await writeFile(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  return makeLockfile(dir);
}

async function makeLockfile(dir: string): Promise<ServerFolder> {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const base = ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund'];
  try {
    await run(npm, [...base, '--offline'], { cwd: dir, timeout: 60_000 });
    return { lockfile: 'offline' };
  } catch {
    try {
      await run(npm, base, { cwd: dir, timeout: 120_000 });
      return { lockfile: 'registry' };
    } catch (err) {
      return { lockfile: 'missing', lockfileError: ((err as { stderr?: string }).stderr || (err as Error).message).split('\n').filter(Boolean).slice(-1)[0] ?? 'npm failed' };
    }
  }
}
