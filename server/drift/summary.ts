/**
 * The report's one headline: Evidently's share rule first (the verdict reviewers compare with), then
 * what the sounder tests add — "no drift (13 of 30 < 50 %); but 4 columns drift beyond multiple-testing
 * correction and the joint distribution moved (MMD)" — so a green share verdict never sits alone above
 * tests that say drift. Severity is the most severe verdict: any drift verdict → `drift`; only things
 * to look at (tests that disagree, a failed prediction step, untested columns) → `warning`.
 */
import type { ColumnDrift, DatasetVerdicts, DriftSummary, MmdResult, PredictionDrift } from '../protocol/drift';

export interface SummaryInput {
  columns: ColumnDrift[];
  dataset: DatasetVerdicts;
  multivariate: MmdResult | null;
  target: ColumnDrift | null;
  /** The target asked for but missing from the current file (labels not there yet), or null. */
  targetMissing: string | null;
  predictions: PredictionDrift | null;
}

const percent = (x: number) => `${Number((100 * x).toFixed(1))} %`;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function summarize(input: SummaryInput): DriftSummary {
  const { dataset: d, multivariate: mmd, target, predictions } = input;
  const s = d.share;
  const share =
    `Evidently's share rule: ${s.drift ? 'drift' : 'no drift'} ` +
    `(${s.driftedColumns} of ${plural(s.testedColumns, 'column')} ${s.drift ? '≥' : '<'} ${percent(s.driftShare)})`;

  const others: string[] = [];
  const corrected = d.bonferroni?.drift ? d.bonferroni : d.benjaminiHochberg?.drift ? d.benjaminiHochberg : null;
  if (corrected) {
    const how = corrected === d.bonferroni ? 'Bonferroni' : 'Benjamini–Hochberg';
    const n = corrected.driftedColumns.length;
    others.push(`${plural(n, 'column')} ${n === 1 ? 'drifts' : 'drift'} beyond multiple-testing correction (${how})`);
  }
  if (mmd?.drift) others.push('the joint distribution moved (MMD)');
  if (target?.drift) others.push(`the target "${target.name}" drifted`);
  if (predictions?.drift) others.push("the model's predictions drifted");
  const joined = others.length > 1 ? `${others.slice(0, -1).join(', ')} and ${others.at(-1)}` : (others[0] ?? '');
  let headline = share;
  if (joined) headline += s.drift ? `; also ${joined}` : `; but ${joined}`;
  else if (!s.drift) headline += '; no other test sees drift either';

  const details: string[] = [];
  if (predictions?.error) {
    // The full error is in the predictions section; the headline's line stays readable.
    const error =
      predictions.error.length > 200 ? `${predictions.error.slice(0, 200)}… (in full under Prediction drift)` : predictions.error;
    details.push(`Prediction drift could not be checked: ${error}`);
  }
  const disagree = input.columns.filter((c) => c.homogeneity?.disagreement);
  if (disagree.length) {
    const falseAlarms = disagree.filter((c) => c.drift);
    details.push(
      `Evidently's chi-square and the two-sample test of homogeneity disagree on ${plural(disagree.length, 'column')} ` +
        `(${names(disagree)})` +
        (falseAlarms.length
          ? `: Evidently treats the reference shares as exact, so ` +
            `${falseAlarms.length === disagree.length ? 'these are' : `${names(falseAlarms)} are`} ` +
            'likely false alarms'
          : ''),
    );
  }
  const indexes = input.columns.filter((c) => c.quality.rowNumbers);
  if (indexes.length) {
    details.push(
      `${names(indexes)} ${indexes.length === 1 ? 'holds' : 'hold'} row numbers ` +
        `(consecutive whole numbers, each once, in both files): an index ` +
        `(pandas' to_csv writes one unless index=False), not a feature — it drifts whenever the files differ in length; ` +
        'leave it out (--columns) or write the files with index=False',
    );
  }
  const identifiers = input.columns.filter((c) => c.quality.identifier);
  if (identifiers.length) {
    details.push(
      `${names(identifiers)} ${identifiers.length === 1 ? 'holds' : 'hold'} a different value on every row in both files: ` +
        'an identifier, not a feature — it drifts whenever the files hold different rows; leave it out (--columns)',
    );
  }
  const untested = input.columns.filter((c) => c.error !== null);
  if (untested.length) details.push(`${plural(untested.length, 'column')} could not be tested (${names(untested)}): see the table`);
  if (target?.error) details.push(`The target "${target.name}" could not be tested: ${target.error}`);
  const concerns = details.length;
  // Usual for new data (labels come later): said, but no reason for a warning colour.
  if (input.targetMissing)
    details.push(`The target "${input.targetMissing}" is not in the current file (no labels yet?): no target drift was checked`);

  const drift = s.drift || others.length > 0;
  return { severity: drift ? 'drift' : concerns ? 'warning' : 'ok', headline, details };
}

function names(columns: ColumnDrift[]): string {
  const list = columns.slice(0, 5).map((c) => c.name);
  return list.join(', ') + (columns.length > 5 ? ', …' : '');
}
