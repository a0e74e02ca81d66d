/**
 * The bundled server as the receiving engineer runs it: the bundle copied to another folder, then
 * `node server/index.js` with env config only. Its answers to the README's sample requests are compared
 * with the dev model's; it has no dev-only routes; SIGTERM stops it cleanly. Also: `npm ci --omit=dev
 * --offline` from the bundle's own lockfile works (the verification mode the Dockerfile mirrors; with an npm cache
 * that lacks the packages, the registry fills in — as for a user whose cache was cleaned since `npm ci`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { exportBundle } from '../../server/export';
import { loadModel } from '../../server/model';
import { repoPath } from '../helpers/server';

describe('bundled server run from a copied bundle folder', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-bundle-run-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  let copy: string;

  before(async () => {
    const result = await exportBundle(repoPath('samples/flights/flights.onnx'), {
      outDir: join(temp, 'made'),
      referenceCsv: repoPath('samples/flights/reference.csv'),
      targets: ['docker'],
      verifyInstall: 'npm-ci',
    });
    const parity = result.checks.find((c) => c.name === 'server-parity')!;
    assert.equal(parity.status, 'pass', parity.detail);
    assert.equal(parity.measured?.install, 'npm-ci');
    process.stderr.write(`npm ci --omit=dev in the bundle's server/ (${parity.measured?.npmCache}): ${parity.measured?.npmCiMs} ms\n`);
    // Verified = shipped: the bundle's lock pins exactly what the project's lock (and so its npm ci) has.
    const project = JSON.parse(readFileSync(repoPath('package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; integrity?: string }>;
    };
    const bundleLock = JSON.parse(readFileSync(join(temp, 'made', 'server/package-lock.json'), 'utf8')) as typeof project;
    for (const [location, entry] of Object.entries(bundleLock.packages)) {
      if (location === '') continue;
      assert.equal(entry.version, project.packages[location]?.version, `${location}: the project's version`);
      assert.equal(entry.integrity, project.packages[location]?.integrity, `${location}: the project's integrity`);
    }
    const bundlePkg = JSON.parse(readFileSync(join(temp, 'made', 'server/package.json'), 'utf8')) as {
      allowScripts?: Record<string, boolean>;
    };
    assert.equal(bundlePkg.allowScripts?.['onnxruntime-node'], false, "npm 11 skips onnxruntime-node's download script");
    assert.equal(existsSync(join(temp, 'made', 'server/.npmrc')), false, 'no .npmrc with keys npm does not know');
    assert.match(
      readFileSync(join(temp, 'made', 'Dockerfile'), 'utf8'),
      /ENV ONNXRUNTIME_NODE_INSTALL=skip\n(.*\n)*RUN npm ci/,
      'older npm in the image skips it too',
    );
    copy = join(temp, 'elsewhere', 'flights-bundle');
    cpSync(join(temp, 'made'), copy, { recursive: true });
  });

  test('node server/index.js answers the README requests like the dev model, and has no export routes', async () => {
    const child = spawn(process.execPath, ['server/index.js'], {
      cwd: copy,
      env: { PATH: process.env.PATH, PORT: '0', NODE_PATH: repoPath('node_modules') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const line = out.split('\n').find((l) => l.includes('"ready"'));
          if (line) resolve(JSON.parse(line).url);
        });
        child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr}`)));
      });
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/, 'binds 127.0.0.1 unless HOST says otherwise');

      // The v1 body exactly as the README shows it.
      const readme = readFileSync(join(copy, 'README.md'), 'utf8');
      const v1Body = JSON.parse(/```json\n(\{\n  "instances"[\s\S]*?)\n```/.exec(readme)![1]);
      assert.equal(v1Body.instances.length, 3);
      const res = await fetch(`${url}/v1/models/flights:predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(v1Body),
      });
      assert.equal(res.status, 200);
      const { predictions } = (await res.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] };

      const dev = await loadModel(repoPath('samples/flights/flights.onnx'), { referenceCsv: repoPath('samples/flights/reference.csv') });
      try {
        const expected = (await dev.predictRecords(v1Body.instances)).predictions;
        assert.deepEqual(
          predictions.map((p) => p.label),
          expected.map((p) => p.label),
        );
        predictions.forEach((p, i) => {
          for (const [k, v] of Object.entries(expected[i].probabilities!))
            assert.ok(Math.abs(p.probabilities[k] - v) <= 1e-6, `row ${i} ${k}`);
        });
      } finally {
        await dev.dispose();
      }
      assert.equal((await fetch(`${url}/v2/health/ready`)).status, 200);
      const exportRoute = await fetch(`${url}/api/export`);
      assert.equal(exportRoute.status, 404, 'the dev-only export routes are not mounted in the bundle');
      assert.equal((await fetch(`${url}/api/perf`)).status, 404, 'nor the performance-lab routes (they write beside the model)');
      assert.equal((await fetch(`${url}/api/drift/files`)).status, 404, 'nor the drift routes');
      const job = await fetch(`${url}/api/jobs/export`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(job.status, 404, 'nor the job routes');
      const openapi = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, unknown> };
      assert.ok(openapi.paths['/v2/models/{model}/infer'], 'the prediction routes are documented');
      assert.deepEqual(
        Object.keys(openapi.paths).filter((p) => /^\/api\/(jobs|perf|drift|export)/.test(p)),
        [],
        'the lab routes are not',
      );
      assert.equal((await fetch(`${url}/`)).status, 200, 'the form is served from server/ui');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, `clean shutdown on SIGTERM; stderr: ${stderr}`);
    }
  });

  test('the bundle does not contain the lab or its engines (left out by tree-shaking, not stubbed)', () => {
    const code = readFileSync(join(copy, 'server/index.js'), 'utf8');
    // esbuild keeps names (keepNames), so each engine's entry function would appear by name if bundled.
    for (const name of ['mountLabRoutes', 'exportBundle', 'runDrift', 'compareVariants', 'createJobRunner']) {
      assert.ok(!code.includes(name), `${name} is not in the exported server`);
    }
    assert.ok(!code.includes('dev-routes-stub'), 'no stub module either');
  });
});
