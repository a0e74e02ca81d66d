/** The drift command: exit codes, formats, overrides and errors, run in-process through its Command. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import drift from '../../server/cli/commands/drift';
import { UsageError } from '../../server/protocol/errors';
import { fixture } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'drift-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const out = (name: string) => join(dir, name);
const small = [fixture('small_reference.csv'), fixture('small_current.csv')];
const same = [fixture('small_reference.csv'), fixture('small_reference.csv')];

test('drift with --fail-on-drift exits 1; without it, 0; identical files exit 0', async () => {
  assert.equal(await drift.run([...small, '--quiet', '--fail-on-drift', '-o', out('a.txt')]), 1);
  assert.equal(await drift.run([...small, '--quiet', '-o', out('b.txt')]), 0);
  assert.equal(await drift.run([...same, '--quiet', '--fail-on-drift', '-o', out('c.txt')]), 0);
  assert.match(readFileSync(out('a.txt'), 'utf8'), /Dataset drift \(share rule\): YES/);
  assert.match(readFileSync(out('c.txt'), 'utf8'), /Dataset drift \(share rule\): no/);
});

test('--format json writes the documented report; --stattest and --threshold apply per column', async () => {
  const code = await drift.run([
    ...small,
    '--quiet',
    '--format',
    'json',
    '-o',
    out('r.json'),
    '--stattest',
    'cont=psi',
    '--threshold',
    '0.5',
    '--columns',
    'cont,cat',
    '--no-mmd',
  ]);
  assert.equal(code, 0);
  const report = JSON.parse(readFileSync(out('r.json'), 'utf8'));
  assert.equal(report.schemaVersion, 2);
  assert.deepEqual(
    report.columns.map((c: { name: string }) => c.name),
    ['cont', 'cat'],
  );
  const cont = report.columns[0];
  assert.equal(cont.test, 'psi');
  assert.equal(cont.threshold, 0.5);
  assert.match(cont.reason, /--stattest/);
  assert.equal(report.columns[1].test, 'chisquare');
  assert.equal(report.multivariate, null);
});

test('--format junit: one testcase per column, failures for drifted ones', async () => {
  await drift.run([...small, '--quiet', '--format', 'junit', '-o', out('r.xml')]);
  const xml = readFileSync(out('r.xml'), 'utf8');
  assert.equal((xml.match(/<testcase /g) ?? []).length, 11);
  assert.equal((xml.match(/<failure /g) ?? []).length, 7);
  assert.equal((xml.match(/<skipped /g) ?? []).length, 1);
});

test('--format html: self-contained, one SVG per column, small', async () => {
  await drift.run([...small, '--quiet', '--format', 'html', '-o', out('r.html')]);
  const html = readFileSync(out('r.html'), 'utf8');
  assert.equal((html.match(/<svg /g) ?? []).length, 11);
  assert.doesNotMatch(html, /<script|src=|href=/);
  assert.ok(html.length < 100_000, `${html.length} bytes`);
});

test('bad input exits 2 with a message naming the problem', async () => {
  const bad = join(dir, 'bad.csv');
  writeFileSync(bad, 'cont,cat\n1,a\n2,b,c\n');
  const errors: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = (s: string) => {
    errors.push(s);
    return true;
  };
  try {
    assert.equal(await drift.run([fixture('small_reference.csv'), bad, '--columns', 'cont,cat', '--quiet', '-o', out('x')]), 2);
    assert.equal(await drift.run([fixture('small_reference.csv'), join(dir, 'missing.csv'), '--quiet']), 2);
    assert.equal(await drift.run([...small, '--quiet', '--stattest-all', 'nope', '-o', out('y')]), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(errors[0], /bad\.csv, line 3, column 3: expected 2 fields/);
  assert.match(errors[1], /does not exist/);
  assert.match(errors[2], /unknown stat test "nope"/);
});

test('a bad command line is a usage error (exit 2 via the dispatcher)', async () => {
  await assert.rejects(drift.run([fixture('small_reference.csv')]), UsageError);
  await assert.rejects(drift.run([...small, '--format', 'pdf']), UsageError);
  await assert.rejects(drift.run([...small, '--stattest', 'cont']), UsageError);
});

test('--model adds prediction drift to every format; a model that does not load is exit 2', async () => {
  const flights = (name: string) => join(import.meta.dirname, '..', '..', 'samples', 'flights', name);
  const files = [flights('reference.csv'), flights('current.csv')];
  assert.equal(
    await drift.run([...files, '--quiet', '--no-mmd', '--model', flights('flights.onnx'), '--format', 'json', '-o', out('p.json')]),
    0,
  );
  const report = JSON.parse(readFileSync(out('p.json'), 'utf8'));
  assert.equal(report.predictions.drift, true);
  await drift.run([...files, '--quiet', '--no-mmd', '--model', flights('flights.onnx'), '--format', 'junit', '-o', out('p.xml')]);
  assert.match(readFileSync(out('p.xml'), 'utf8'), /name="prediction:label"/);
  await drift.run([...files, '--quiet', '--no-mmd', '--model', flights('flights.onnx'), '-o', out('p.txt')]);
  assert.match(readFileSync(out('p.txt'), 'utf8'), /Prediction drift: YES/);
  writeFileSync(out('broken.onnx'), 'not a model');
  assert.equal(await drift.run([...files, '--quiet', '--model', out('broken.onnx'), '--format', 'json', '-o', out('x.json')]), 2);
  // The data-drift result is still written, with the prediction error beside it.
  const broken = JSON.parse(readFileSync(out('x.json'), 'utf8'));
  assert.equal(broken.columns.length > 0, true);
  assert.match(broken.predictions.error, /could not be loaded: cannot load/);
  assert.deepEqual(broken.predictions.columns, []);
  assert.equal(await drift.run([...files, '--quiet', '--columns', 'nope', '-o', out('y.txt')]), 2);
});

test('--model on breast-cancer (one [N, 30] tensor): features named by the reference header, the target apart', async () => {
  // Before: the model was loaded without the reference, so it looked for feature_0…feature_29 and
  // every row failed; the target "diagnosis" was counted among the features.
  const bc = (name: string) => join(import.meta.dirname, '..', '..', 'samples', 'breast-cancer', name);
  const files = [bc('reference.csv'), bc('current.csv')];
  assert.equal(
    await drift.run([...files, '--quiet', '--no-mmd', '--model', bc('breast_cancer.onnx'), '--format', 'json', '-o', out('bc.json')]),
    0,
  );
  const report = JSON.parse(readFileSync(out('bc.json'), 'utf8'));
  assert.equal(report.predictions.error, null);
  assert.deepEqual(report.predictions.failedRows, { reference: 0, current: 0 });
  assert.deepEqual(report.predictions.columns.map((c: { name: string }) => c.name).sort(), ['label', 'p_benign', 'p_malignant']);
  assert.equal(report.options.target, 'diagnosis');
  assert.equal(report.target.name, 'diagnosis');
  assert.equal(report.columns.length, 30);
  assert.ok(!report.columns.some((c: { name: string }) => c.name === 'diagnosis'));
  assert.equal(report.dataset.share.testedColumns, 30);
  // Without a model, --target does the same; a name not in the reference is bad input (exit 2).
  assert.equal(await drift.run([...files, '--quiet', '--no-mmd', '--target', 'diagnosis', '--format', 'json', '-o', out('bt.json')]), 0);
  assert.equal(JSON.parse(readFileSync(out('bt.json'), 'utf8')).dataset.share.testedColumns, 30);
  assert.equal(await drift.run([...files, '--quiet', '--no-mmd', '--target', 'nope', '-o', out('bn.txt')]), 2);
});

test('--cache writes the reference cache next to the reference and reuses it', async () => {
  const reference = out('cached_reference.csv');
  writeFileSync(reference, readFileSync(fixture('small_reference.csv')));
  await drift.run([reference, fixture('small_current.csv'), '--quiet', '--cache', '--format', 'json', '-o', out('c1.json')]);
  await drift.run([reference, fixture('small_current.csv'), '--quiet', '--cache', '--format', 'json', '-o', out('c2.json')]);
  assert.equal(JSON.parse(readFileSync(out('c1.json'), 'utf8')).reference.cache, 'written');
  assert.equal(JSON.parse(readFileSync(out('c2.json'), 'utf8')).reference.cache, 'hit');
});
