/**
 * Entry point of the `model-lab` CLI (bundled by esbuild into dist/server/cli.js, required by
 * bin/model-lab.js). The exit code is set rather than forced with process.exit, so stdout is flushed.
 */
import { main } from './run';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`model-lab: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
