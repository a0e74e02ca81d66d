/**
 * What a CLI command is, and the errors that decide the exit code.
 *
 * Adding a command is adding one file `server/cli/commands/<name>.ts` that default-exports a
 * {@link Command}, plus one line in `server/cli/commands/index.ts`.
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
   * Throw {@link UsageError} for a bad command line (exit 2) and {@link UserError} for bad input such as
   * a missing file or a corrupt model (exit 1). `--help` is handled before `run` is called.
   */
  run(args: string[]): Promise<number>;
}

/** The command line itself is wrong (unknown flag, missing argument): exit 2, show the usage. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The command line is fine but the input is not (missing file, bad model, bad CSV): exit 1. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export const EXIT_OK = 0;
export const EXIT_USER_ERROR = 1;
export const EXIT_USAGE = 2;
