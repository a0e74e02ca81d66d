/**
 * `npm run conformance:tfjs [-- --filter <substring>] [--json out.json]`: every ONNX backend node test
 * (Debian libonnx-testdata, /usr/share/libonnx-testdata/data/node) through the ONNX → TF.js converter.
 * Prints pass / wrong / unsupported / error counts, per op, and the most common unsupported ops.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runConformanceCase, type CaseResult } from '../server/export/tfjs/conformance';

const ROOT = process.env.ONNX_NODE_TESTS ?? '/usr/share/libonnx-testdata/data/node';

async function main() {
  const args = process.argv.slice(2);
  const filter = args.includes('--filter') ? args[args.indexOf('--filter') + 1] : '';
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : '';
  const verbose = args.includes('--verbose');
  if (!existsSync(ROOT)) {
    console.error(
      `ONNX node tests not found at ${ROOT}. Install them with: sudo apt-get install -y libonnx-testdata (or set ONNX_NODE_TESTS)`,
    );
    process.exit(1);
  }
  const tests = readdirSync(ROOT)
    .filter((t) => t.includes(filter))
    .sort();
  const results: CaseResult[] = [];
  let cancelled = false;
  process.once('SIGINT', () => {
    cancelled = true;
    console.error('\ncancelling after the current test…');
  });
  const started = Date.now();
  for (const [i, t] of tests.entries()) {
    if (cancelled) break;
    const r = await runConformanceCase(join(ROOT, t));
    results.push(r);
    if (verbose || r.status === 'error') console.error(`${r.status.padEnd(11)} ${t}  ${r.detail}`);
    if (i % 50 === 49)
      console.error(`[${i + 1}/${tests.length}] ${count(results, 'pass')} pass so far (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  const byOp = new Map<string, Record<string, number>>();
  for (const r of results) {
    const e = byOp.get(r.op) ?? { pass: 0, wrong: 0, unsupported: 0, error: 0 };
    e[r.status]++;
    byOp.set(r.op, e);
  }
  console.log(`\nONNX backend node tests → TF.js: ${results.length} tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(
    `pass ${count(results, 'pass')} · wrong ${count(results, 'wrong')} · unsupported ` +
      `${count(results, 'unsupported')} · error (load/run failed) ${count(results, 'error')}\n`,
  );
  console.log('op'.padEnd(34) + 'pass  wrong  unsup  error');
  for (const [op, e] of [...byOp].sort((a, b) => a[0].localeCompare(b[0])))
    console.log(
      `${op.padEnd(34)}${String(e.pass).padStart(4)}  ${String(e.wrong).padStart(5)}  ` +
        `${String(e.unsupported).padStart(5)}  ${String(e.error).padStart(5)}`,
    );
  const top = [...byOp]
    .map(([op, e]) => [op, e.unsupported] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 15);
  console.log(`\ntop unsupported: ${top.map(([op, n]) => `${op} ${n}`).join(', ')}`);

  // Training-only tests: loss functions (SoftmaxCrossEntropyLoss, NegativeLogLikelihoodLoss, expanded or not)
  // and Dropout in training mode. A model exported for inference does not hold them.
  const training = (r: CaseResult) => /^test_(sce|nllloss|softmax_cross_entropy|negative_log_likelihood|training_dropout)/.test(r.test);
  const inference = results.filter((r) => !training(r));
  const unsupTraining = results.filter((r) => training(r) && r.status !== 'pass').length;
  console.log(
    `\ntraining-only tests (loss functions, training-mode Dropout): ${results.length - inference.length}, of which ` +
      `${unsupTraining} not converted; inference tests: ${count(inference, 'pass')} / ${inference.length} pass ` +
      `(${((100 * count(inference, 'pass')) / Math.max(1, inference.length)).toFixed(1)} %)`,
  );
  const opsSeen = new Map<string, boolean>();
  for (const r of inference) {
    const op = r.op.replace(' (expanded)', '');
    opsSeen.set(op, (opsSeen.get(op) ?? false) || r.status === 'pass');
  }
  console.log(`inference op types with at least one passing test: ${[...opsSeen.values()].filter(Boolean).length} / ${opsSeen.size}`);

  // The suite feeds weights, scales, sizes, axes… as run-time inputs; exporters write them as initializers.
  const frozen: CaseResult[] = [];
  for (const r of results)
    if (r.status === 'unsupported' && !cancelled) frozen.push(await runConformanceCase(join(ROOT, r.test), { frozen: true }));
  const gained = frozen.filter((r) => r.status === 'pass');
  console.log(
    `\nwith the 2nd and later inputs given as constants (as exporters write them), of the ${frozen.length} unsupported: ` +
      `pass ${gained.length} · wrong ${count(frozen, 'wrong')} · still unsupported ${count(frozen, 'unsupported')} · ` +
      `error ${count(frozen, 'error')}`,
  );
  const gainedByOp = new Map<string, number>();
  for (const r of gained) gainedByOp.set(r.op, (gainedByOp.get(r.op) ?? 0) + 1);
  console.log(`  passing then: ${[...gainedByOp].map(([op, n]) => `${op} ${n}`).join(', ')}`);
  // (Resize align_corners downsampling: onnxruntime sizes the coordinate map by the integer output length, the
  // ONNX reference by in × scale; the converter follows onnxruntime, which the parity check compares with)
  for (const r of frozen) if (r.status === 'wrong' || r.status === 'error') console.log(`  ${r.status} ${r.test}: ${r.detail}`);
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ root: ROOT, results, frozen }, null, 1));
}
const count = (rs: CaseResult[], s: string) => rs.filter((r) => r.status === s).length;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
