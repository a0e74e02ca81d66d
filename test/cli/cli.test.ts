/**
 * The `model-lab` CLI as a user runs it: a child process (through tsx, so no build is needed), its
 * exit codes, stdout and stderr, on the real iris sample.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse/sync';

const ROOT = join(__dirname, '../..');
const MAIN = join(ROOT, 'server/cli/main.ts');
const IRIS = join(ROOT, 'samples/iris/iris.onnx');
const IRIS_REFERENCE = join(ROOT, 'samples/iris/reference.csv');
const expected = JSON.parse(readFileSync(join(ROOT, 'samples/iris/expected.json'), 'utf8')) as {
  tolerance: number;
  records: Record<string, number>[];
  predictions: { label: string; probabilities: Record<string, number> }[];
};

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** stderr without onnxruntime's own log lines, which it prints whatever we do. */
const ourLines = (stderr: string) => stderr.split('\n').filter((l) => l.trim() && !l.includes('onnxruntime:'));

function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = ourLines(stderr);
  assert.equal(lines.length, 1, `exactly one line on stderr, got:\n${stderr}`);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

test('--version, --help and per-command help exit 0', () => {
  const version = cli('--version');
  assert.equal(version.status, 0);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  const help = cli('--help');
  assert.equal(help.status, 0);
  for (const name of ['serve', 'info', 'predict']) assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'));
  const serveHelp = cli('serve', '--help');
  assert.equal(serveHelp.status, 0);
  assert.match(serveHelp.stdout, /--batch-max/);
});

test('usage errors exit 2 with one line naming the problem', () => {
  assert.equal(cli().status, 2, 'no command');
  const unknown = cli('srve', IRIS);
  assert.equal(unknown.status, 2);
  assertOneLineError(unknown.stderr, /unknown command 'srve'.*serve, info, predict/);
  const badFlag = cli('serve', IRIS, '--prot', '8080');
  assert.equal(badFlag.status, 2);
  assertOneLineError(badFlag.stderr, /--prot/);
  const missing = cli('predict', IRIS);
  assert.equal(missing.status, 2);
  assertOneLineError(missing.stderr, /missing <in\.csv>/);
  const badPort = cli('serve', IRIS, '--port', 'eighty');
  assert.equal(badPort.status, 2);
  assertOneLineError(badPort.stderr, /--port must be a whole number/);
});

test('user errors exit 1 with one line and no stack trace', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-cli-'));
  const noFile = cli('info', join(dir, 'nope.onnx'));
  assert.equal(noFile.status, 1);
  assertOneLineError(noFile.stderr, /nope\.onnx' does not exist/);
  writeFileSync(join(dir, 'broken.onnx'), 'this is not a model');
  const broken = cli('info', join(dir, 'broken.onnx'));
  assert.equal(broken.status, 1);
  assertOneLineError(broken.stderr, /broken\.onnx/);
  writeFileSync(join(dir, 'wrong.csv'), 'a,b\n1,2\n');
  const wrongCsv = cli('predict', IRIS, join(dir, 'wrong.csv'), '-o', join(dir, 'out.csv'));
  assert.equal(wrongCsv.status, 1);
  assertOneLineError(wrongCsv.stderr, /sepal length/);
  assert.deepEqual(readdirSync(dir).sort(), ['broken.onnx', 'wrong.csv'], 'no output or partial file left behind');
});

test('info --json is JSON with the model description and signature', () => {
  const r = cli('info', IRIS, '--json', '--reference', IRIS_REFERENCE);
  assert.equal(r.status, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as {
    info: { name: string; opsets: unknown[] };
    signature: { features: { name: string }[]; task: string };
  };
  assert.equal(parsed.info.name, 'iris');
  assert.ok(parsed.info.opsets.length > 0);
  assert.equal(parsed.signature.task, 'classification');
  assert.deepEqual(
    parsed.signature.features.map((f) => f.name),
    Object.keys(expected.records[0]),
  );
  const table = cli('info', IRIS);
  assert.equal(table.status, 0);
  assert.match(table.stdout, /^Inputs$/m);
  assert.match(table.stdout, /float_input\s+float32\s+\[\?, 4\]/);
});

test('predict writes input columns, predictions and an error column; a bad row fails alone (exit 1)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-cli-'));
  const columns = Object.keys(expected.records[0]);
  const lines = [columns.join(','), ...expected.records.map((r) => columns.map((c) => r[c]).join(','))];
  writeFileSync(join(dir, 'in.csv'), `${lines.join('\n')}\n`);

  const ok = cli('predict', IRIS, join(dir, 'in.csv'), '-o', join(dir, 'out.csv'));
  assert.equal(ok.status, 0, ok.stderr);
  const rows = parse<Record<string, string>>(readFileSync(join(dir, 'out.csv')), { columns: true });
  assert.deepEqual(Object.keys(rows[0]), [...columns, 'label', 'p_setosa', 'p_versicolor', 'p_virginica', 'error']);
  assert.equal(rows.length, expected.predictions.length);
  rows.forEach((row, i) => {
    const want = expected.predictions[i];
    assert.equal(row.label, want.label, `row ${i + 1} label`);
    for (const [cls, p] of Object.entries(want.probabilities)) {
      assert.ok(Math.abs(Number(row[`p_${cls}`]) - p) <= expected.tolerance, `row ${i + 1} p_${cls}: ${row[`p_${cls}`]} vs ${p}`);
    }
    assert.equal(row.error, '');
  });

  // Line 3 (second data row) gets a non-number: only that row has an error.
  const badLines = [...lines];
  badLines[2] = badLines[2].replace(/^[^,]+/, 'abc');
  writeFileSync(join(dir, 'bad.csv'), `${badLines.join('\n')}\n`);
  const bad = cli('predict', IRIS, join(dir, 'bad.csv'), '-o', join(dir, 'bad-out.csv'));
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /1 of 5 rows could not be predicted.*line 3/);
  const badRows = parse<Record<string, string>>(readFileSync(join(dir, 'bad-out.csv')), { columns: true });
  assert.equal(badRows.length, 5);
  assert.match(badRows[1].error, /line 3.*sepal length/);
  assert.equal(badRows[1].label, '');
  assert.equal(badRows[0].label, expected.predictions[0].label);
  assert.equal(badRows[2].label, expected.predictions[2].label);
  assert.ok(!existsSync(join(dir, '.bad-out.csv.partial')));
});

test('serve prints one ready line, answers /v2/health/ready, and exits 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', IRIS, '--port', '0', '--no-watch'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += String(d);
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const stdoutLines = createInterface({ input: child.stdout });
    const first = await new Promise<string>((resolve, reject) => {
      stdoutLines.once('line', resolve);
      child.once('exit', () => reject(new Error(`serve exited before the ready line:\n${stderr}`)));
    });
    const ready = JSON.parse(first) as { event: string; url: string; model: string; pid: number };
    assert.equal(ready.event, 'ready');
    assert.equal(ready.model, 'iris');
    assert.equal(ready.pid, child.pid);
    assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${ready.url}/v2/health/ready`);
    assert.equal(health.status, 200);
    const more: string[] = [];
    stdoutLines.on('line', (l) => more.push(l));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(more, [], 'nothing but the ready line on stdout');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
