/**
 * Partial dependence, permutation importance and exact Shapley values against sklearn / numpy truth
 * (test/fixtures/explain/make_fixtures.py) on the iris and diabetes samples, run through onnxruntime.
 * Tolerances are relative above 1 (|a − e| ≤ tol · max(1, |e|)): the ONNX graphs compute in float32,
 * sklearn in float64.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  exactShap,
  partialDependence,
  permutationImportance,
  takeRows,
  truthFromTarget,
  type MetricName,
} from '../../server/explain/index';
import { assertClose, fixture, loadSample, type Loaded } from './helpers';

for (const name of ['iris', 'diabetes'] as const) {
  const truth = fixture(`${name}.json`);
  describe(`${name}: sklearn and numpy truth`, () => {
    let sample: Loaded;
    before(async () => {
      sample = await loadSample(truth.model, truth.data, truth.target);
    });
    after(() => sample.model.dispose());

    it('partial dependence equals sklearn partial_dependence (brute, grid_resolution 20) within 1e-5: grid, average and ICE', async () => {
      const pd = await partialDependence(sample.predictor, sample.table, { gridResolution: 20, iceRows: sample.table.rows });
      assert.equal(pd.curves.length, truth.features.length);
      truth.partialDependence.forEach((expected: { grid: number[]; average: number[][]; ice: number[][][] }, j: number) => {
        const curve = pd.curves[j];
        assert.equal(curve.feature, truth.features[j]);
        assertClose(curve.grid, expected.grid, 1e-9, `${curve.feature} grid`);
        assertClose(curve.average, expected.average, 1e-5, `${curve.feature} average`);
        // ICE kept for every row here, in row order: the first rows are sklearn's first individual curves.
        const ice = curve.ice.values.map((perOutput) => perOutput.slice(0, expected.ice[0].length));
        assertClose(ice, expected.ice, 1e-5, `${curve.feature} ICE`);
      });
    });

    for (const metric of Object.keys(truth.permutation)) {
      it(`permutation importance (${metric}) equals sklearn permutation_importance fed the same row orders`, async () => {
        const expected = truth.permutation[metric];
        const target = truthFromTarget(sample.table.target!, sample.predictor.task, sample.predictor.outputs, truth.target);
        const result = await permutationImportance(sample.predictor, sample.table, target, {
          metric: metric as MetricName,
          permutations: truth.orders,
        });
        assert.equal(result.nRepeats, 5);
        const tolerance = metric === 'accuracy' || metric === 'balanced_accuracy' ? 1e-12 : 1e-5;
        assertClose(
          result.features.map((f) => f.repeats),
          expected.repeats,
          tolerance,
          `${metric} repeats`,
        );
        assertClose(
          result.features.map((f) => f.mean),
          expected.mean,
          tolerance,
          `${metric} mean`,
        );
        assertClose(
          result.features.map((f) => f.std),
          expected.std,
          tolerance,
          `${metric} std`,
        );
      });
    }

    it('permutation importance with its own seeded shuffles is consistent with sklearn (within 4 standard deviations)', async () => {
      const metric = Object.keys(truth.permutation)[0] as MetricName;
      const expected = truth.permutation[metric];
      const target = truthFromTarget(sample.table.target!, sample.predictor.task, sample.predictor.outputs, truth.target);
      const result = await permutationImportance(sample.predictor, sample.table, target, { metric, nRepeats: 30, seed: 7 });
      result.features.forEach((f, j) => {
        const spread = Math.max(f.std, expected.std[j], 1e-3);
        assert.ok(Math.abs(f.mean - expected.mean[j]) <= 4 * spread, `${f.feature}: ${f.mean} vs sklearn ${expected.mean[j]} ± ${spread}`);
      });
    });

    it('exact Shapley values equal a brute-force numpy enumeration (1e-6, relative above 1)', async () => {
      const width = sample.table.features.length;
      const game = {
        width,
        background: takeRows(sample.table, truth.background),
        backgroundRows: truth.background.length,
        predictor: sample.predictor,
      };
      const rows = Object.keys(truth.shap).map(Number);
      const results = await exactShap(
        game,
        rows.map((r) => takeRows(sample.table, [r])),
      );
      results.forEach((result, i) => {
        const expected = truth.shap[String(rows[i])];
        const scale = Math.max(1, ...expected.prediction.map(Math.abs));
        assertClose(result.expected, expected.expected, 1e-6 * scale, `row ${rows[i]} expected value`);
        assertClose(result.prediction, expected.prediction, 1e-6 * scale, `row ${rows[i]} prediction`);
        assertClose(result.shap, expected.shap, 1e-6 * scale, `row ${rows[i]} SHAP`);
      });
    });
  });
}
