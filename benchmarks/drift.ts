/**
 * Drift engine benchmark (not part of the tests). Generates seeded CSVs in a temp dir written the way
 * pandas' `to_csv` writes floats (shortest round-trip repr, up to 17 significant digits), then measures
 *  1. the engine in a fresh child process (wall time, peak RSS, its own read/test timings), and
 *  2. the whole CLI process, `model-lab drift ref.csv cur.csv` from dist/server/cli.js — what a user
 *     waits for, bundle loading included (median of --runs, default 3).
 *
 * The engine is measured as the CLI ships it: bundled by esbuild (with its worker thread,
 * server/drift/worker.ts, as a second bundle `drift-worker.js` next to it), not through tsx (which
 * transpiles every module again in the worker thread and turns each imported binding into a getter call — not what users run).
 *
 *   node --import tsx benchmarks/drift.ts            # 200,000 rows × 10 columns (7 numeric, 2 categorical, 1 binary)
 *   node --import tsx benchmarks/drift.ts --big      # 10,000,000 rows × 20 numeric columns (2 × 3.8 GB; short floats 2 × 1.6 GB)
 *
 * The files are written in chunks on worker threads, floats formatted by a small C++ program built with
 * g++ when there is one (drift-data.ts): the --big pair took ~6.5 min on a busy 2-core machine (600k × 20
 * rows there: 65 s formatted in JavaScript, 8.8 s with the C++ formatter). Keep them with --dir.
 *   node --import tsx benchmarks/drift.ts --rows 1000000
 *   options: --short-floats (4 decimals, as the old benchmark wrote: 7 characters instead of ~19),
 *            --missing p (each number an empty field with probability p, as to_csv writes NaN, and city
 *            names to_csv quotes: a comma, a quote),
 *            --dir d (keep / reuse the CSVs in d), --memory-mb n (memory budget per pass),
 *            --threads n (generator threads, default one per core up to 4; same files whatever n),
 *            --no-parallel (read the files one after the other), --runs n (CLI runs, default 3),
 *            --cli path/to/cli.js (another build's CLI too, e.g. the previous commit's, runs interleaved; repeatable),
 *            --no-cli / --no-engine (skip one of the two measurements),
 *            --peer 'command {ref} {cur}' (a peer tool's whole process — e.g. 'python3
 *            benchmarks/peers/evidently_drift.py {ref} {cur}', Evidently's DataDriftPreset — in the same
 *            interleaved runs, {ref} and {cur} replaced by the files; repeatable)
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import type { DriftReport } from '../server/drift';
import { writeCsvs } from './drift-data';

/**
 * Bundles the engine + worker into `dir` (CommonJS, like dist/server) plus a runner script, so the
 * measured run is a fresh `node` process — cold JIT, its own peak RSS — like one CLI invocation.
 */
async function bundleEngine(dir: string): Promise<string> {
  const root = join(import.meta.dirname, '..');
  await build({
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outdir: dir,
    logLevel: 'error',
    external: ['onnxruntime-node'],
    loader: { '.proto': 'text' }, // as scripts/build.mjs
    entryPoints: { 'drift-engine': join(root, 'server/drift/index.ts'), 'drift-worker': join(root, 'server/drift/worker.ts') },
  });
  const runner = join(dir, 'run.cjs');
  writeFileSync(runner, RUNNER);
  return runner;
}

/** The child: runs one check with the options in argv[2] (JSON), prints one JSON line with the results. */
const RUNNER = `
const { runDrift } = require('./drift-engine.js');
const options = JSON.parse(process.argv[2]);
let last = 0;
const t0 = performance.now();
runDrift({ ...options, onProgress: (p) => {
  if (performance.now() - last < 2000) return;
  last = performance.now();
  process.stderr.write('  pass ' + p.pass + '/' + p.passes + ' ' + p.phase + ': ' + p.rowsRead.toLocaleString('en') + ' rows, ' +
    (100 * p.bytesRead / p.bytesTotal).toFixed(0) + '%, ' + p.columnsDone + '/' + p.columnsTotal + ' columns\\n');
} }).then((report) => {
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage();
  console.log(JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssMb: process.resourceUsage().maxRSS / 1024, report }));
});
`;

async function main() {
  const big = process.argv.includes('--big');
  const rowsArg = process.argv.indexOf('--rows');
  const rows = rowsArg > 0 ? Number(process.argv[rowsArg + 1]) : big ? 10_000_000 : 200_000;
  const numeric = big ? 20 : 7;
  const categorical = !big;
  const short = process.argv.includes('--short-floats');
  const missingArg = process.argv.indexOf('--missing');
  const missing = missingArg > 0 ? Number(process.argv[missingArg + 1]) : 0;
  if (!(missing >= 0 && missing < 1)) throw new Error('--missing takes a share between 0 and 1, e.g. 0.05');
  const threadsArg = process.argv.indexOf('--threads');
  // --dir keeps the generated files there (and reuses them on the next run), e.g. for profiling.
  const dirArg = process.argv.indexOf('--dir');
  const keep = dirArg > 0;
  const dir = keep ? process.argv[dirArg + 1] : mkdtempSync(join(tmpdir(), 'drift-bench-'));
  mkdirSync(dir, { recursive: true });
  try {
    const style = `${short ? '-short' : ''}${missing > 0 ? `-missing${missing}` : ''}`;
    const ref = join(dir, `reference${style}.csv`);
    const cur = join(dir, `current${style}.csv`);
    if (!keep || !existsSync(ref) || !existsSync(cur)) {
      const g0 = performance.now();
      const spec = { rows, numeric, categorical, short, missing };
      await writeCsvs(
        [
          { path: ref, spec: { ...spec, shift: 0, seed: 1 } },
          { path: cur, spec: { ...spec, shift: 0.2, seed: 2 } },
        ],
        threadsArg > 0 ? Number(process.argv[threadsArg + 1]) : undefined,
      );
      console.log(
        `generated ${rows.toLocaleString('en')} rows × ${numeric + (categorical ? 3 : 0)} columns ` +
          `per file (${short ? 'short floats, toFixed(4)' : 'pandas-style floats'}` +
          `${missing > 0 ? `, ${missing * 100}% of numbers missing, quoted city names` : ''}; ` +
          `${((statSync(ref).size + statSync(cur).size) / 1e6).toFixed(1)} MB together) ` +
          `in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
      );
    }
    const memoryArg = process.argv.indexOf('--memory-mb');
    const options = {
      reference: ref,
      current: cur,
      parallel: !process.argv.includes('--no-parallel'),
      memoryBudgetMb: memoryArg > 0 ? Number(process.argv[memoryArg + 1]) : undefined,
    };
    if (!process.argv.includes('--no-engine')) await measureEngine(dir, options);
    if (!process.argv.includes('--no-cli')) measureCli(ref, cur, dir);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine alone, in a fresh child process: its timings, peak RSS and the report's verdicts. */
async function measureEngine(dir: string, options: object) {
  const runner = await bundleEngine(join(dir, 'bundle'));
  const child = spawnSync(process.execPath, [runner, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 28,
  });
  if (child.status !== 0) throw new Error(`the benchmark child failed (status ${child.status})`);
  const {
    wallMs: wall,
    cpuMs,
    peakRssMb,
    report,
  } = JSON.parse(child.stdout.toString()) as { wallMs: number; cpuMs: number; peakRssMb: number; report: DriftReport };
  console.log(
    `drift: ${(wall / 1000).toFixed(3)} s wall (read ${report.timings.readMs} ms, tests ` +
      `${report.timings.testMs} ms, ${report.timings.passes} pass` +
      `${report.timings.passes > 1 ? 'es' : ''}), peak RSS ${peakRssMb.toFixed(0)} MB, CPU ` +
      `${(cpuMs / 1000).toFixed(2)} s (both threads, process start included)`,
  );
  console.log(
    `dataset drift: ${report.dataset.share.drift} (${report.dataset.share.driftedColumns}/` +
      `${report.dataset.share.testedColumns}); MMD p=${report.multivariate?.pValue}`,
  );
  for (const c of report.columns)
    console.log(`  ${c.name.padEnd(8)} ${c.test.padEnd(14)} ${c.score?.toFixed(5)} ${c.drift ? 'DRIFT' : ''}`);
}

/**
 * The whole CLI process as a user runs it (`model-lab drift ref cur --format json -o file`), median of
 * --runs: process start, loading the bundle, reading, testing, writing the report. With --cli other.js
 * that build is measured too, its runs interleaved with this one's so both see the same machine load.
 */
function measureCli(ref: string, cur: string, dir: string) {
  const clis = [join(import.meta.dirname, '..', 'dist/server/cli.js')];
  // --cli may be given more than once (e.g. the build before the issue and the previous commit's).
  const others = process.argv.flatMap((arg, i) => (arg === '--cli' ? [process.argv[i + 1]] : []));
  clis.unshift(...others);
  const missing = clis.find((cli) => !existsSync(cli));
  if (missing) {
    console.log(`CLI: ${missing} is missing (run node scripts/build.mjs first); not measured`);
    return;
  }
  const runsArg = process.argv.indexOf('--runs');
  const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : process.argv.includes('--big') ? 1 : 3;
  const out = join(dir, 'report.json');
  // NODE_EXTRA_CA_CERTS makes every Node process parse that certificate bundle as it starts (Node 20 does it
  // eagerly): ~60 ms on a busy 2-core machine with Debian's bundle, in this CLI's wall time as in any
  // Node program's. Users rarely set it (it is for TLS proxies); when it is set here, each CLI is also
  // measured without it, in the same interleaved runs, and so is the floor: `node -e 0`.
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  const envs: { label: string; env: NodeJS.ProcessEnv }[] = [{ label: '', env: process.env }];
  if (extraCa && !process.argv.includes('--big')) {
    const { NODE_EXTRA_CA_CERTS: _dropped, ...without } = process.env;
    envs.push({ label: ' without NODE_EXTRA_CA_CERTS', env: without });
  }
  const floors = envs.map(() => [] as number[]);
  const runsOf = clis.flatMap((cli) => envs.map((e) => [cli, e] as const));
  const figures = runsOf.map(() => ({ walls: [] as number[], rss: [] as number[], cpu: [] as number[], readMs: 0, testMs: 0 }));
  // Peer tools (--peer, through sh), run in the same rounds with the environment as given; the files'
  // paths go in single-quoted for sh (a --dir with spaces).
  const quoted = (path: string) => `'${path.replaceAll("'", "'\\''")}'`;
  const peers = process.argv
    .flatMap((arg, i) => (arg === '--peer' ? [process.argv[i + 1]] : []))
    .map((command) => ({
      command: command.replaceAll('{ref}', quoted(ref)).replaceAll('{cur}', quoted(cur)),
      walls: [] as number[],
      rss: [] as number[],
    }));
  // GNU time reports the child's peak RSS (KB) and CPU seconds on its last stderr line.
  const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%M %U %S'] : [];
  for (let r = 0; r < runs; r++) {
    for (const [e, { env }] of envs.entries()) {
      const t0 = performance.now();
      spawnSync(process.execPath, ['-e', '0'], { stdio: 'ignore', env });
      floors[e].push(performance.now() - t0);
    }
    for (const [k, [cli, { env }]] of runsOf.entries()) {
      const f = figures[k];
      const t0 = performance.now();
      const memory = process.argv.indexOf('--memory-mb');
      const budget = memory > 0 ? ['--memory-mb', process.argv[memory + 1]] : [];
      const command = [...time, process.execPath, cli, 'drift', ref, cur, '--format', 'json', '-o', out, '--quiet', ...budget];
      const child = spawnSync(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env });
      f.walls.push(performance.now() - t0);
      const stderr = child.stderr.toString().trimEnd().split('\n');
      if (time.length) {
        const [kb, user, system] = stderr.pop()!.split(' ').map(Number);
        f.rss.push(kb / 1024);
        f.cpu.push(user + system);
      }
      if (stderr.length) console.error(stderr.join('\n'));
      if (child.status !== 0) throw new Error(`the CLI ${cli} failed (status ${child.status})`);
      const report = JSON.parse(readFileSync(out, 'utf8')) as DriftReport;
      f.readMs = report.timings.readMs;
      f.testMs = report.timings.testMs;
    }
    for (const peer of peers) {
      const t0 = performance.now();
      const child = spawnSync(time[0] ?? '/bin/sh', [...time.slice(1), ...(time.length ? ['/bin/sh'] : []), '-c', peer.command], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      peer.walls.push(performance.now() - t0);
      const stderr = child.stderr.toString().trimEnd().split('\n');
      if (time.length) peer.rss.push(Number(stderr.pop()!.split(' ')[0]) / 1024);
      if (child.status !== 0) throw new Error(`the peer failed (status ${child.status}): ${stderr.slice(-3).join('\n')}`);
    }
  }
  for (const [e, { label }] of envs.entries())
    console.log(`floor${label}: node -e 0 ${(median(floors[e]) / 1000).toFixed(3)} s wall, median of ${runs} (same runs)`);
  for (const [k, [cli, { label }]] of runsOf.entries()) {
    const f = figures[k];
    console.log(
      `CLI ${cli}${label}: ${(median(f.walls) / 1000).toFixed(3)} s wall, median of ${runs} whole processes ` +
        `(${f.walls.map((w) => (w / 1000).toFixed(3)).join(', ')}; last run: read ${f.readMs} ms, tests ${f.testMs} ms` +
        `${f.rss.length ? `; peak RSS ${Math.max(...f.rss).toFixed(0)} MB, CPU ${median(f.cpu).toFixed(2)} s median` : ''})`,
    );
  }
  // This build's CLI (the last of runsOf's first environment) against each peer: a ratio of medians of the same rounds.
  const own = median(figures[(clis.length - 1) * envs.length].walls);
  for (const peer of peers) {
    const rss = peer.rss.length ? `; peak RSS ${Math.max(...peer.rss).toFixed(0)} MB` : '';
    console.log(
      `peer ${peer.command}: ${(median(peer.walls) / 1000).toFixed(3)} s wall, median of ${runs} ` +
        `(${peer.walls.map((w) => (w / 1000).toFixed(3)).join(', ')}${rss}) — ` +
        `${(median(peer.walls) / own).toFixed(1)}× this build's CLI time (same rounds)`,
    );
  }
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
