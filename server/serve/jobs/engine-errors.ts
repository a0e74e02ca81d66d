/**
 * The engines (drift, compress, export, model loading) still throw their own Error classes for bad
 * input. A job reports those messages to the user as it always did; anything else stays an internal
 * error (the runner logs it and shows no details). Once every engine error is a ModelLabError this
 * mapping has nothing left to do and can go.
 */
import { isCancellation, ModelLabError } from '../../protocol/errors';

/** Error names whose message is meant for the user (input problems). */
const INPUT_ERROR_NAMES = new Set([
  'CsvFormatError',
  'EmptyCsvError',
  'CsvError',
  'ModelLoadError',
  'CompressError',
  'ExportError',
  'TfjsConversionError',
]);

/**
 * `err` as the job should fail with it. `plainErrorsAreInput`: the engine reports input problems with a
 * bare `Error` too (the drift engine's unknown column or test), so those keep their message.
 */
export function asJobFailure(err: unknown, options: { plainErrorsAreInput?: boolean } = {}): unknown {
  if (err instanceof ModelLabError || isCancellation(err) || !(err instanceof Error)) return err;
  // By class name too: not every engine error sets `name`.
  const input =
    INPUT_ERROR_NAMES.has(err.name) ||
    INPUT_ERROR_NAMES.has(err.constructor.name) ||
    (options.plainErrorsAreInput === true && err.constructor === Error);
  return input ? new ModelLabError(err.message.split('\n')[0], { cause: err }) : err;
}
