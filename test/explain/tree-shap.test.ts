/**
 * TreeSHAP read from the ONNX TreeEnsembleRegressor of samples/diabetes-gbm against xgboost's own
 * `pred_contribs` (path-dependent TreeSHAP; test/fixtures/explain/make_fixtures.py), and its properties.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeCovers, explainModel, readTreeEnsemble, takeRows, treeShap, type TreeEnsemble } from '../../server/explain/index';
import { assertClose, fixture, loadSample, repoPath, type Loaded } from './helpers';

const truth = fixture('diabetes-gbm.json');

describe('TreeSHAP on the diabetes-gbm ONNX tree ensemble', () => {
  let sample: Loaded;
  let ensemble: TreeEnsemble;
  before(async () => {
    sample = await loadSample(truth.model, truth.data);
    const found = await readTreeEnsemble(repoPath(truth.model), sample.model.signature, sample.predictor.tensor, truth.features);
    assert.ok(found.ensemble, found.reason);
    ensemble = found.ensemble;
    computeCovers(ensemble, sample.table.values, sample.table.rows, sample.table.features.length);
  });
  after(() => sample.model.dispose());

  it('reads 100 trees of depth ≤ 6 whose sum equals onnxruntime and xgboost predictions', async () => {
    assert.equal(ensemble.trees.length, 100);
    assert.ok(Math.max(...ensemble.trees.map((t) => t.maxDepth)) <= 6);
    const rows = truth.rows.map((r: number) => takeRows(sample.table, [r]));
    const results = treeShap(ensemble, rows, sample.table.features.length);
    const onnx = await sample.predictor.predict(takeRows(sample.table, truth.rows), truth.rows.length);
    results.forEach((r, i) => {
      assertClose(r.prediction[0], onnx[i], 1e-6, `row ${truth.rows[i]} vs onnxruntime`);
      assertClose(r.prediction[0], truth.predictions[i], 1e-6, `row ${truth.rows[i]} vs xgboost`);
    });
  });

  it('equals xgboost pred_contribs within 1e-5 (relative above 1), bias included', () => {
    const rows = truth.rows.map((r: number) => takeRows(sample.table, [r]));
    const results = treeShap(ensemble, rows, sample.table.features.length);
    results.forEach((r, i) => {
      assertClose(r.shap[0], truth.contributions[i], 1e-5, `row ${truth.rows[i]} contributions`);
      assertClose(r.expected[0], truth.bias[i], 1e-5, `row ${truth.rows[i]} bias`);
    });
  });

  it('is additive: the values sum to prediction − expected value within 1e-6', () => {
    const rows = Array.from({ length: 50 }, (_, r) => takeRows(sample.table, [r * 7]));
    for (const r of treeShap(ensemble, rows, sample.table.features.length)) {
      const sum = r.shap[0].reduce((a, b) => a + b, 0);
      assertClose(sum, r.prediction[0] - r.expected[0], 1e-6, 'sum of SHAP values');
    }
  });

  it('explainModel chooses TreeSHAP for the ensemble (auto); local and global values add up to its predictions', async () => {
    const report = await explainModel({ model: sample.model, data: sample.table, methods: ['shap'], row: 22, globalRows: 40 });
    const shap = report.shap!;
    assert.equal(shap.method, 'tree');
    assert.match(shap.methodNote, /path-dependent/i);
    assertClose(shap.local!.shap[0], truth.contributions[1], 1e-5, 'row 22 is the fixture row 22');
    const onnx = await sample.predictor.predict(takeRows(sample.table, shap.global!.rows), 40);
    shap.global!.shap[0].forEach((values, i) =>
      assertClose(values.reduce((a, b) => a + b, 0) + shap.expectedValue[0], onnx[i], 1e-5, `global row ${shap.global!.rows[i]}`),
    );
    assert.equal(shap.global!.meanAbs[0].length, 10);
  });
});
