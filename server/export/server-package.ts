/**
 * The bundle's `server/package.json` and `server/package-lock.json`: one dependency, onnxruntime-node,
 * with its whole tree pinned to what this Model Lab installation installed and verified (see
 * bundle-lock.ts). No `.npmrc`: its only past use, `onnxruntime-node-install=skip`, is an unknown project
 * config to npm 11 (a warning now, an error in the next major). Instead onnxruntime-node's install script
 * is denied in `allowScripts` (npm 11+), and the Dockerfile sets `ONNXRUNTIME_NODE_INSTALL=skip` for npm
 * versions that predate `allowScripts` and still run dependency scripts.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deriveBundleLock, type PackageLock } from './bundle-lock';

const run = promisify(execFile);

export interface ServerFolder {
  /**
   * Where `package-lock.json` came from: `project` = derived from this installation's own lock (the
   * normal case); `offline` / `registry` = resolved by npm (from the cache, else the registry) when no
   * lock of this installation is on disk; `missing` = neither worked.
   */
  lockfile: 'project' | 'offline' | 'registry' | 'missing';
  lockfileError?: string;
}

export interface ServerPackageInput {
  /** The folder being written (the bundle's `server/`). */
  dir: string;
  modelName: string;
  toolVersion: string;
  /** The Model Lab installation's root, holding its package-lock.json and node_modules. */
  installRoot: string;
  onnxruntimeVersion: string;
}

/** The install scripts the bundle denies (npm 11 `allowScripts`; older npm: see the Dockerfile's ENV). */
export const BUNDLE_ALLOW_SCRIPTS = { 'onnxruntime-node': false } as const;

export async function writeServerPackage(input: ServerPackageInput): Promise<ServerFolder> {
  const name = `${
    input.modelName
      .toLowerCase()
      .replace(/[^a-z0-9-]/g, '-')
      .replace(/^-+/, '') || 'model'
  }-server`;
  const engines = { node: '>=20' };
  const pkg = {
    name,
    version: '1.0.0',
    private: true,
    description: `Prediction server for the ${input.modelName} model (exported by Model Lab ${input.toolVersion})`,
    main: 'index.js',
    scripts: { start: 'node index.js' },
    engines,
    dependencies: { 'onnxruntime-node': input.onnxruntimeVersion },
    // The CPU binaries ship inside the npm package; its postinstall would download CUDA files from NuGet
    // on linux/x64, which fails offline and is not what was verified.
    allowScripts: BUNDLE_ALLOW_SCRIPTS,
  };
  await writeFile(join(input.dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);

  const projectLock = readInstallLock(input.installRoot);
  if (projectLock) {
    try {
      const lock = deriveBundleLock(projectLock, { name, version: pkg.version, dependency: 'onnxruntime-node', engines });
      const pinned = lock.packages['node_modules/onnxruntime-node']?.version;
      if (pinned !== input.onnxruntimeVersion)
        throw new Error(`the lock pins onnxruntime-node ${pinned}, but ${input.onnxruntimeVersion} is installed (run npm ci)`);
      await writeFile(join(input.dir, 'package-lock.json'), `${JSON.stringify(lock, null, 2)}\n`);
      return { lockfile: 'project' };
    } catch (err) {
      return {
        lockfile: 'missing',
        lockfileError: `cannot derive it from this installation's package-lock.json: ${(err as Error).message}`,
      };
    }
  }
  return resolveLockWithNpm(input.dir);
}

/**
 * This installation's lock: `package-lock.json` in a checkout; in an installed VSIX (no lock of its
 * own) the copy scripts/build.mjs puts beside the prebuilt server; else npm's hidden lockfile
 * `node_modules/.package-lock.json` (same format, describes exactly what is installed).
 */
function readInstallLock(root: string): PackageLock | undefined {
  const candidates = [
    join(root, 'package-lock.json'),
    join(root, 'dist', 'bundle-server', 'project-package-lock.json'),
    join(root, 'node_modules', '.package-lock.json'),
  ];
  for (const file of candidates) {
    if (!existsSync(file)) continue;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as PackageLock;
    } catch {
      /* try the next one */
    }
  }
  return undefined;
}

/** Last resort without any lock on disk: let npm resolve one (these versions were not verified here). */
async function resolveLockWithNpm(dir: string): Promise<ServerFolder> {
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
      return {
        lockfile: 'missing',
        lockfileError:
          ((err as { stderr?: string }).stderr || (err as Error).message).split('\n').filter(Boolean).slice(-1)[0] ?? 'npm failed',
      };
    }
  }
}
