/**
 * Entry point of the `model-lab` CLI (bundled by esbuild into dist/server/cli.js, required by
 * bin/model-lab.js). The exit code is set rather than forced with process.exit, so stdout is flushed.
 */
import { statSync } from 'node:fs';
import { main } from './run';
import { PARALLEL_MIN_BYTES, startEarlyWorker } from '../drift/threads';

const argv = process.argv.slice(2);
if (readsTwoBigFiles(argv)) startEarlyWorker();

main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`model-lab: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);

/**
 * `model-lab drift` on two files the engine will read on two threads (both ≥ PARALLEL_MIN_BYTES): its
 * worker thread is started here, before the drift bundle is loaded, so the two boot side by side (see
 * startEarlyWorker). A guess from the arguments (any two of them naming big files); a wrong guess
 * costs one thread's start-up on the other core, which the engine then stops.
 */
function readsTwoBigFiles(args: string[]): boolean {
  if (args[0] !== 'drift' || args.includes('--help') || args.includes('-h')) return false;
  let big = 0;
  for (const arg of args.slice(1)) {
    if (arg.startsWith('-')) continue;
    try {
      if (statSync(arg).size >= PARALLEL_MIN_BYTES) big++;
    } catch {
      // Not a file (an option's value): not counted.
    }
  }
  return big >= 2;
}
