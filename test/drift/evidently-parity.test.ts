/**
 * Every registered test's score and verdict, and the default test choice, on CSV pairs whose
 * expected values make_fixtures.py computed with numpy/scipy following Evidently's rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDrift } from '../../server/drift';
import { assertClose, fixture, readJson } from './helpers';

interface ExpectedColumn {
  kind: string;
  error?: boolean;
  unique?: number;
  default?: string;
  scores?: Record<string, { score: number | null; drift: boolean }>;
}

const PAIRS = ['small', 'large', 'at1000', 'at1001', 'ks_10_10', 'ks_100_80', 'ks_1000_1000', 'ks_10000_9000', 'ks_12000_700'];
const TESTS = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi', 'kl_div', 'hellinger', 't_test', 'mannw'];

for (const pair of PAIRS) {
  const expected: { columns: Record<string, ExpectedColumn> } = readJson(`${pair}_expected.json`);
  const files = { reference: fixture(`${pair}_reference.csv`), current: fixture(`${pair}_current.csv`) };

  test(`${pair}: default test choice, score and verdict per column`, async () => {
    const report = await runDrift({ ...files, mmd: false });
    for (const [name, exp] of Object.entries(expected.columns)) {
      const col = report.columns.find((c) => c.name === name)!;
      assert.ok(col, `column ${name} missing from the report`);
      assert.equal(col.kind, exp.kind, `${pair}.${name} kind`);
      if (exp.error) {
        assert.notEqual(col.error, null, `${pair}.${name} should not be tested`);
        assert.equal(col.drift, false);
        continue;
      }
      assert.equal(col.test, exp.default, `${pair}.${name} default test (reason: ${col.reason})`);
      const want = exp.scores![exp.default!];
      assertClose(col.score, want.score, 1e-9, 1e-13, `${pair}.${name} ${col.test}`);
      assert.equal(col.drift, want.drift, `${pair}.${name} verdict`);
    }
  });

  for (const testName of TESTS) {
    const columns = Object.entries(expected.columns).filter(([, c]) => c.scores?.[testName]);
    if (columns.length === 0) continue;
    test(`${pair}: ${testName} on every column it applies to`, async () => {
      const report = await runDrift({ ...files, mmd: false, stattestAll: testName, columns: columns.map(([n]) => n) });
      for (const [name, exp] of columns) {
        const col = report.columns.find((c) => c.name === name)!;
        const want = exp.scores![testName];
        assertClose(col.score, want.score, 1e-9, 1e-13, `${pair}.${name} ${testName}`);
        assert.equal(col.drift, want.drift, `${pair}.${name} ${testName} verdict`);
      }
    });
  }
}
