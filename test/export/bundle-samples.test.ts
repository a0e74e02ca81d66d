/**
 * Exports every sample model with every target and checks the bundle: the manifest (every file with
 * its sha256), the checks Model Lab ran (bundled server started with node and compared, Dockerfile
 * rules, Kubernetes/KServe schemas, Triton copy), the README's sample requests, and TF.js: refused for
 * the skl2onnx samples (iris, flights) with the node names, converted and matched for the others.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { exportBundle, precheckExport, type ExportResult } from '../../server/export';
import { repoPath } from '../helpers/server';

const SAMPLES = [
  { name: 'breast_cancer', model: 'samples/breast-cancer/breast_cancer.onnx', reference: 'samples/breast-cancer/reference.csv' },
  { name: 'iris', model: 'samples/iris/iris.onnx', reference: 'samples/iris/reference.csv' },
  { name: 'diabetes', model: 'samples/diabetes/diabetes.onnx', reference: 'samples/diabetes/reference.csv' },
  { name: 'digits', model: 'samples/digits/digits.onnx' },
  { name: 'flights', model: 'samples/flights/flights.onnx', reference: 'samples/flights/reference.csv' },
];

describe('export bundles of the sample models', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-bundles-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  const timings: string[] = [];
  after(() => {
    process.stderr.write(`export timings: ${timings.join(', ')}\n`);
  });

  for (const sample of SAMPLES) {
    test(`${sample.name}: every target written and verified`, async () => {
      const outDir = join(temp, sample.name);
      const stages: string[] = [];
      const result: ExportResult = await exportBundle(repoPath(sample.model), {
        outDir,
        referenceCsv: sample.reference && repoPath(sample.reference),
        onProgress: (p) => stages.push(p.stage),
      });
      const bytes = result.manifest.files.reduce((a, f) => a + f.bytes, 0);
      timings.push(`${sample.name} ${result.manifest.timings.totalMs} ms ${(bytes / 1024).toFixed(0)} KiB`);
      assert.equal(stages.at(-1), 'done');
      assert.ok(!readFileSync(join(temp, sample.name, 'MANIFEST.json'), 'utf8').includes('.partial-'), 'manifest names no staging paths');

      // Every check except the TF.js target passed; docker-build is skipped with the reason.
      const failing = result.checks.filter((c) => c.status === 'fail' && c.target !== 'tfjs');
      assert.deepEqual(
        failing.map((c) => `${c.target}/${c.name}: ${c.detail}`),
        [],
      );
      for (const name of [
        'signature-roundtrip',
        'server-parity',
        'dockerfile-rules',
        'lockfile',
        'k8s-schema',
        'kserve-schema',
        'triton-model',
      ]) {
        assert.equal(result.checks.find((c) => c.name === name)?.status, 'pass', name);
      }
      const parity = result.checks.find((c) => c.name === 'server-parity')!;
      assert.equal(parity.measured?.maxAbsDiff, 0, 'same onnxruntime, same answers');
      assert.match(result.checks.find((c) => c.name === 'docker-build')!.detail, /Docker/);

      // TF.js: the ZipMap samples are refused naming the node; others convert, or the converter is absent.
      const tfjs = result.checks.find((c) => c.target === 'tfjs')!;
      if (result.manifest.targets.written.includes('tfjs')) {
        assert.equal(tfjs.status, 'pass', tfjs.detail);
        assert.ok(
          existsSync(join(outDir, 'tfjs/model.json')) &&
            existsSync(join(outDir, 'tfjs/index.html')) &&
            existsSync(join(outDir, 'tfjs/tf.min.js')),
        );
      } else {
        const reason = result.manifest.targets.failed.find((f) => f.target === 'tfjs')!.reason;
        assert.ok(sample.name === 'iris' || sample.name === 'flights', `only the skl2onnx samples are refused: ${reason}`);
        assert.match(reason, /the TF\.js converter does not support \d+ nodes?: .*ai\.onnx\.ml:LinearClassifier \(/);
        assert.equal(existsSync(join(outDir, 'tfjs')), false, 'a refused target leaves no files');
        const pre = await precheckExport(repoPath(sample.model), { targets: ['tfjs'] });
        assert.ok(
          pre.targets[1].unsupportedNodes!.some((n) => n.opType === 'ai.onnx.ml:ZipMap'),
          'the pre-check lists the ZipMap node',
        );
      }

      // The manifest lists every file (MANIFEST.json aside) with the right sha256.
      const paths = result.manifest.files.map((f) => f.path);
      for (const expected of [
        `model/${sample.name}.onnx`,
        `model/${sample.name}.signature.json`,
        'README.md',
        'Dockerfile',
        '.dockerignore',
        'server/index.js',
        'server/package.json',
        'server/package-lock.json',
        'k8s/deployment.yaml',
        'k8s/service.yaml',
        'k8s/hpa.yaml',
        'kserve/inferenceservice.yaml',
        `triton/${sample.name}/config.pbtxt`,
        `triton/${sample.name}/1/model.onnx`,
      ]) {
        assert.ok(paths.includes(expected), `${expected} in MANIFEST.json`);
      }
      for (const f of result.manifest.files) {
        assert.equal(
          createHash('sha256')
            .update(readFileSync(join(outDir, f.path)))
            .digest('hex'),
          f.sha256,
          f.path,
        );
      }
      const onDisk = JSON.parse(readFileSync(join(outDir, 'MANIFEST.json'), 'utf8'));
      assert.deepEqual(
        onDisk.checks.map((c: { name: string }) => c.name),
        result.checks.map((c) => c.name),
      );

      // README: the signature and sample requests for OIP v2 (and v1 when the model has named features).
      const readme = readFileSync(join(outDir, 'README.md'), 'utf8');
      assert.match(readme, new RegExp(`POST /v2/models/${sample.name}/infer`));
      assert.match(readme, /Docker was not available/);
      if (sample.name !== 'digits')
        assert.match(readme, new RegExp(`curl -sS -X POST 'http://localhost:8080/v1/models/${sample.name}:predict'`));
      const pbtxt = readFileSync(join(outDir, `triton/${sample.name}/config.pbtxt`), 'utf8');
      assert.match(pbtxt, /platform: "onnxruntime_onnx"/);
      assert.match(pbtxt, /dynamic_batching/);
    });
  }
});
