/**
 * The CLI dispatcher: `model-lab <command> [args]`, `--help`, `--version`, and the one mapping of errors
 * to exit codes: a ModelLabError ends with its `exitCode` (1 bad input, 2 bad command line pointing at
 * `--help`, 130 cancelled); anything else is exit 1. Messages are one line on stderr; a stack trace
 * only with MODEL_LAB_DEBUG=1.
 */
import { COMMANDS } from './commands/index';
import type { Command } from './command';
import { EXIT_OK, EXIT_USAGE, EXIT_USER_ERROR, ModelLabError, UsageError } from '../protocol/errors';
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

export function toolHelp(commands: readonly Command[] = COMMANDS): string {
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
export async function main(argv: string[], io: CliIO = defaultIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === undefined) {
      // No command is a usage error: the help goes to stderr so scripts piping stdout see nothing.
      io.err(toolHelp(commands));
      return EXIT_USAGE;
    }
    const topic = first === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.out(topic ? withNewline(topic.usage) : toolHelp(commands));
    return EXIT_OK;
  }
  if (first === '-v' || first === '--version') {
    io.out(`${VERSION}\n`);
    return EXIT_OK;
  }
  const command = commands.find((c) => c.name === first);
  if (!command) {
    const hint = first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`;
    io.err(`model-lab: ${hint}; commands: ${commands.map((c) => c.name).join(', ')} (see 'model-lab --help')\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(withNewline(command.usage));
    return EXIT_OK;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      // One line (scripts grep stderr), pointing at the command's usage when the message does not already.
      const hint = err.message.includes('--help') ? '' : `; see 'model-lab ${command.name} --help'`;
      io.err(`model-lab: ${capMessage(err.message)}${hint}\n`);
      return err.exitCode;
    }
    // Everything else is about the input (file, model, CSV) or the environment: say it in one line.
    const message = err instanceof Error ? err.message : String(err);
    io.err(`model-lab ${command.name}: ${capMessage(message.split('\n')[0])}\n`);
    if (process.env.MODEL_LAB_DEBUG && err instanceof Error && err.stack) io.err(`${err.stack}\n`);
    return err instanceof ModelLabError ? err.exitCode : EXIT_USER_ERROR;
  }
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
