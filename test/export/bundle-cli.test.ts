/** `model-lab export` through the built CLI: exit codes, progress on stderr, the reason on failure. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { repoPath } from '../helpers/server';

const cli = (args: string[]) =>
  spawnSync(process.execPath, [repoPath('bin/model-lab.js'), 'export', ...args], { encoding: 'utf8', cwd: repoPath() });

describe('model-lab export', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-export-cli-'));
  after(() => rmSync(temp, { recursive: true, force: true }));
  const model = repoPath('samples/iris/iris.onnx');

  test('writes the bundle, reports checks on stdout and progress on stderr (exit 0)', () => {
    const out = join(temp, 'iris');
    const r = cli([model, '--targets', 'k8s,kserve,triton', '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^bundle: .*iris \(\d+ files/);
    assert.match(r.stdout, /ok {4}triton triton-model/);
    assert.match(r.stderr, /\[\d+\/\d+\] verifying k8s/);
    assert.ok(existsSync(join(out, 'MANIFEST.json')));
  });

  test('exit 1 with the reason when a requested target fails; exit 1 for a non-empty folder; exit 2 for usage', () => {
    const tfjs = cli([repoPath('test/fixtures/export/unsupported_op.onnx'), '--targets', 'tfjs', '-o', join(temp, 'det'), '--json']);
    assert.equal(tfjs.status, 1);
    assert.match(tfjs.stderr, /check\(s\) failed — tfjs: /);
    assert.equal(JSON.parse(tfjs.stdout).targets.failed[0].target, 'tfjs');

    const busy = join(temp, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'x'), 'x');
    const refused = cli([model, '-o', busy]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /model-lab export: .*busy is not empty .* pass --force/);

    assert.equal(cli([model]).status, 2);
    const unknown = cli([model, '-o', join(temp, 'u'), '--targets', 'helm']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown target 'helm'/);
  });
});
