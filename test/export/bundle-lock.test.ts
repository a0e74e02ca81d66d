/**
 * The bundle's package-lock.json is the onnxruntime-node subtree of the project's own lock: same
 * versions, resolved URLs and integrity hashes, and closed under npm's resolution (every dependency of a
 * shipped package resolves, inside the bundle's lock, to the same location it does in the project).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { deriveBundleLock, resolveLocation, type PackageLock } from '../../server/export/bundle-lock';
import { writeServerPackage } from '../../server/export/server-package';
import { repoPath } from '../helpers/server';

const ROOT = { name: 'flights-server', version: '1.0.0', dependency: 'onnxruntime-node', engines: { node: '>=20' } };

describe('bundle lock derived from the project lock', () => {
  test('the real project lock: every shipped package equals the project entry, and the tree is closed', () => {
    const project = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as PackageLock;
    const bundle = deriveBundleLock(project, ROOT);
    assert.equal(bundle.lockfileVersion, 3);
    const ort = project.packages['node_modules/onnxruntime-node'];
    assert.deepEqual(bundle.packages[''].dependencies, { 'onnxruntime-node': ort.version });
    assert.equal(bundle.packages[''].name, 'flights-server');

    const shipped = Object.keys(bundle.packages).filter((k) => k !== '');
    assert.ok(shipped.length >= 4, `onnxruntime-node and its dependencies (${shipped.join(', ')})`);
    for (const location of shipped) {
      const mine = bundle.packages[location];
      const theirs = project.packages[location];
      assert.ok(theirs, `${location} exists in the project lock`);
      assert.equal(mine.version, theirs.version, `${location} version`);
      assert.equal(mine.resolved, theirs.resolved, `${location} resolved`);
      assert.equal(mine.integrity, theirs.integrity, `${location} integrity`);
      assert.ok(mine.integrity?.startsWith('sha512-'), `${location} has an integrity hash`);
      assert.equal(mine.dev, undefined, `${location}: no project-role flags`);
      for (const dep of Object.keys(mine.dependencies ?? {})) {
        const inBundle = resolveLocation(bundle.packages, location, dep);
        assert.ok(inBundle, `${location} → ${dep} resolves inside the bundle lock`);
        assert.equal(inBundle, resolveLocation(project.packages, location, dep), `${location} → ${dep} resolves as in the project`);
      }
    }
    // The regression that broke offline installs: global-agent is the project's, not the newest.
    assert.equal(bundle.packages['node_modules/global-agent']?.version, project.packages['node_modules/global-agent']?.version);
    // Nothing unrelated to onnxruntime-node ships.
    for (const unrelated of ['node_modules/hono', 'node_modules/esbuild', 'node_modules/zod'])
      assert.equal(bundle.packages[unrelated], undefined, unrelated);
  });

  test('nested node_modules resolve the way npm does; optional edges and flags are recomputed', () => {
    const entry = (version: string, extra: object = {}) => ({
      version,
      resolved: `https://r/${version}.tgz`,
      integrity: `sha512-${version}`,
      ...extra,
    });
    const project: PackageLock = {
      lockfileVersion: 3,
      packages: {
        '': { name: 'p', dependencies: { ort: '1', other: '1' } },
        'node_modules/ort': entry('1.0.0', { dependencies: { a: '1' }, optionalDependencies: { 'gpu-only': '1', opt: '1' } }),
        'node_modules/a': entry('1.0.0', { dependencies: { b: '2', c: '1' }, dev: true }),
        'node_modules/a/node_modules/b': entry('2.0.0', { dependencies: { c: '1' } }),
        'node_modules/b': entry('1.0.0'), // b@1 for `other`: must not ship
        'node_modules/c': entry('1.0.0'),
        'node_modules/opt': entry('1.0.0', { optional: true }),
        'node_modules/other': entry('1.0.0', { dependencies: { b: '1' } }),
      },
    };
    assert.equal(resolveLocation(project.packages, 'node_modules/a/node_modules/b', 'c'), 'node_modules/c');
    assert.equal(resolveLocation(project.packages, 'node_modules/a', 'b'), 'node_modules/a/node_modules/b');
    const bundle = deriveBundleLock(project, { name: 's', version: '1.0.0', dependency: 'ort' });
    assert.deepEqual(Object.keys(bundle.packages).sort(), [
      '',
      'node_modules/a',
      'node_modules/a/node_modules/b',
      'node_modules/c',
      'node_modules/opt',
      'node_modules/ort',
    ]);
    assert.equal(bundle.packages['node_modules/a'].dev, undefined, 'a dev package of the project is a production package of the bundle');
    assert.equal(bundle.packages['node_modules/opt'].optional, true, 'reached only through an optional edge');
    assert.equal(bundle.packages['node_modules/c'].optional, undefined);
    assert.equal(bundle.packages['node_modules/a/node_modules/b'].integrity, 'sha512-2.0.0');
  });

  test('a missing required dependency or a missing subtree root is an error, not a partial lock', () => {
    const broken: PackageLock = {
      lockfileVersion: 3,
      packages: { '': {}, 'node_modules/ort': { version: '1.0.0', dependencies: { gone: '1' } } },
    };
    assert.throws(() => deriveBundleLock(broken, { name: 's', version: '1.0.0', dependency: 'ort' }), /no gone for node_modules\/ort/);
    assert.throws(() => deriveBundleLock(broken, { name: 's', version: '1.0.0', dependency: 'nope' }), /has no node_modules\/nope/);
    assert.throws(
      () => deriveBundleLock({ lockfileVersion: 1, packages: {} }, { name: 's', version: '1.0.0', dependency: 'ort' }),
      /lockfileVersion 1/,
    );
  });

  test('an installed VSIX (no package-lock.json at its root) derives it from the copy beside the prebuilt server', async () => {
    const install = mkdtempSync(join(tmpdir(), 'model-lab-vsix-root-'));
    const out = mkdtempSync(join(tmpdir(), 'model-lab-server-folder-'));
    try {
      mkdirSync(join(install, 'dist/bundle-server'), { recursive: true });
      cpSync(repoPath('package-lock.json'), join(install, 'dist/bundle-server/project-package-lock.json'));
      const project = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as PackageLock;
      const version = project.packages['node_modules/onnxruntime-node'].version!;
      const folder = await writeServerPackage({
        dir: out,
        modelName: 'Flights',
        toolVersion: 'test',
        installRoot: install,
        onnxruntimeVersion: version,
      });
      assert.deepEqual(folder, { lockfile: 'project' });
      const lock = JSON.parse(readFileSync(join(out, 'package-lock.json'), 'utf8')) as PackageLock;
      assert.deepEqual(lock, deriveBundleLock(project, { ...ROOT, name: 'flights-server' }));
      const pkg = JSON.parse(readFileSync(join(out, 'package.json'), 'utf8'));
      assert.deepEqual(pkg.dependencies, { 'onnxruntime-node': version });
      assert.deepEqual(pkg.allowScripts, { 'onnxruntime-node': false });
    } finally {
      rmSync(install, { recursive: true, force: true });
      rmSync(out, { recursive: true, force: true });
    }
  });
});
