/**
 * `model-lab drift <reference> <current>` (each a .csv or a .parquet file): per-column drift tests with Evidently's choices,
 * dataset verdicts, reports as text / JSON / HTML / JUnit. Exit 0 no drift (or drift without
 * --fail-on-drift), 1 drift with --fail-on-drift, 2 bad command line or bad input (unreadable or
 * malformed CSV or Parquet, unknown test or column) — 1 is reserved for "drift" so CI can tell them apart.
 */
import { writeFile } from 'node:fs/promises';
import { runDrift, listStatTests, type DriftProgress } from '../../drift/index';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../drift/report/index';
import { parseCommandLine, numberOption, requireFile } from '../args';
import { ModelLabError, UsageError } from '../../protocol/errors';
import type { Command } from '../command';
import { groupDigits } from '../../protocol/number-text';

const usage = `Usage: model-lab drift <reference.csv|.parquet> <current.csv|.parquet> [options]

Compares current data with reference data column by column (CSV or Parquet files, by extension;
one of each is fine; Parquet columns are typed as pandas' read_parquet types them). A CSV may be
separated by ",", ";", tabs or "|" (the header line tells which) and gzip-compressed (.csv.gz). The test per column is Evidently's
default (KS / chi-square / Z below 1,000 reference rows, Wasserstein / Jensen-Shannon above), with
its thresholds and the share-of-drifted-columns verdict, plus Bonferroni and Benjamini–Hochberg
verdicts over the p-values and a multivariate MMD test. Where Evidently uses its chi-square (which
takes the reference shares as exact), a two-sample chi-square test of homogeneity is reported beside.

Options:
  --model m.onnx         also predict both files with this model and test the predictions
                         (label as categorical, class probabilities / regression values as numbers);
                         features are named by the reference CSV's header, as "serve --reference" does
  --target col           the true label column: tested apart as target drift, not counted in the
                         share rule (default with --model: the target the model's signature names)
  --columns a,b          only these columns
  --categorical a,b      treat these columns as categories (e.g. integer codes)
  --stattest col=test    test for one column (repeatable); tests: ${listStatTests()
    .map((t) => t.name)
    .join(', ')}
  --stattest-all test    test for every other column
  --threshold x          threshold for every column (default: the test's own)
  --drift-share x        dataset drift when this share of columns drift (default 0.5)
  --no-mmd               skip the multivariate MMD test
  --cache                reuse / write <reference>.modellab-drift.json (reference statistics) so
                         re-checks against the same reference skip parsing it
  --memory-mb n          memory for column values per pass (default 800); big files are read in
                         several passes over column groups, with identical results
  --format f             text (default), json, html or junit
  -o, --output file      write the report to a file instead of stdout
  --fail-on-drift        exit 1 when the dataset drifts (share rule)
  --quiet                no progress on stderr

Example: model-lab drift train.csv today.csv --format html -o drift.html --fail-on-drift`;

const drift: Command = {
  name: 'drift',
  summary: 'compare current data with reference data (CSV or Parquet): per-column drift tests and verdicts',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'drift',
      args,
      {
        model: { type: 'string' },
        target: { type: 'string' },
        columns: { type: 'string' },
        categorical: { type: 'string' },
        stattest: { type: 'string', multiple: true },
        'stattest-all': { type: 'string' },
        threshold: { type: 'string' },
        'drift-share': { type: 'string' },
        'no-mmd': { type: 'boolean' },
        cache: { type: 'boolean' },
        'memory-mb': { type: 'string' },
        format: { type: 'string' },
        output: { type: 'string', short: 'o' },
        'fail-on-drift': { type: 'boolean' },
        quiet: { type: 'boolean' },
      },
      ['reference.csv|.parquet', 'current.csv|.parquet'],
    );
    const format = (values.format ?? 'text') as ReportFormat;
    if (!REPORT_FORMATS.includes(format))
      throw new UsageError(`--format must be one of ${REPORT_FORMATS.join(', ')}, got '${String(values.format)}'`);
    const stattest: Record<string, string> = {};
    for (const spec of (values.stattest as unknown as string[] | undefined) ?? []) {
      const [col, name] = spec.split('=');
      if (!col || !name) throw new UsageError(`--stattest takes column=test, e.g. --stattest age=psi; got '${spec}'`);
      stattest[col] = name;
    }
    const list = (v: unknown) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    const driftShare = numberOption(values['drift-share'], '--drift-share', 1);
    const threshold = numberOption(values.threshold, '--threshold', Number.MAX_VALUE);
    const memoryBudgetMb = numberOption(values['memory-mb'], '--memory-mb', 1_000_000);
    const quiet = values.quiet === true;
    let lastProgress = 0;
    const onProgress = (p: DriftProgress) => {
      const now = Date.now();
      if (quiet || (now - lastProgress < 500 && p.phase !== 'done')) return;
      lastProgress = now;
      const pass = p.passes > 1 ? ` (pass ${p.pass}/${p.passes})` : '';
      const percent = p.bytesTotal ? ` ${Math.floor((100 * p.bytesRead) / p.bytesTotal)}%,` : '';
      process.stderr.write(
        `drift:${percent} ${p.phase}${pass}, ${groupDigits(p.rowsRead)} rows, ${p.columnsDone}/${p.columnsTotal} columns tested\n`,
      );
    };
    // Ctrl+C / SIGTERM cancel the check like the Drift tab's Cancel, so a multi-pass run removes its
    // spill folder (gigabytes on 10M-row files) instead of dying with it on disk. A second Ctrl+C kills.
    const controller = new AbortController();
    const onSignal = (signal: NodeJS.Signals): void => {
      process.stderr.write(`model-lab drift: ${signal}, cancelling…\n`);
      controller.abort();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      const reference = requireFile(positionals[0], 'reference file');
      const current = requireFile(positionals[1], 'current file');
      const report = await runDrift({
        reference,
        current,
        columns: list(values.columns),
        categorical: list(values.categorical),
        stattest,
        stattestAll: values['stattest-all'] as string | undefined,
        threshold,
        driftShare,
        mmd: values['no-mmd'] !== true,
        onProgress,
        cache: values.cache === true,
        memoryBudgetMb,
        model: typeof values.model === 'string' ? requireFile(values.model, 'model') : undefined,
        target: typeof values.target === 'string' ? values.target : undefined,
        signal: controller.signal,
      });
      const text = renderReport(report, format);
      if (typeof values.output === 'string') await writeFile(values.output, text);
      else process.stdout.write(text);
      // The data-drift report is written either way; a model that could not predict is still bad input.
      if (report.predictions?.error) {
        process.stderr.write(`model-lab drift: prediction drift could not be checked: ${report.predictions.error}\n`);
        return 2;
      }
      return report.dataset.share.drift && values['fail-on-drift'] === true ? 1 : 0;
    } catch (err) {
      if (controller.signal.aborted) {
        process.stderr.write('model-lab drift: cancelled\n');
        return 130;
      }
      // Bad input is exit 2 here whatever its usual exit code (1 means "drift"), with the message naming
      // file, line and column. The one command that overrides the error model's exit code, on purpose.
      if (err instanceof ModelLabError || isInputError(err)) {
        process.stderr.write(`model-lab drift: ${(err as Error).message}\n`);
        return 2;
      }
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

/** A file that cannot be read (bad options are ModelLabErrors already). */
function isInputError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR';
}

export default drift;
