/** JUnit XML: one testcase per column (failure when drifted, skipped when untestable), for CI dashboards. */
import { formatScore } from './text';
import type { DriftReport } from './types';

const escapeXml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function renderJunit(report: DriftReport): string {
  // The target and the prediction columns are test cases too, named `target:<column>` and `prediction:<output>`.
  const all = [
    ...report.columns,
    ...(report.target ? [{ ...report.target, name: `target:${report.target.name}` }] : []),
    ...(report.predictions?.columns ?? []).map((c) => ({ ...c, name: `prediction:${c.name}` })),
  ];
  const failures = all.filter((c) => c.drift).length;
  const skipped = all.filter((c) => c.error).length;
  const seconds = (report.timings.totalMs / 1000).toFixed(3);
  const cases = all.map((c) => {
    const name = escapeXml(c.name);
    const detail = escapeXml(`${c.test} score ${formatScore(c.score)}, drift when ${c.rule} ${c.threshold}; ${c.reason}`);
    const body = c.error
      ? `<skipped message="${escapeXml(c.error)}"/>`
      : c.drift
        ? `<failure message="drift detected: ${detail}" type="drift"/>`
        : '';
    return `    <testcase classname="drift.${escapeXml(report.current.file)}" name="${name}">${body}</testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${all.length}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    `  <testsuite name="model-lab drift" tests="${all.length}" failures="${failures}" skipped="${skipped}" time="${seconds}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
