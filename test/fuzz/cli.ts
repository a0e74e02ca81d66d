/**
 * `npm run fuzz -- --count 100000 [--seed N]`: long fuzz runs against `model-lab serve` child processes
 * (one per model in targets.ts), printing requests tried, status counts, crashes, hangs, 5xx samples and
 * the servers' peak RSS. Exits 1 when anything was found. Needs `node scripts/build.mjs` first.
 */
import { parseArgs } from 'node:util';
import { fuzzAllModels, FUZZ_MODELS } from './targets';

const { values } = parseArgs({ options: { count: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' } } });
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- [--count N] [--seed N]\n');
  process.exit(2);
}

const mb = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const started = Date.now();
const perModel = Math.ceil(count / FUZZ_MODELS.length);
async function main(): Promise<number> {
  const { runs, total } = await fuzzAllModels(perModel, seed, (run) => {
    process.stdout.write(
      `${run.model}: ${run.report.requests} requests, statuses ${JSON.stringify(run.report.statusCounts)}, ` +
        (`health ${run.report.healthChecks - run.report.healthFailures}/` +
          `${run.report.healthChecks}, peak RSS ${mb(run.report.peakRssBytes)}`) +
        `${run.crashed ? `, CRASHED: ${run.crashed}` : ''}\n`,
    );
  });
  const crashes = runs.filter((r) => r.crashed).length;
  process.stdout.write(
    [
      '',
      `fuzz report (seed ${seed}, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
      `  requests tried: ${total.requests}`,
      `  status counts:  ${JSON.stringify(total.statusCounts)}`,
      `  5xx / hangs / transport errors: ${total.failures.length}`,
      `  health checks failed: ${total.healthFailures} of ${total.healthChecks}`,
      `  crashes: ${crashes}`,
      `  peak server RSS: ${mb(total.peakRssBytes)}`,
      ...total.failures.slice(0, 10).map((f) => `  finding: ${f.outcome} ${f.kind} ${f.sample.slice(0, 400)}`),
      '',
    ].join('\n'),
  );
  return total.failures.length || crashes || total.healthFailures ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`fuzz: ${err.stack ?? err.message}\n`);
    process.exit(2);
  },
);
