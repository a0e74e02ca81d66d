/**
 * The one error model. Every error a user can act on is a {@link ModelLabError}: it carries the HTTP
 * status the server answers with and the exit code the CLI ends with, so each face maps it exactly once
 * (the app's `onError`, the CLI runner) and no route or command needs its own try/catch to translate.
 *
 * - 400 / exit 1: the input is wrong (a field, a row, a CSV cell, a model file).
 * - 2 is the CLI's exit code for a wrong command line ({@link UsageError}); the server never sees it.
 * - {@link CancelledError}: the user stopped a job; a job ends `cancelled`, not `failed`.
 * - Anything that is not a ModelLabError is a fault of ours: 500 with no details, logged in full.
 *
 * Modelled on MLServer's `MLServerError` (one base that carries its status, one handler for all).
 *
 * @example
 * throw new ModelLabError('reference: the file has a header but no rows', { status: 400 });
 * // server → 400 {"error": "reference: the file has a header but no rows"}; CLI → exit 1, one line on stderr
 */

/** HTTP statuses a ModelLabError may carry (all client errors but 500/501/503 for the server's own limits). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 408 | 409 | 413 | 415 | 422 | 429 | 500 | 501 | 503;

export const EXIT_OK = 0;
/** Bad input (file, model, CSV, request) or a failed check the user asked to fail on. */
export const EXIT_USER_ERROR = 1;
/** The command line itself is wrong, or a gate was given input it cannot judge. */
export const EXIT_USAGE = 2;
/** Stopped by the user (SIGINT convention: 128 + 2). */
export const EXIT_CANCELLED = 130;

export interface ModelLabErrorOptions {
  /** HTTP status for the server's answer. Default 400. */
  status?: ErrorStatus;
  /** CLI exit code. Default {@link EXIT_USER_ERROR}. */
  exitCode?: number;
  /** The request field, CSV column or option the message is about, when there is one. */
  field?: string;
  cause?: unknown;
}

/** An error a user can act on: what was wrong, where, what to do. */
export class ModelLabError extends Error {
  readonly status: ErrorStatus;
  readonly exitCode: number;
  readonly field: string | undefined;
  constructor(message: string, options: ModelLabErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = options.status ?? 400;
    this.exitCode = options.exitCode ?? EXIT_USER_ERROR;
    this.field = options.field;
  }
}

/** The user cancelled the work (a job's DELETE, Ctrl+C, an aborted signal). */
export class CancelledError extends ModelLabError {
  constructor(message = 'cancelled') {
    super(message, { status: 409, exitCode: EXIT_CANCELLED });
  }
}

/** The command line is wrong (unknown flag, missing argument): exit 2 and the usage. */
export class UsageError extends ModelLabError {
  constructor(message: string) {
    super(message, { status: 400, exitCode: EXIT_USAGE });
  }
}

/** Throws a {@link CancelledError} when `signal` has been aborted. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

/** True for a cancellation, whichever way it was raised (our error, or a DOM `AbortError`). */
export function isCancellation(err: unknown, signal?: AbortSignal): boolean {
  return err instanceof CancelledError || (err as { name?: unknown } | null)?.name === 'AbortError' || signal?.aborted === true;
}
