/**
 * Command-line parsing on top of `node:util` parseArgs, turning its errors into {@link UsageError}s
 * that say what to type instead.
 */
import { existsSync, statSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ModelLabError, UsageError } from '../protocol/errors';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses `args` against `options`, expecting exactly the positional names in `positionalNames`
 * (a trailing `?` marks an optional one).
 */
export function parseCommandLine(command: string, args: string[], options: Options, positionalNames: string[]): Parsed {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    // parseArgs says e.g. "Unknown option '--prot'. To specify a positional argument starting with a '-'…"
    const message = (err as Error).message.split('. To specify')[0].replace(/\.$/, '');
    throw new UsageError(`${command}: ${message}; see 'model-lab ${command} --help'`);
  }
  const required = positionalNames.filter((n) => !n.endsWith('?'));
  if (parsed.positionals.length < required.length) {
    const missing = required.slice(parsed.positionals.length);
    throw new UsageError(`${command}: missing ${missing.map((m) => `<${m}>`).join(' ')}; see 'model-lab ${command} --help'`);
  }
  if (parsed.positionals.length > positionalNames.length) {
    const extra = parsed.positionals.slice(positionalNames.length);
    throw new UsageError(`${command}: unexpected argument(s) ${extra.map((e) => `'${e}'`).join(' ')}; see 'model-lab ${command} --help'`);
  }
  return { values: parsed.values as Parsed['values'], positionals: parsed.positionals };
}

/** An integer option within bounds, or undefined when absent. */
export function intOption(value: string | boolean | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got '${String(value)}'`);
  }
  return n;
}

/** A non-negative number option (e.g. milliseconds), or undefined when absent. */
export function numberOption(value: string | boolean | undefined, flag: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < 0 || n > max) {
    throw new UsageError(`${flag} must be a number from 0 to ${max}, got '${String(value)}'`);
  }
  return n;
}

/** Checks that an input file exists and is a file, so the user sees "no such file" rather than a stack. */
export function requireFile(path: string, what: string): string {
  if (!existsSync(path)) throw new ModelLabError(`${what} '${path}' does not exist`);
  if (!statSync(path).isFile()) throw new ModelLabError(`${what} '${path}' is not a file`);
  return path;
}
