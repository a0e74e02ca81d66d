/**
 * Drift engine benchmark (not part of the tests). Generates seeded CSVs in a temp dir, runs the
 * engine in-process, prints wall time and peak RSS.
 *
 *   node --import tsx bench/drift.ts            # 200,000 rows × 10 columns (7 numeric, 2 categorical, 1 binary)
 *   node --import tsx bench/drift.ts --big      # 10,000,000 rows × 20 numeric columns
 *   node --import tsx bench/drift.ts --rows 1000000
 */
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDrift } from '../server/drift';
import { mulberry32 } from '../server/drift/math/random';

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

async function writeCsv(path: string, rows: number, numeric: number, categorical: boolean, shift: number, seed: number) {
  const random = mulberry32(seed);
  const out = createWriteStream(path, { highWaterMark: 1 << 20 });
  const header = Array.from({ length: numeric }, (_, i) => `x${i}`);
  if (categorical) header.push('city', 'plan', 'churned');
  out.write(`${header.join(',')}\n`);
  const cities = ['paris', 'lyon', 'nice', 'lille', 'nantes', 'brest'];
  let buf = '';
  for (let r = 0; r < rows; r++) {
    const cells: string[] = [];
    for (let c = 0; c < numeric; c++) cells.push((gaussian(random) * (c + 1) + (c === 0 ? shift : 0)).toFixed(4));
    if (categorical) {
      cells.push(cities[Math.floor(random() ** (1 + shift) * cities.length)]);
      cells.push(random() < 0.3 ? 'pro' : 'free');
      cells.push(random() < 0.2 + shift / 10 ? '1' : '0');
    }
    buf += `${cells.join(',')}\n`;
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      buf = '';
    }
  }
  out.write(buf);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

async function main() {
  const big = process.argv.includes('--big');
  const rowsArg = process.argv.indexOf('--rows');
  const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : big ? 10_000_000 : 200_000;
  const numeric = big ? 20 : 7;
  const categorical = !big;
  // --dir keeps the generated files there (and reuses them on the next run), e.g. for profiling.
  const dirArg = process.argv.indexOf('--dir');
  const keep = dirArg > 0;
  const dir = keep ? process.argv[dirArg + 1] : mkdtempSync(join(tmpdir(), 'drift-bench-'));
  mkdirSync(dir, { recursive: true });
  try {
    const ref = join(dir, 'reference.csv');
    const cur = join(dir, 'current.csv');
    if (!keep || !existsSync(ref) || !existsSync(cur)) {
      const g0 = performance.now();
      await writeCsv(ref, rows, numeric, categorical, 0, 1);
      await writeCsv(cur, rows, numeric, categorical, 0.2, 2);
      console.log(`generated ${rows.toLocaleString('en')} rows × ${numeric + (categorical ? 3 : 0)} columns per file in ${((performance.now() - g0) / 1000).toFixed(1)} s`);
    }
    const t0 = performance.now();
    let last = 0;
    const report = await runDrift({
      reference: ref, current: cur,
      onProgress: (p) => {
        if (performance.now() - last > 2000) {
          last = performance.now();
          console.error(`  ${p.phase}: ${p.rowsRead.toLocaleString('en')} rows, ${p.columnsDone}/${p.columnsTotal} columns`);
        }
      },
    });
    const wall = performance.now() - t0;
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    console.log(`drift: ${(wall / 1000).toFixed(3)} s wall (read ${report.timings.readMs} ms, tests ${report.timings.testMs} ms), peak RSS ${peakRssMb.toFixed(0)} MB`);
    console.log(`dataset drift: ${report.dataset.share.drift} (${report.dataset.share.driftedColumns}/${report.dataset.share.testedColumns}); MMD p=${report.multivariate?.pValue}`);
    for (const c of report.columns) console.log(`  ${c.name.padEnd(8)} ${c.test.padEnd(14)} ${c.score?.toFixed(5)} ${c.drift ? 'DRIFT' : ''}`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
