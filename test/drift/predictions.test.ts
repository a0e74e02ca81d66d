/** Prediction drift (`--model`): the model predicts both files and its outputs are tested like columns. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDrift } from '../../server/drift';
import { predictFile } from '../../server/drift/predictions';
import { loadModel } from '../../server/model/index';

const root = join(import.meta.dirname, '..', '..');
const flights = (name: string) => join(root, 'samples', 'flights', name);

test('flights: reference vs current flags drift in the prediction columns', async () => {
  const report = await runDrift({
    reference: flights('reference.csv'),
    current: flights('current.csv'),
    model: flights('flights.onnx'),
    mmd: false,
  });
  const p = report.predictions;
  assert.ok(p, 'a predictions section');
  assert.deepEqual(p.rows, { reference: 2000, current: 1000 });
  assert.equal(p.failedRows.reference, 0);
  const names = p.columns.map((c) => c.name);
  assert.ok(names.includes('label'), `label among ${names.join(', ')}`);
  assert.ok(
    names.some((n) => n.startsWith('p_')),
    `class probabilities among ${names.join(', ')}`,
  );
  const label = p.columns.find((c) => c.name === 'label')!;
  assert.equal(label.kind, 'categorical');
  for (const c of p.columns.filter((c) => c.name.startsWith('p_'))) {
    assert.equal(c.kind, 'numerical');
    // 2,000 reference rows > 1,000 and many distinct probabilities → Wasserstein (normed), Evidently's choice.
    assert.equal(c.test, 'wasserstein');
  }
  assert.ok(
    p.columns.some((c) => c.drift),
    `some prediction column drifts: ${p.columns.map((c) => `${c.name}=${c.score}`).join(', ')}`,
  );
  assert.equal(p.drift, true);
});

test('the same file predicted on both sides shows no prediction drift', async () => {
  const report = await runDrift({
    reference: flights('reference.csv'),
    current: flights('reference.csv'),
    model: flights('flights.onnx'),
    mmd: false,
  });
  assert.equal(report.predictions!.drift, false);
  for (const c of report.predictions!.columns) assert.equal(c.score, c.rule === 'distance>=' ? 0 : c.score);
});

test('rows the model cannot take are counted as failed and missing, not fatal', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'drift-pred-'));
  const file = join(dir, 'some-bad.csv');
  writeFileSync(
    file,
    'carrier,origin,distance,dep_hour,day_of_week,delayed\nDL,DEN,526,22,0,0\nUA,LAS,not-a-number,17,4,1\nAA,MCO,362,9,2,0\n',
  );
  const model = await loadModel(flights('flights.onnx'));
  try {
    const out = await predictFile(model, file, { batchRows: 2 });
    assert.equal(out.rows, 3);
    assert.equal(out.failedRows, 1);
    assert.match(out.firstError ?? '', /line 3/);
    const label = out.columns.get('label')!;
    assert.equal(label.rows, 3);
    assert.equal(label.missing, 1);
  } finally {
    await model.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
