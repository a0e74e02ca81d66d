/** Text tables of a comparison report, for the CLI and the benchmark script (the UI draws its own). */
import type { ComparisonReport, LatencyStats, VariantReport } from '../protocol/perf-report';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 ** 2).toFixed(2)} MiB`;
}

export function formatUs(us: number | undefined): string {
  if (us === undefined || !Number.isFinite(us)) return '—';
  return us < 1000 ? `${us.toFixed(0)} µs` : `${(us / 1000).toFixed(2)} ms`;
}

function percent(x: number | null | undefined): string {
  return x === null || x === undefined ? '—' : `${(100 * x).toFixed(1)} %`;
}

function diff(x: number | undefined): string {
  return x === undefined ? '—' : x === 0 ? '0' : x < 1e-3 ? x.toExponential(1) : x.toFixed(4);
}

export function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function quality(v: VariantReport, which: 'original' | 'variant'): string {
  const q = v.agreement?.quality?.[which];
  if (!q) return '—';
  return 'accuracy' in q
    ? `acc ${(100 * q.accuracy).toFixed(1)} % F1 ${q.macroF1.toFixed(3)}`
    : `RMSE ${q.rmse.toFixed(3)} MAE ${q.mae.toFixed(3)}`;
}

/** The summary table: one row per model form; batch 1 and the largest batch. */
export function formatComparison(report: ComparisonReport): string {
  const batches = report.settings.batches;
  const first = batches[0];
  const last = batches.at(-1)!;
  const at = (l: LatencyStats[], b: number) => l.find((x) => x.batch === b);
  const all = [report.original, ...report.variants];
  const ratio = (v: VariantReport, b: number) => {
    const o = at(report.original.latency, b)?.p50Us;
    const x = at(v.latency, b)?.p50Us;
    return o && x ? `${(o / x).toFixed(2)}×` : '—';
  };
  const head = ['variant', 'size', 'gzip', 'smaller', `p50 b${first}`, `p99 b${first}`, `speed b${first}`];
  if (last !== first) head.push(`p50 b${last}`, `p99 b${last}`, `speed b${last}`);
  head.push(`rows/s b${last}`, 'argmax alone', 'argmax batched', 'max diff alone/batched', 'quality');
  const rows = all
    .filter((v) => !v.error)
    .map((v) => {
      const a = v.agreement;
      const cells = [
        v.id,
        formatBytes(v.fileBytes),
        formatBytes(v.gzipBytes),
        `${v.sizeRatio.toFixed(2)}×`,
        formatUs(at(v.latency, first)?.p50Us),
        formatUs(at(v.latency, first)?.p99Us),
        ratio(v, first),
      ];
      if (last !== first) cells.push(formatUs(at(v.latency, last)?.p50Us), formatUs(at(v.latency, last)?.p99Us), ratio(v, last));
      cells.push(
        Math.round(at(v.latency, last)?.rowsPerSecond ?? 0).toLocaleString('en-US'),
        percent(a?.rowByRow?.argmax),
        percent(a?.batched.argmax),
        a ? `${diff(a.rowByRow?.maxAbsDiff)} / ${diff(a.batched.maxAbsDiff)}` : '—',
        v.id === 'original' ? quality(report.variants[0] ?? v, 'original') : quality(v, 'variant'),
      );
      return cells;
    });
  const m = report.machine;
  const flags =
    Object.entries(m.flags)
      .filter(([, on]) => on)
      .map(([f]) => f)
      .join(' ') || 'none';
  const lines = [
    `${report.model.name} on ${m.cpuModel} (${m.logicalCores} logical cores; flags: ${flags}; ` +
      `int8 acceleration: ${m.int8Acceleration ? 'yes' : 'no'}), onnxruntime ${m.onnxruntime}`,
    '',
    ...table(head, rows),
    '',
    'Latency of the original per batch size',
    ...table(
      ['batch', 'p50', 'p95', 'p99', 'mean', 'stddev', 'rows/s', 'runs', 'peak RSS'],
      report.original.latency.map((l) => [
        String(l.batch),
        formatUs(l.p50Us),
        formatUs(l.p95Us),
        formatUs(l.p99Us),
        formatUs(l.meanUs),
        formatUs(l.stddevUs),
        Math.round(l.rowsPerSecond).toLocaleString('en-US'),
        String(l.iterations),
        formatBytes(l.peakRssBytes),
      ]),
    ),
  ];
  if (report.http?.length) {
    lines.push(
      '',
      'End to end over HTTP (OIP JSON) vs in process',
      ...table(
        ['mode', 'batch', 'HTTP p50', 'HTTP p99', 'in-process p50', 'server overhead p50'],
        report.http.map((h) => {
          const bare = at(report.original.latency, h.batch)?.p50Us;
          return [h.mode, String(h.batch), formatUs(h.p50Us), formatUs(h.p99Us), formatUs(bare), bare ? formatUs(h.p50Us - bare) : '—'];
        }),
      ),
    );
  }
  const failed = report.variants.filter((v) => v.error);
  if (failed.length) lines.push('', 'Not made', ...failed.map((v) => `  ${v.id}: ${v.error}`));
  const verdicts = report.variants.filter((v) => !v.error);
  if (verdicts.length) lines.push('', 'Verdicts', ...verdicts.map((v) => `  ${v.id}: ${v.verdict}`));
  return `${lines.join('\n')}\n`;
}
