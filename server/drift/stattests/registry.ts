/**
 * The stat-test registry, in Evidently's shape: each test is one registered value (name, display name,
 * column kinds it accepts, default threshold, drift rule, scoring function). Adding a test is adding
 * one file that calls `registerStatTest` and importing it in stattests/index.ts.
 */
import { ModelLabError } from '../../protocol/errors';
import type { ColumnKind } from '../csv/column';
import type { ColumnPair } from '../pair';

import type { DriftRule } from '../../protocol/drift';

export type { DriftRule };

export interface StatTestResult {
  /** p-value or distance, as `kind` says. NaN when the test cannot be computed (reason in `note`). */
  score: number;
  /** The test statistic when it differs from the score (KS D, chi-square, z…). */
  statistic?: number;
  /** e.g. "exact" / "asymptotic" for KS, bins used for binned tests. */
  note?: string;
}

export interface StatTest {
  /** Name used on the command line and in reports (Evidently's names). */
  name: string;
  displayName: string;
  kinds: ColumnKind[];
  defaultThreshold: number;
  rule: DriftRule;
  compute(pair: ColumnPair): StatTestResult;
}

const registry = new Map<string, StatTest>();

export function registerStatTest(test: StatTest): StatTest {
  registry.set(test.name, test);
  return test;
}

/** The test named `name`, or an error listing the registered names. */
export function getStatTest(name: string): StatTest {
  const test = registry.get(name);
  if (!test) throw new ModelLabError(`unknown stat test "${name}" — use one of: ${[...registry.keys()].join(', ')}`);
  return test;
}

export function listStatTests(): StatTest[] {
  return [...registry.values()];
}

/** Whether `score` means drift under `rule` at `threshold`. NaN never drifts. */
export function isDrift(rule: DriftRule, score: number, threshold: number): boolean {
  if (Number.isNaN(score)) return false;
  if (rule === 'p<=') return score <= threshold;
  if (rule === 'p<') return score < threshold;
  return score >= threshold;
}

/** Whether the score of a test with this rule is a p-value (usable for Bonferroni / BH). */
export const isPValueRule = (rule: DriftRule) => rule !== 'distance>=';
