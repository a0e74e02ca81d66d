/**
 * Every named engine error is a ModelLabError and carries its own status. What is left to map: a job
 * whose engine reports some input problems with a bare `Error` (`plainErrorsAreInput`) keeps their
 * message for the user; anything else stays an internal error (the runner logs it and shows no details).
 */
import { isCancellation, ModelLabError } from '../../protocol/errors';

/**
 * `err` as the job should fail with it. `plainErrorsAreInput`: the engine reports input problems with a
 * bare `Error` too, so those keep their message.
 */
export function asJobFailure(err: unknown, options: { plainErrorsAreInput?: boolean } = {}): unknown {
  if (err instanceof ModelLabError || isCancellation(err) || !(err instanceof Error)) return err;
  const input = options.plainErrorsAreInput === true && err.constructor === Error;
  return input ? new ModelLabError(err.message.split('\n')[0], { cause: err }) : err;
}
