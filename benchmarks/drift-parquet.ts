/**
 * Parquet drift benchmark (not part of the tests): the 200,000 rows × 10 columns pair (7 float,
 * 2 categorical, 1 binary) written both as pandas writes it to CSV (floats as repr, up to 17 digits)
 * and to Parquet (snappy, dictionary-encoded strings, one row group per million rows — pyarrow's
 * defaults), then the built CLI as a whole process on each pair, interleaved, median of --runs (3):
 * `model-lab drift ref cur --format json -o report.json --quiet`. Also checks both reports agree.
 *
 *   node scripts/build.mjs && node --import tsx benchmarks/drift-parquet.ts [--rows n] [--runs n] [--dir d]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { DriftReport } from '../server/drift';
import { mulberry32 } from '../server/drift/math/random';
import { pandasFloat } from './pandas-float';

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** The columns of benchmarks/drift.ts's pair (same generator, same seeds). */
function frame(rows: number, shift: number, seed: number) {
  const random = mulberry32(seed);
  const numeric = Array.from({ length: 7 }, () => new Float64Array(rows));
  const city: string[] = [];
  const plan: string[] = [];
  const churned = new BigInt64Array(rows);
  const cities = ['paris', 'lyon', 'nice', 'lille', 'nantes', 'brest'];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < 7; c++) numeric[c][r] = gaussian(random) * (c + 1) + (c === 0 ? shift : 0);
    city.push(cities[Math.floor(random() ** (1 + shift) * cities.length)]);
    plan.push(random() < 0.3 ? 'pro' : 'free');
    churned[r] = random() < 0.2 + shift / 10 ? 1n : 0n;
  }
  return { numeric, city, plan, churned };
}

type Frame = ReturnType<typeof frame>;

function writeCsv(path: string, f: Frame, rows: number): void {
  const parts: string[] = ['x0,x1,x2,x3,x4,x5,x6,city,plan,churned\n'];
  for (let r = 0; r < rows; r++) {
    const cells = f.numeric.map((col) => pandasFloat(col[r]));
    cells.push(f.city[r], f.plan[r], String(f.churned[r]));
    parts.push(`${cells.join(',')}\n`);
  }
  writeFileSync(path, parts.join(''));
}

function writeParquet(path: string, f: Frame): void {
  const buffer = parquetWriteBuffer({
    columnData: [
      ...f.numeric.map((data, c) => ({ name: `x${c}`, data, type: 'DOUBLE' as const, nullable: true })),
      { name: 'city', data: f.city, type: 'STRING' },
      { name: 'plan', data: f.plan, type: 'STRING' },
      { name: 'churned', data: f.churned, type: 'INT64', nullable: true },
    ],
    rowGroupSize: 1 << 20,
    codec: 'SNAPPY',
  });
  writeFileSync(path, new Uint8Array(buffer));
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main() {
  const rows = Number(arg('--rows') ?? 200_000);
  const runs = Number(arg('--runs') ?? 3);
  const keep = arg('--dir');
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'drift-parquet-bench-'));
  mkdirSync(dir, { recursive: true });
  const cli = arg('--cli') ?? join(import.meta.dirname, '..', 'dist/server/cli.js');
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run node scripts/build.mjs first`);
  try {
    const files = {
      csv: [join(dir, 'reference.csv'), join(dir, 'current.csv')],
      parquet: [join(dir, 'reference.parquet'), join(dir, 'current.parquet')],
    };
    if (!keep || !existsSync(files.parquet[1]) || !existsSync(files.csv[1])) {
      const t0 = performance.now();
      for (const [side, shift, seed] of [
        [0, 0, 1],
        [1, 0.2, 2],
      ] as const) {
        const f = frame(rows, shift, seed);
        writeCsv(files.csv[side], f, rows);
        writeParquet(files.parquet[side], f);
      }
      console.log(`generated ${rows.toLocaleString('en')} rows × 10 columns per file in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
    const mb = (paths: string[]) => (paths.reduce((n, p) => n + statSync(p).size, 0) / 2 ** 20).toFixed(1);
    console.log(`pair sizes: CSV ${mb(files.csv)} MB, Parquet ${mb(files.parquet)} MB`);
    // GNU time's last stderr line: peak RSS (KB) and CPU seconds (user + system), which a busy machine inflates less than wall time.
    const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M %U %S'] : [];
    const results = { csv: [] as number[], parquet: [] as number[] };
    const rss = { csv: [] as number[], parquet: [] as number[] };
    const cpu = { csv: [] as number[], parquet: [] as number[] };
    const reports: Partial<Record<'csv' | 'parquet', DriftReport>> = {};
    for (let r = 0; r < runs; r++) {
      for (const kind of ['csv', 'parquet'] as const) {
        const out = join(dir, `report-${kind}.json`);
        const command = [...time, process.execPath, cli, 'drift', ...files[kind], '--format', 'json', '-o', out, '--quiet'];
        const t0 = performance.now();
        const child = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
        results[kind].push(performance.now() - t0);
        const stderr = child.stderr.toString().trimEnd().split('\n');
        if (time.length) {
          const [kb, user, system] = (stderr.pop() ?? '').split(' ').map(Number);
          rss[kind].push(kb / 1024);
          cpu[kind].push(user + system);
        }
        if (child.status !== 0) throw new Error(`drift on ${kind} exited ${child.status}: ${stderr.join('\n')}`);
        reports[kind] = JSON.parse(readFileSync(out, 'utf8')) as DriftReport;
      }
    }
    for (const kind of ['csv', 'parquet'] as const) {
      const t = reports[kind]!.timings;
      console.log(
        `${kind.padEnd(7)} whole CLI process: ${(median(results[kind]) / 1000).toFixed(3)} s wall, median of ${runs} ` +
          `(${results[kind].map((ms) => (ms / 1000).toFixed(2)).join(', ')} s; last run: read ${t.readMs} ms, tests ${t.testMs} ms)` +
          (rss[kind].length ? `, CPU ${median(cpu[kind]).toFixed(2)} s, peak RSS ${median(rss[kind]).toFixed(0)} MB` : ''),
      );
    }
    const columns = (r: DriftReport) => JSON.stringify(r.columns);
    console.log(`same columns, p-values and decisions from CSV and Parquet: ${columns(reports.csv!) === columns(reports.parquet!)}`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

main();
