/**
 * `model-lab bench` and `model-lab compress` as a user runs them: child processes through tsx, exit
 * codes 0/1/2, what lands on stdout and on disk, and the input file left untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ComparisonReportSchema } from '../../server/bench/index';
import { decodeModel } from '../../server/model/index';

const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'server/cli/main.ts');
const BC = join(ROOT, 'samples/breast-cancer/breast_cancer.onnx');
const BC_REF = join(ROOT, 'samples/breast-cancer/reference.csv');
const DIGITS = join(ROOT, 'samples/digits/digits.onnx');

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

test('compress --int8 writes a smaller working model with a per-node summary; exit 0', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-compress-'));
  try {
    const before = hash(BC);
    const out = join(dir, 'bc.int8.onnx');
    const r = cli('compress', BC, '--int8', '-o', out, '--reference', BC_REF);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /Wrote .*bc\.int8\.onnx \(int8\): .*3\.\d+× smaller/);
    assert.match(r.stdout, /\/layers\/layers\.4\/Gemm\s+Gemm\s+skipped\s+only 128 weights/);
    assert.match(r.stdout, /Agreement on 256 reference rows: argmax 100\.0 %/);
    assert.ok(decodeModel(readFileSync(out)).graph!.node.some((n) => n.opType === 'MatMulInteger'));
    assert.equal(hash(BC), before, 'input untouched');

    const again = cli('compress', BC, '--int8', '-o', out);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists/);
    const over = cli('compress', BC, '--fp16', '-o', BC, '--force');
    assert.equal(over.status, 1, 'never over the input, even with --force');
    assert.match(over.stderr, /refusing to write the fp16 variant over the original model/);
    assert.equal(hash(BC), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test(
  'compress --int8-weights --per-channel --json on the digits ' + 'CNN copies its sidecar; usage errors exit 2; no quantizable ops exit 1',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'model-lab-compress-'));
    try {
      const out = join(dir, 'digits.small.onnx');
      const r = cli('compress', DIGITS, '--int8-weights', '--per-channel', '-o', out, '--json');
      assert.equal(r.status, 0, r.stderr);
      const json = JSON.parse(r.stdout);
      assert.equal(json.variant, 'int8-weights-pc');
      assert.deepEqual(json.sessionConfig, { 'session.disable_quant_qdq': '1' });
      assert.ok(existsSync(join(dir, 'digits.small.signature.json')), 'sidecar copied');
      assert.equal(cli('compress', DIGITS, '--int8', '--fp16', '-o', out).status, 2);
      assert.equal(cli('compress', DIGITS, '--prune', '1.5', '-o', out).status, 2);
      assert.equal(cli('compress', DIGITS, '--fp16').status, 2, 'missing -o');
      const iris = cli('compress', join(ROOT, 'samples/iris/iris.onnx'), '--int8', '-o', join(dir, 'x.onnx'));
      assert.equal(iris.status, 1);
      assert.match(iris.stderr, /no quantizable ops/);
      assert.ok(!existsSync(join(dir, 'x.onnx')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('bench --json prints a schema-valid report; unknown variants exit 2; a missing model exits 1', () => {
  const r = cli(
    'bench',
    BC,
    '--reference',
    BC_REF,
    '--variants',
    'int8,fp16',
    '--batches',
    '1,16',
    '--iterations',
    '5',
    '--warmup',
    '1',
    '--rows',
    '32',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const report = ComparisonReportSchema.parse(JSON.parse(r.stdout));
  assert.deepEqual(report.settings.batches, [1, 16]);
  assert.deepEqual(
    report.variants.map((v) => v.id),
    ['int8', 'fp16'],
  );
  const text = cli('bench', BC, '--variants', 'fp16', '--batches', '4', '--iterations', '3', '--warmup', '0', '--rows', '8');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /variant\s+size\s+gzip/);
  assert.match(text.stdout, /Verdicts\n {2}fp16: 1\.9\d× smaller file/);
  const bad = cli('bench', BC, '--variants', 'int4');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown variant 'int4'/);
  assert.equal(cli('bench', join(ROOT, 'nope.onnx')).status, 1);
  const iris = cli('bench', join(ROOT, 'samples/iris/iris.onnx'), '--variants', 'int8', '--batches', '1', '--iterations', '2');
  assert.equal(iris.status, 1, 'every variant failed');
  assert.match(iris.stderr, /no variant could be made: int8: no quantizable ops/);
});
