/**
 * Sounder statistics beside Evidently's: the two-sample chi-square test of homogeneity against scipy's
 * chi2_contingency (make_homogeneity_fixtures.py), the false alarm Evidently's chi-square raises on two
 * samples of one distribution, the permutation p-value floor of MMD, and the target kept out of the
 * feature verdicts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDrift } from '../../server/drift';
import { chiSquareContingency } from '../../server/drift/homogeneity';
import { mmdTest } from '../../server/drift/mmd';
import { mulberry32 } from '../../server/drift/math/random';
import { assertClose, fixture, readJson } from './helpers';

interface Table {
  name: string;
  reference: number[];
  current: number[];
  statistic: number;
  pValue: number;
  df: number;
  evidently: { statistic: number | null; pValue: number };
}
const { tables } = readJson('homogeneity_tables.json') as { tables: Table[] };

describe('two-sample chi-square test of homogeneity', () => {
  for (const t of tables) {
    it(`matches scipy.stats.chi2_contingency: ${t.name}`, () => {
      const r = chiSquareContingency(t.reference, t.current);
      assert.equal(r.df, t.df);
      assertClose(r.statistic, t.statistic, 1e-10, 1e-12, `${t.name} statistic`);
      assertClose(r.pValue, t.pValue, 1e-8, 1e-14, `${t.name} p-value`);
      assert.equal(r.correction, t.df === 1, "Yates' correction only on 2 × 2 tables, as scipy");
    });
  }

  it("is reported beside Evidently's chi-square; on one distribution they disagree and the report says why", async () => {
    const report = await runDrift({
      reference: fixture('homogeneity_reference.csv'),
      current: fixture('homogeneity_current.csv'),
      mmd: false,
    });
    const [column] = report.columns;
    const expected = tables[0];
    // Evidently's decision is unchanged (parity): chi-square, p ≈ 1e-5, drift.
    assert.equal(column.test, 'chisquare');
    assertClose(column.score, expected.evidently.pValue, 1e-8, 0, "Evidently's chi-square p-value");
    assert.equal(column.drift, true);
    // The two-sample test, beside it: no drift, and the disagreement explained.
    const h = column.homogeneity!;
    assert.ok(h, 'homogeneity check present');
    assertClose(h.pValue, expected.pValue, 1e-8, 0, 'chi2_contingency p-value');
    assert.equal(h.drift, false);
    assert.match(h.disagreement ?? '', /reference shares as exact.*false alarm/);
    assert.match(report.summary.details.join('\n'), /disagree on 1 column \(category\).*false alarm/);
    assert.equal(report.dataset.share.drift, true, 'the share rule still follows Evidently');
  });

  it('is not computed for columns another test decides', async () => {
    const report = await runDrift({ reference: fixture('target_reference.csv'), current: fixture('target_current.csv'), mmd: false });
    for (const c of report.columns) assert.equal(c.homogeneity, null, `${c.name} (${c.test})`);
  });
});

describe('MMD permutation p-value', () => {
  const sample = (rows: number, width: number, shift: number, seed: number) => {
    const random = mulberry32(seed);
    return Float64Array.from({ length: rows * width }, () => random() + shift);
  };

  it('is (b + 1) / (B + 1): never 0, however far apart the samples', () => {
    for (const permutations of [20, 100]) {
      const r = mmdTest(['a', 'b', 'c'], sample(80, 3, 0, 1), sample(80, 3, 5, 2), { permutations })!;
      assert.equal(r.exceeding, 0, 'no permutation reaches a 5σ shift');
      assert.equal(r.permutations, permutations);
      assert.equal(r.pValue, 1 / (permutations + 1));
      assert.equal(r.drift, true);
    }
  });

  it('counts the permutations at least as extreme on samples of one distribution', () => {
    const r = mmdTest(['a', 'b'], sample(60, 2, 0, 3), sample(60, 2, 0, 4), { permutations: 50 })!;
    assert.ok(r.exceeding > 0);
    assert.equal(r.pValue, (r.exceeding + 1) / 51);
    assert.ok(r.pValue <= 1);
  });
});

describe('the target column', () => {
  const files = { reference: fixture('target_reference.csv'), current: fixture('target_current.csv') };

  it('is reported as target drift, apart from the features and out of the share rule and MMD', async () => {
    const report = await runDrift({ ...files, target: 'label' });
    assert.deepEqual(
      report.columns.map((c) => c.name),
      ['x', 'y'],
    );
    assert.equal(report.options.target, 'label');
    assert.equal(report.target?.name, 'label');
    assert.equal(report.target?.drift, true, 'the label shares moved from 30 % to 60 %');
    assert.equal(report.dataset.share.testedColumns, 2);
    assert.equal(report.dataset.share.driftedColumns, 0);
    assert.equal(report.dataset.share.drift, false);
    assert.ok(!report.multivariate?.columns.includes('label'));
    assert.match(report.summary.headline, /^Evidently's share rule: no drift \(0 of 2 columns < 50 %\); but the target "label" drifted/);
    assert.equal(report.summary.severity, 'drift');
  });

  it('without a target, the same column counts as a feature (what the report did before)', async () => {
    const report = await runDrift({ ...files, mmd: false });
    assert.equal(report.target, null);
    assert.equal(report.dataset.share.testedColumns, 3);
  });

  it('a target the current file lacks (no labels yet) is left out and said so', async () => {
    const report = await runDrift({ reference: files.reference, current: fixture('target_reference.csv'), target: 'label', mmd: false });
    assert.equal(report.target?.drift, false);
    const noLabels = await runDrift({
      reference: files.reference,
      current: fixture('homogeneity_current.csv'),
      target: 'label',
      columns: [],
      mmd: false,
    });
    assert.equal(noLabels.target, null);
    assert.match(noLabels.summary.details.join('\n'), /target "label" is not in the current file/);
  });

  it('a target name not in the reference is refused, naming the field', async () => {
    await assert.rejects(runDrift({ ...files, target: 'nope' }), (err: Error & { field?: string }) => {
      assert.match(err.message, /"nope", which is not in the reference header/);
      return true;
    });
  });
});
