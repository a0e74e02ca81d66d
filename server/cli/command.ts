/**
 * What a CLI command is. The errors that decide the exit code are the one error model's
 * (`server/protocol/errors.ts`): each carries its exit code, and `run.ts` maps them once.
 *
 * Adding a command is adding one file `server/cli/commands/<name>.ts` that default-exports a
 * {@link Command}, plus its entry in `server/cli/commands/index.ts` and its name in `CLI_COMMANDS` of
 * scripts/build.mjs (each command is bundled apart and loaded only when run).
 */

export interface Command {
  /** The word after `model-lab`, e.g. `serve`. */
  name: string;
  /** One line for the command list in `model-lab --help`. */
  summary: string;
  /** Full help text for `model-lab <name> --help`: usage line, arguments, options, an example. */
  usage: string;
  /**
   * Runs with the arguments after the command name; resolves to the exit code (0 on success).
   * Throw `UsageError` for a bad command line (exit 2) and `ModelLabError` for bad input such as a
   * missing file or a corrupt model (exit 1, or the error's own `exitCode`). `--help` is handled before
   * `run` is called.
   */
  run(args: string[]): Promise<number>;
}
