/**
 * The CLI dispatcher: `model-lab <command> [args]`, `--help`, `--version`, and the one mapping of errors
 * to exit codes: a ModelLabError ends with its `exitCode` (1 bad input, 2 bad command line pointing at
 * `--help`, 130 cancelled); anything else is exit 1. Messages are one line on stderr; a stack trace
 * only with MODEL_LAB_DEBUG=1.
 *
 * A command is loaded only when it runs (see commands/index.ts). In dist/ it then comes from its own
 * bundle, with its own copy of the error classes: errors are recognised by class name, not identity.
 */
import { COMMANDS, type CommandEntry } from './commands/index';
import type { Command } from './command';
import { EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, type ModelLabError } from '../protocol/errors';
import { VERSION } from '../protocol/version';
import { capMessage } from '../protocol/limits';

export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultIO: CliIO = {
  out: (text) => {
    process.stdout.write(text);
  },
  err: (text) => {
    process.stderr.write(text);
  },
};

/** A command as `main` takes it: loaded already (tests), or an entry of the registry loaded on use. */
export type CommandSpec = Command | CommandEntry;

const loadSpec = async (spec: CommandSpec): Promise<Command> => ('load' in spec ? spec.load() : spec);

/** Whether `err` is an instance of a class named `name` (or a subclass), whichever bundle defined it. */
function isErrorClass(err: unknown, name: 'ModelLabError' | 'UsageError'): err is ModelLabError {
  for (let proto: unknown = err === null || typeof err !== 'object' ? null : Object.getPrototypeOf(err); proto;) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === name) return true;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

export function toolHelp(commands: readonly CommandSpec[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'model-lab — serve, inspect and run ONNX models locally',
    '',
    'Usage: model-lab <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show help (also: model-lab <command> --help)',
    '  -v, --version  print the version',
    '',
    'Example: model-lab serve samples/iris/iris.onnx --reference samples/iris/reference.csv',
    '',
  ].join('\n');
}

/**
 * Runs the CLI with `argv` (without node and the script) and resolves to the exit code.
 *
 * @example
 * process.exitCode = await main(['info', 'model.onnx', '--json']);
 */
export async function main(argv: string[], io: CliIO = defaultIO, commands: readonly CommandSpec[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === undefined) {
      // No command is a usage error: the help goes to stderr so scripts piping stdout see nothing.
      io.err(toolHelp(commands));
      return EXIT_USAGE;
    }
    const topic = first === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? withNewline((await loadSpec(topic)).usage) : toolHelp(commands));
    return EXIT_OK;
  }
  if (first === '-v' || first === '--version') {
    io.out(`${VERSION}\n`);
    return EXIT_OK;
  }
  const spec = commands.find((c) => c.name === first);
  if (!spec) {
    const hint = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    io.err(`model-lab: ${hint}; commands: ${commands.map((c) => c.name).join(', ')} (see 'model-lab --help')\n`);
    return EXIT_USAGE;
  }
  const command = await loadSpec(spec);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(withNewline(command.usage));
    return EXIT_OK;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (isErrorClass(err, 'UsageError')) {
      // One line (scripts grep stderr), pointing at the command's usage when the message does not already.
      const hint = err.message.includes('--help') ? '' : `; see 'model-lab ${command.name} --help'`;
      io.err(`model-lab: ${capMessage(err.message)}${hint}\n`);
      return err.exitCode;
    }
    // Everything else is about the input (file, model, CSV) or the environment: say it in one line.
    const message = err instanceof Error ? err.message : String(err);
    io.err(`model-lab ${command.name}: ${capMessage(message.split('\n')[0])}\n`);
    if (process.env.MODEL_LAB_DEBUG && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return isErrorClass(err, 'ModelLabError') ? err.exitCode : EXIT_USER_ERROR;
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
