/** One column's drift result: the test (default choice or override), its score and verdict, quality facts. */
import type { ColumnData } from './csv/column';
import { chooseDefaultTest } from './choose';
import { homogeneityCheck } from './homogeneity';
import { ColumnPair, type MergedWalk } from './pair';
import { columnHistogram, columnQuality } from './quality';
import type { ColumnDrift, SideSummary } from './report/types';
import { getStatTest, isDrift } from './stattests';

export interface ColumnTestOptions {
  stattest?: Record<string, string>;
  stattestAll?: string;
  threshold?: number;
  thresholds?: Record<string, number>;
}

/** `merged`: the walk over both sorted samples when it was done already (walk.ts), else done here if a test needs it. */
export function testColumn(
  name: string,
  r: ColumnData,
  c: ColumnData,
  typeChange: string | null,
  options: ColumnTestOptions,
  merged: MergedWalk | null = null,
): ColumnDrift {
  const pair = new ColumnPair(name, r.kind, r, c, merged);
  const chosenName = options.stattest?.[name] ?? options.stattestAll;
  let test;
  let reason;
  let error: string | null = null;
  if (pair.nRef === 0 || pair.nCur === 0) {
    test = getStatTest(chosenName ?? (pair.kind === 'numerical' ? 'ks' : 'chisquare'));
    reason = 'not tested';
    error = `${pair.nRef === 0 ? 'reference' : 'current'} has no values in this column (all missing) — nothing to compare`;
  } else if (chosenName) {
    test = getStatTest(chosenName);
    reason = `${pair.kind}, chosen with --stattest${options.stattest?.[name] ? '' : '-all'}`;
    if (!test.kinds.includes(pair.kind)) {
      error = `${test.name} does not apply to ${pair.kind} columns (it takes ${test.kinds.join(', ')}) — choose another test for "${name}"`;
    }
  } else {
    ({ test, reason } = chooseDefaultTest(pair));
  }
  const threshold = options.thresholds?.[name] ?? options.threshold ?? test.defaultThreshold;
  let score: number | null = null;
  let statistic: number | null = null;
  let note: string | null = null;
  if (error === null) {
    const result = test.compute(pair);
    score = result.score;
    statistic = result.statistic ?? null;
    note = result.note ?? null;
    if (Number.isNaN(score)) error = `${test.name} could not be computed${note ? `: ${note}` : ''}`;
  }
  const drift = error === null && score !== null && isDrift(test.rule, score, threshold);
  // Evidently's chi-square takes the reference shares as exact: the two-sample test goes beside it.
  const homogeneity =
    error === null && score !== null && test.name === 'chisquare' ? homogeneityCheck(pair, { score, drift }, threshold) : null;
  return {
    name,
    kind: pair.kind,
    test: test.name,
    testDisplayName: test.displayName,
    reason,
    threshold,
    rule: test.rule,
    score: score === null || Number.isNaN(score) ? null : score,
    statistic: statistic === null || Number.isNaN(statistic) ? null : statistic,
    note,
    drift,
    error,
    homogeneity,
    reference: summary(r, pair, 'ref'),
    current: summary(c, pair, 'cur'),
    quality: columnQuality(pair, typeChange),
    histogram: columnHistogram(pair),
  };
}

function summary(d: ColumnData, pair: ColumnPair, side: 'ref' | 'cur'): SideSummary {
  const numeric = d.kind === 'numerical' && d.count > 0;
  return {
    rows: d.rows,
    missing: d.missing,
    missingShare: d.rows ? d.missing / d.rows : 0,
    values: side === 'ref' ? pair.nRef : pair.nCur,
    kind: d.kind,
    min: numeric ? d.min : null,
    max: numeric ? d.max : null,
  };
}
