/**
 * An empty side is bad input, never "no drift": a current file with a header and no rows used to
 * produce "0 of 0 columns drifted" and pass a `--fail-on-drift` gate. Both faces share this check (it
 * lives in the engine): the CLI exits 2 naming the file, an HTTP drift job fails with the message.
 */
import { EXIT_USAGE } from '../../protocol/errors';
import { CsvFormatError } from './tokenizer';

export type DriftSide = 'reference' | 'current';

/**
 * A CSV with no data rows (zero bytes, or a header alone). A CsvFormatError, so every face treats it as
 * bad input; exit 2 like any input a gate cannot judge (1 would read as "drift").
 */
export class EmptyCsvError extends CsvFormatError {
  constructor(
    file: string,
    readonly side: DriftSide,
    readonly what: 'zero bytes' | 'a header and no data rows',
  ) {
    super(file, what === 'zero bytes' ? 1 : 2, 1, `the ${side} file has no data rows`, EXIT_USAGE);
    this.message =
      `the ${side} CSV ${file} has no data rows (${what}): a drift check needs rows on both ` + `sides, so it cannot pass or fail on it`;
  }
}

/** Before reading: a zero-byte file is refused at once. */
export function refuseZeroBytes(file: string, side: DriftSide, bytes: number): void {
  if (bytes === 0) throw new EmptyCsvError(file, side, 'zero bytes');
}

/** After reading: a header alone (or only blank lines after it) is refused. */
export function refuseNoRows(file: string, side: DriftSide, rows: number): void {
  if (rows === 0) throw new EmptyCsvError(file, side, 'a header and no data rows');
}
