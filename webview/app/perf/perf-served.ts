/**
 * What "Serve this variant" changed, in the user's terms: the model keeps its name and URLs, a new version
 * answers under them (and can be pinned), and the figures that moved — size, latency, agreement, quality —
 * side by side with the version it replaced, from the comparison the user just read.
 */
import type { PerfServeResult } from '../../../server/protocol/perf';
import type { ComparisonReport, VariantReport } from '../../../server/protocol/perf-report';
import { h } from '../dom';
import { bytes, micros, pct } from './perf-format';
import { qualityText } from './perf-table';

function changes(report: ComparisonReport | null, from: VariantReport | undefined, to: VariantReport | undefined): string[] {
  if (!report || !from || !to || from.error || to.error) return [];
  const batch = report.settings.batches[0];
  const p50 = (v: VariantReport) => micros(v.latency.find((l) => l.batch === batch)?.p50Us);
  const lines = [`File: ${bytes(from.fileBytes)} → ${bytes(to.fileBytes)}`, `p50 latency at batch ${batch}: ${p50(from)} → ${p50(to)}`];
  const agreement = (to.agreement ?? from.agreement)?.rowByRow ?? (to.agreement ?? from.agreement)?.batched;
  if (agreement) lines.push(`Same class as the original: ${pct(agreement.argmax)} of ${(to.agreement ?? from.agreement)!.rows} rows`);
  const before = qualityText(report, from);
  const after = qualityText(report, to);
  if (before !== '—' || after !== '—') lines.push(`Quality: ${before} → ${after}`);
  return lines;
}

/** The notice after a switch: same name and URLs, the version now answering, what changed. */
export function servedNotice(result: PerfServeResult, report: ComparisonReport | null, origin: string): HTMLElement {
  const all = report ? [report.original, ...report.variants] : [];
  const to = all.find((v) => v.id === result.variant);
  // The version replaced: a variant of this comparison by id, else the original (its version is "1" or its model_version).
  const from = all.find((v) => v.id === result.previousVersion) ?? all.find((v) => v.id === 'original');
  const label = to?.label ?? result.variant;
  const plain = `${origin}/v2/models/${result.name}/infer`;
  const pinned = `${origin}/v2/models/${result.name}/versions/${result.version}/infer`;
  const moved = changes(report, from, to);
  return h('div', { className: 'perf-served', attrs: { role: 'status', 'data-version': result.version } }, [
    h('p', {}, [
      h('strong', {}, [`Now serving ${label} as version ${result.version} of ${result.name}`]),
      ` (was version ${result.previousVersion}). The name and every URL stay the same: `,
      h('code', {}, [plain]),
      ` now answers with this version. To pin it: `,
      h('code', {}, [pinned]),
      '.',
      result.saved ? ` Saved ${result.saved} first.` : '',
    ]),
    moved.length
      ? h(
          'ul',
          { className: 'perf-served-changes', attrs: { 'aria-label': 'What changed' } },
          moved.map((m) => h('li', {}, [m])),
        )
      : null,
    h('p', { className: 'muted small' }, [`Versions that exist: ${result.versions.join(', ')}.`]),
  ]);
}
