/**
 * Properties every explanation must have, on a linear model whose third feature has weight 0
 * (test/fixtures/explain/linear_ignored.onnx: y = 2a − b + 0.5d + 1) and on the samples: an ignored
 * feature gets importance 0, a flat partial dependence and zero SHAP values; a linear model's partial
 * dependence is a straight line of its slope; SHAP values add up; KernelSHAP with every coalition equals
 * exact Shapley values and with a sample stays within a stated tolerance; categories and per-column
 * string inputs (flights) behave like numbers in one tensor.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  exactShap,
  explainModel,
  kernelShap,
  partialDependence,
  permutationImportance,
  takeRows,
  truthFromTarget,
  type Game,
} from '../../server/explain/index';
import { CancelledError } from '../../server/protocol/errors';
import { assertClose, loadSample, type Loaded } from './helpers';

const WEIGHTS = [2, -1, 0, 0.5];

describe('a linear model that ignores feature c', () => {
  let sample: Loaded;
  let game: Game;
  before(async () => {
    sample = await loadSample('test/fixtures/explain/linear_ignored.onnx', 'test/fixtures/explain/linear_ignored.csv', 'y');
    game = { width: 4, background: takeRows(sample.table, [...Array(30).keys()]), backgroundRows: 30, predictor: sample.predictor };
  });
  after(() => sample.model.dispose());

  it('permutation importance of c is exactly 0, with a target (every metric) and without', async () => {
    const truth = truthFromTarget(sample.table.target!, 'regression', sample.predictor.outputs, 'y');
    for (const metric of ['r2', 'mae', 'rmse'] as const) {
      const result = await permutationImportance(sample.predictor, sample.table, truth, { metric, nRepeats: 3, seed: 1 });
      assert.equal(result.features[2].mean, 0, metric);
      assert.equal(result.features[2].std, 0, metric);
      assert.ok(result.features[0].mean > result.features[3].mean && result.features[3].mean > 0, `${metric}: |2| > |0.5| > 0`);
    }
    const noTarget = await permutationImportance(sample.predictor, sample.table, null, { nRepeats: 3, seed: 1 });
    assert.equal(noTarget.metric, 'output_change');
    assert.equal(noTarget.features[2].mean, 0);
    assert.ok(noTarget.features[0].mean > 0);
  });

  it('partial dependence of c is flat; of a, b, d a straight line of slope 2, −1, 0.5', async () => {
    const pd = await partialDependence(sample.predictor, sample.table, { gridResolution: 20, iceRows: 5 });
    pd.curves.forEach((curve, j) => {
      const ys = curve.average[0];
      const xs = curve.grid as number[];
      for (let g = 1; g < xs.length; g++) {
        const slope = (ys[g] - ys[g - 1]) / (xs[g] - xs[g - 1]);
        assert.ok(Math.abs(slope - WEIGHTS[j]) < 1e-4, `${curve.feature}: slope ${slope} between grid points ${g - 1} and ${g}`);
      }
      if (WEIGHTS[j] === 0)
        assert.ok(
          ys.every((y) => Math.abs(y - ys[0]) < 1e-6),
          'flat',
        );
      // ICE curves of a linear model are parallel to the average.
      for (const ice of curve.ice.values[0]) assert.ok(Math.abs(ice[ice.length - 1] - ice[0] - (ys[ys.length - 1] - ys[0])) < 1e-4);
    });
  });

  it('exact SHAP values are w·(x − mean of the background), zero for c, and add up to f(x) − E[f] (1e-6)', async () => {
    const rows = [0, 5, 99].map((r) => takeRows(sample.table, [r]));
    const results = await exactShap(game, rows);
    results.forEach((r, i) => {
      const mean = (j: number) => Array.from({ length: 30 }, (_, b) => game.background[b * 4 + j]).reduce((a, c) => a + c, 0) / 30;
      assertClose(
        r.shap[0],
        WEIGHTS.map((w, j) => w * (Math.fround(rows[i][j]) - mean(j))),
        1e-5,
        'w·(x − mean)',
      );
      assert.ok(Math.abs(r.shap[0][2]) < 1e-6, 'c gets 0');
      assertClose(
        r.shap[0].reduce((a, b) => a + b, 0),
        r.prediction[0] - r.expected[0],
        1e-6,
        'additivity',
      );
    });
  });

  it('KernelSHAP with every coalition (14 of 2^4 − 2) equals exact Shapley values within 1e-6', async () => {
    const rows = [1, 2, 3].map((r) => takeRows(sample.table, [r]));
    const exact = await exactShap(game, rows);
    const kernel = await kernelShap(game, rows, { samples: 14 });
    kernel.forEach((k, i) => assertClose(k.shap, exact[i].shap, 1e-6, `row ${i}`));
  });

  it('an aborted signal stops the work with a CancelledError; progress is reported on the way', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    const run = partialDependence(
      sample.predictor,
      sample.table,
      { gridResolution: 20 },
      {
        signal: abort.signal,
        progress: (p) => {
          seen.push(p.done);
          abort.abort();
        },
      },
    );
    await assert.rejects(run, CancelledError);
    assert.equal(seen.length, 1);
  });
});

describe('KernelSHAP against exact Shapley values on the diabetes-gbm sample (10 features, non-linear)', () => {
  let sample: Loaded;
  before(async () => {
    sample = await loadSample('samples/diabetes-gbm/diabetes_gbm.onnx', 'samples/diabetes-gbm/reference.csv');
  });
  after(() => sample.model.dispose());

  it('with the default 532 sampled coalitions (of 1022): additive to 1e-6 and within 4 % of the largest |exact value|', async () => {
    const game: Game = {
      width: 10,
      background: takeRows(sample.table, [...Array(50).keys()]),
      backgroundRows: 50,
      predictor: sample.predictor,
    };
    const rows = [3, 100, 300].map((r) => takeRows(sample.table, [r]));
    const exact = await exactShap(game, rows);
    const kernel = await kernelShap(game, rows, { seed: 3 });
    kernel.forEach((k, i) => {
      const largest = Math.max(...exact[i].shap[0].map(Math.abs));
      k.shap[0].forEach((v, j) =>
        assert.ok(Math.abs(v - exact[i].shap[0][j]) <= 0.04 * largest, `row ${i} feature ${j}: ${v} vs ${exact[i].shap[0][j]}`),
      );
      assertClose(
        k.shap[0].reduce((a, b) => a + b, 0),
        exact[i].prediction[0] - exact[i].expected[0],
        1e-6,
        'additivity',
      );
    });
  });
});

describe('flights: string categories in per-column inputs', () => {
  let sample: Loaded;
  before(async () => {
    sample = await loadSample('samples/flights/flights.onnx', 'samples/flights/reference.csv', 'delayed');
  });
  after(() => sample.model.dispose());

  it('partial dependence of a category runs over its categories (sorted) and gives a value per class', async () => {
    const pd = await partialDependence(sample.predictor, sample.table, {
      features: ['carrier', 'distance'],
      gridResolution: 10,
      iceRows: 3,
    });
    const carrier = pd.curves[0];
    assert.equal(carrier.kind, 'category');
    assert.deepEqual(carrier.grid, [...new Set(carrier.grid)].sort());
    assert.ok(carrier.grid.includes('NK') && carrier.grid.includes('DL'));
    assert.equal(carrier.average.length, 2);
    carrier.grid.forEach((_, g) => assertClose(carrier.average[0][g] + carrier.average[1][g], 1, 1e-6, 'probabilities sum to 1'));
    // The generator gives NK a higher delay effect than DL: the model learned it.
    assert.ok(carrier.average[1][carrier.grid.indexOf('NK')] > carrier.average[1][carrier.grid.indexOf('DL')]);
    assert.equal(pd.curves[1].grid.length, 10);
  });

  it('exact and full KernelSHAP agree, per class, and add up; the form input (a record) is explained like a data row', async () => {
    const game: Game = {
      width: 5,
      background: takeRows(sample.table, [...Array(40).keys()]),
      backgroundRows: 40,
      predictor: sample.predictor,
    };
    const rows = [7, 8].map((r) => takeRows(sample.table, [r]));
    const exact = await exactShap(game, rows);
    const kernel = await kernelShap(game, rows, { samples: 30 });
    kernel.forEach((k, i) => {
      assertClose(k.shap, exact[i].shap, 1e-6, `row ${i}`);
      for (let o = 0; o < 2; o++)
        assertClose(
          k.shap[o].reduce((a, b) => a + b, 0),
          k.prediction[o] - k.expected[o],
          1e-6,
          'additivity',
        );
    });
    const report = await explainModel({
      model: sample.model,
      data: sample.table,
      methods: ['shap'],
      record: { carrier: 'NK', origin: 'EWR', distance: 1200, dep_hour: 19, day_of_week: 4 },
      globalRows: 0,
    });
    assert.equal(report.shap?.method, 'exact');
    assert.equal(report.shap?.local?.row, null);
    assert.deepEqual(report.shap?.local?.values, ['NK', 'EWR', 1200, 19, 4]);
    const predicted = await sample.model.predictRecords([{ carrier: 'NK', origin: 'EWR', distance: 1200, dep_hour: 19, day_of_week: 4 }]);
    assertClose(
      report.shap?.local?.prediction[1],
      predicted.predictions[0].probabilities!.delayed,
      1e-6,
      'the record is what was explained',
    );
  });
});
