/**
 * Every registered test's score and verdict, and the default test choice, on CSV pairs whose
 * expected values make_fixtures.py computed with numpy/scipy following Evidently's rules — and, below,
 * what Evidently 0.7.21 itself decided on the same pairs (make_evidently_fixture.py).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDrift } from '../../server/drift';
import { readCsvColumns } from '../../server/drift/csv/read';
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

/*
 * Evidently itself: evidently_0.7.21.json holds what Evidently 0.7.21 decided on these pairs and on
 * `mixed` (pandas' to_csv of floats with NaN and ±inf, integers with NaN, booleans, quoted text,
 * integers with 7–8 distinct values), written by make_evidently_fixture.py.
 */
interface EvidentlyColumn {
  test: string;
  threshold: number;
  score: number | null;
  drift?: boolean;
}
interface EvidentlyPair {
  leftOut: string[];
  legacy: { columns: Record<string, EvidentlyColumn>; drifted: number };
  legacyByTest: Record<string, Record<string, EvidentlyColumn>>;
  preset: { columns: Record<string, EvidentlyColumn>; drifted: number };
}
const evidently: { evidently: string; numpy: string; pairs: Record<string, EvidentlyPair> } = readJson('evidently_0.7.21.json');

/**
 * Evidently's numerical Hellinger takes Sturges bins over the distinct values, and NumPy 2.1+ makes bins of
 * integer data at least 1 wide (a 0/1 column: one bin, distance 0), NumPy 1 does not (two bins). Model Lab
 * follows NumPy 2 (the *_expected.json files, from NumPy 2.4, pin it); where this Evidently ran on NumPy 1,
 * Hellinger on an integer column is not compared.
 */
async function numpyOneHellinger(testName: string, file: string, column: string): Promise<boolean> {
  if (testName !== 'hellinger' || !evidently.numpy.startsWith('1.')) return false;
  const data = (await readCsvColumns(file, { columns: [column] })).columns.get(column)!;
  return data.kind === 'numerical' && data.integerDtype;
}

for (const [pair, entry] of Object.entries(evidently.pairs)) {
  const files = { reference: fixture(`${pair}_reference.csv`), current: fixture(`${pair}_current.csv`) };

  test(`${pair}: as Evidently ${evidently.evidently}'s DataDriftPreset (legacy) decided: test, score, verdict, drifted count`, async () => {
    const report = await runDrift({ ...files, mmd: false });
    for (const [name, ev] of Object.entries(entry.legacy.columns)) {
      const col = report.columns.find((c) => c.name === name);
      assert.ok(col, `column ${name} missing from the report`);
      assert.equal(col.testDisplayName, ev.test, `${pair}.${name} test (reason: ${col.reason})`);
      assert.equal(col.threshold, ev.threshold, `${pair}.${name} threshold`);
      assertClose(col.score, ev.score, 1e-9, 1e-13, `${pair}.${name} ${col.test}`);
      assert.equal(col.drift, ev.drift, `${pair}.${name} verdict`);
    }
    // A column empty on one side: Evidently refuses the whole report; Model Lab reports it untested.
    for (const name of entry.leftOut) assert.notEqual(report.columns.find((c) => c.name === name)?.error ?? null, null, name);
    assert.equal(report.dataset.share.driftedColumns, entry.legacy.drifted, `${pair} drifted columns`);
  });

  test(`${pair}: each test forced on every column, as Evidently ${evidently.evidently} computes it`, async () => {
    for (const [testName, columns] of Object.entries(entry.legacyByTest)) {
      const names = Object.keys(columns);
      if (names.length === 0) continue;
      const report = await runDrift({ ...files, mmd: false, stattestAll: testName, columns: names });
      for (const name of names) {
        if (await numpyOneHellinger(testName, files.reference, name)) continue;
        const col = report.columns.find((c) => c.name === name)!;
        const ev = columns[name];
        assertClose(col.score, ev.score, 1e-9, 1e-13, `${pair}.${name} ${testName}`);
        assert.equal(col.drift, ev.drift, `${pair}.${name} ${testName} verdict`);
      }
    }
  });

  test(`${pair}: Evidently ${evidently.evidently}'s 0.7 DataDriftPreset differs only on integers of 6–10 values`, async () => {
    const report = await runDrift({ ...files, mmd: false });
    const differing: string[] = [];
    for (const [name, ev] of Object.entries(entry.preset.columns)) {
      const col = report.columns.find((c) => c.name === name)!;
      if (col.testDisplayName === ev.test) {
        assertClose(col.score, ev.score, 1e-9, 1e-13, `${pair}.${name} ${col.test}`);
        continue;
      }
      // The one difference: an integer column with 6–10 distinct values is numerical to the legacy rules
      // (KS / Wasserstein, as here), categorical to the 0.7 preset (chi-square / Jensen–Shannon).
      const distinct = col.reason.match(/(\d+) unique values/);
      assert.ok(
        col.kind === 'numerical' && distinct && Number(distinct[1]) > 5 && Number(distinct[1]) <= 10,
        `${pair}.${name}: ${col.reason}`,
      );
      assert.match(ev.test, /chi-square|Jensen-Shannon/, `${pair}.${name}`);
      differing.push(name);
    }
    if (differing.length === 0) return;
    // Named in `categorical` (the CLI's --categorical), such columns get the 0.7 preset's test and score.
    const asCategories = await runDrift({ ...files, mmd: false, categorical: differing });
    for (const name of differing) {
      const col = asCategories.columns.find((c) => c.name === name)!;
      assert.equal(col.testDisplayName, entry.preset.columns[name].test, `${pair}.${name} as categories`);
      assertClose(col.score, entry.preset.columns[name].score, 1e-9, 1e-13, `${pair}.${name} as categories`);
    }
  });
}
