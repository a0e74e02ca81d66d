/**
 * Where bundles go, and what is never left behind: a non-empty folder is refused (unless force, which
 * replaces it only once the new bundle is complete), an unwritable place is a clear error, a cancelled
 * export leaves nothing, and a model with an op the TF.js converter lacks still exports every other
 * target while the pre-check names the node.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { exportBundle, precheckExport } from '../../server/export';
import { loadTfjsConverter } from '../../server/export/tfjs-target';
import { decodeModel, encodeModel } from '../../server/model';
import { repoPath } from '../helpers/server';

const DIABETES = repoPath('samples/diabetes/diabetes.onnx');
const FAST = ['k8s', 'kserve'] as const;

describe('export folders: atomic, refusing, cancellable', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-export-dirs-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  const leftovers = (): string[] => readdirSync(temp).filter((f) => /\.(partial|replaced)-/.test(f));

  test('a non-empty folder is refused untouched; --force replaces it with a complete bundle', async () => {
    const out = join(temp, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'keep me');
    await assert.rejects(exportBundle(DIABETES, { outDir: out, targets: [...FAST] }), (err: Error) => {
      assert.equal(err.name, 'ExportError');
      assert.match(err.message, /busy is not empty \(1 entry, e\.g\. 'notes\.txt'\); choose an empty or new folder, or pass --force/);
      return true;
    });
    assert.deepEqual(readdirSync(out), ['notes.txt']);
    assert.deepEqual(leftovers(), []);

    const result = await exportBundle(DIABETES, { outDir: out, targets: [...FAST], force: true });
    assert.equal(result.ok, true);
    assert.equal(existsSync(join(out, 'notes.txt')), false);
    assert.ok(existsSync(join(out, 'MANIFEST.json')) && existsSync(join(out, 'kserve/inferenceservice.yaml')));
    assert.deepEqual(leftovers(), []);
  });

  test('an empty existing folder is used', async () => {
    const out = join(temp, 'empty');
    mkdirSync(out);
    const result = await exportBundle(DIABETES, { outDir: out, targets: ['k8s'] });
    assert.deepEqual(result.manifest.targets.written, ['onnx', 'k8s']);
    assert.ok(existsSync(join(out, 'k8s/deployment.yaml')));
    assert.equal(existsSync(join(out, 'server')), false, 'only the requested targets');
  });

  test('a place that cannot be written is a clear error, with nothing left', async () => {
    let out: string;
    if (process.getuid?.() === 0) {
      out = '/sys/model-lab-bundle'; // root can write anywhere chmod allows; /sys refuses even root
    } else {
      const locked = join(temp, 'locked');
      mkdirSync(locked);
      chmodSync(locked, 0o555);
      out = join(locked, 'bundle');
    }
    await assert.rejects(
      exportBundle(DIABETES, { outDir: out, targets: [...FAST] }),
      /cannot write the bundle into .*: (permission denied|the file system is read-only)/,
    );
    assert.equal(existsSync(out), false);
    const parentFile = join(temp, 'a-file');
    writeFileSync(parentFile, 'x');
    await assert.rejects(exportBundle(DIABETES, { outDir: join(parentFile, 'bundle'), targets: [...FAST] }), /cannot create .*a-file/);
  });

  test('cancelling mid-way leaves neither the bundle nor a staging folder', async () => {
    const out = join(temp, 'cancelled');
    const controller = new AbortController();
    await assert.rejects(
      exportBundle(DIABETES, {
        outDir: out,
        targets: ['docker', 'k8s'],
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stage === 'docker') controller.abort();
        },
      }),
      /cancelled/,
    );
    assert.equal(existsSync(out), false);
    assert.deepEqual(leftovers(), []);
  });

  test('bad requests are refused before any work: unknown target, unknown variant', async () => {
    await assert.rejects(
      exportBundle(DIABETES, { outDir: join(temp, 'x1'), targets: ['helm' as never] }),
      /unknown target 'helm'; choose from onnx, docker/,
    );
    await assert.rejects(exportBundle(DIABETES, { outDir: join(temp, 'x2'), variant: 'int3' }), /variant: unknown variant 'int3'/);
    assert.equal(existsSync(join(temp, 'x1')) || existsSync(join(temp, 'x2')), false);
    await assert.rejects(exportBundle(join(temp, 'missing.onnx'), { outDir: join(temp, 'x3') }), /missing\.onnx: no such file/);
    assert.deepEqual(leftovers(), []);
  });

  test('a model with an op the TF.js converter lacks: pre-check names the node, other targets export', async () => {
    const model = repoPath('test/fixtures/export/unsupported_op.onnx');
    const pre = await precheckExport(model, { targets: ['tfjs', 'triton'] });
    const tfjs = pre.targets.find((t) => t.target === 'tfjs')!;
    assert.equal(tfjs.ok, false);
    assert.equal(pre.targets.find((t) => t.target === 'triton')!.ok, true);
    if (loadTfjsConverter().api) {
      assert.deepEqual(
        tfjs.unsupportedNodes?.map((n) => [n.node, n.opType]),
        [['det_of_scaled', 'Det']],
      );
    } else {
      assert.match(tfjs.problems[0], /TF\.js converter .* not part of this build/);
    }
    const result = await exportBundle(model, { outDir: join(temp, 'det'), targets: ['tfjs', 'triton', 'kserve'] });
    assert.deepEqual(result.manifest.targets.written, ['onnx', 'kserve', 'triton']);
    assert.equal(result.ok, false, 'a requested target that could not be written fails the export');
    const failure = result.manifest.targets.failed[0];
    assert.equal(failure.target, 'tfjs');
    if (loadTfjsConverter().api) assert.match(failure.reason, /does not support 1 node: Det \(det_of_scaled\) — /);
    assert.equal(result.checks.find((c) => c.name === 'triton-model')?.status, 'pass');
    assert.match(readFileSync(join(temp, 'det', 'README.md'), 'utf8'), /Not exported:\n- \*\*tfjs\*\*/);
  });

  test('two refused nodes of one kind: the pre-check and the export name both in one group', async (t) => {
    if (!loadTfjsConverter().api) return t.skip('the TF.js converter is not part of this build');
    const model = decodeModel(readFileSync(repoPath('test/fixtures/export/unsupported_op.onnx')));
    const graph = model.graph!;
    const det = graph.node.find((n) => n.opType === 'Det')!;
    graph.node.push({ ...det, name: 'det_again', output: ['det_again_out'] });
    graph.output.push({ ...graph.output.find((o) => o.name === det.output[0])!, name: 'det_again_out' });
    const twice = join(temp, 'two_dets.onnx');
    writeFileSync(twice, encodeModel(model));
    const pre = await precheckExport(twice, { targets: ['tfjs'] });
    const tfjs = pre.targets.find((x) => x.target === 'tfjs')!;
    assert.equal(tfjs.problems.length, 1);
    assert.match(tfjs.problems[0], /^the TF\.js converter does not support 2 nodes: Det \(det_of_scaled, det_again\) — /);
    const result = await exportBundle(twice, { outDir: join(temp, 'two-dets'), targets: ['tfjs'] });
    assert.match(result.manifest.targets.failed[0].reason, /does not support 2 nodes: Det \(det_of_scaled, det_again\) — /);
  });
});
