/** `model-lab explain`, run in-process through its Command: formats, options and errors with their exit codes. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import explain from '../../server/cli/commands/explain';
import { main } from '../../server/cli/run';
import { ModelLabError, UsageError } from '../../server/protocol/errors';
import type { ExplainReport } from '../../server/protocol/explain';
import { repoPath } from './helpers';

const dir = mkdtempSync(join(tmpdir(), 'explain-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const iris = [repoPath('samples/iris/iris.onnx'), repoPath('samples/iris/reference.csv')];

test('--format json writes the documented report: every method, the metric named, SHAP adding up', async () => {
  const out = join(dir, 'iris.json');
  const code = await explain.run([
    ...iris,
    '--target',
    'species',
    '--format',
    'json',
    '--row',
    '3',
    '--interaction',
    'petal length (cm),petal width (cm)',
    '--quiet',
    '-o',
    out,
  ]);
  assert.equal(code, 0);
  const report = JSON.parse(readFileSync(out, 'utf8')) as ExplainReport;
  assert.deepEqual(report.model.outputs, ['setosa', 'versicolor', 'virginica']);
  assert.equal(report.permutation?.metric, 'accuracy');
  assert.equal(report.permutation?.features.length, 4);
  assert.equal(report.partialDependence?.curves[0].grid.length, 20);
  assert.deepEqual(report.partialDependence?.interaction?.features, ['petal length (cm)', 'petal width (cm)']);
  assert.equal(report.shap?.method, 'exact');
  assert.equal(report.shap?.local?.row, 3);
  const local = report.shap.local;
  local.shap.forEach((values, o) => {
    const sum = values.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - (local.prediction[o] - report.shap!.expectedValue[o])) < 1e-6);
  });
  // Petal measurements separate iris species; sepal width barely does.
  const importance = Object.fromEntries(report.permutation.features.map((f) => [f.feature, f.mean]));
  assert.ok(importance['petal length (cm)'] > importance['sepal width (cm)']);
});

test('--format html is one self-contained page with inline SVG charts and no scripts or external assets', async () => {
  const out = join(dir, 'gbm.html');
  const code = await explain.run([
    repoPath('samples/diabetes-gbm/diabetes_gbm.onnx'),
    repoPath('samples/diabetes-gbm/reference.csv'),
    '--format',
    'html',
    '--quiet',
    '--global-rows',
    '30',
    '-o',
    out,
  ]);
  assert.equal(code, 0);
  const html = readFileSync(out, 'utf8');
  assert.match(html, /<h2>Permutation importance<\/h2>.*R²/s);
  assert.match(html, /SHAP values \(tree\)/);
  assert.ok((html.match(/<svg /g) ?? []).length >= 10 + 3, 'a PDP panel per feature, importance, waterfall, mean |SHAP|, beeswarm');
  assert.doesNotMatch(html, /<script|src=|href=|url\(/i);
});

test('text is the default; --methods picks methods; no target means output change', async () => {
  const out = join(dir, 'flights.txt');
  writeFileSync(join(dir, 'no-target.csv'), readFileSync(repoPath('samples/flights/reference.csv'), 'utf8').replace(/,[^,\n]*$/gm, ''));
  const code = await explain.run([
    repoPath('samples/flights/flights.onnx'),
    join(dir, 'no-target.csv'),
    '--methods',
    'permutation',
    '--quiet',
    '-o',
    out,
  ]);
  assert.equal(code, 0);
  const text = readFileSync(out, 'utf8');
  assert.match(text, /Permutation importance \(mean absolute change of the model output/);
  assert.doesNotMatch(text, /SHAP values/);
});

test('bad command lines are UsageErrors (exit 2); bad input is a ModelLabError naming the field (exit 1)', async () => {
  await assert.rejects(explain.run([...iris, '--format', 'pdf']), UsageError);
  await assert.rejects(explain.run([...iris, '--methods', 'lime']), /--methods takes permutation, pdp, shap/);
  await assert.rejects(explain.run([...iris, '--interaction', 'a']), UsageError);
  await assert.rejects(
    explain.run([...iris, '--target', 'nope', '--quiet']),
    (err: ModelLabError) => err.field === 'target' && /no column 'nope'/.test(err.message),
  );
  await assert.rejects(
    explain.run([...iris, '--metric', 'r2', '--target', 'species', '--methods', 'permutation', '--quiet']),
    (err: ModelLabError) => err.field === 'metric' && /for regressors/.test(err.message),
  );
  await assert.rejects(explain.run([...iris, '--row', '150', '--methods', 'shap', '--quiet']), (err: ModelLabError) => err.field === 'row');
  await assert.rejects(
    explain.run([...iris, '--shap', 'tree', '--methods', 'shap', '--quiet']),
    (err: ModelLabError) => err.field === 'shapMethod',
  );
  const errors: string[] = [];
  const io = { out: () => undefined, err: (text: string) => void errors.push(text) };
  assert.equal(await main(['explain', repoPath('samples/iris/missing.onnx'), iris[1]], io), 1);
  assert.match(errors.join(''), /model '.*missing.onnx' does not exist/);
  assert.equal(await main(['explain', ...iris, '--grid', '1'], io), 2);
  assert.match(errors.join(''), /--grid must be a whole number from 2 to 200/);
});
