/**
 * A Parquet file the drift engine cannot read: corrupt, truncated, or using a feature the reader does
 * not support (a codec, a nested column). The message names the file and, when known, the row group
 * (1-based, as Parquet tools count them in their output) and the column — never the reader's internals.
 */
import { EXIT_USER_ERROR, ModelLabError } from '../../protocol/errors';

export interface ParquetPlace {
  /** 0-based index of the row group (shown 1-based). */
  rowGroup?: number;
  column?: string;
}

export class ParquetFormatError extends ModelLabError {
  constructor(
    readonly file: string,
    readonly place: ParquetPlace,
    readonly detail: string,
    exitCode: number = EXIT_USER_ERROR,
  ) {
    super(`${file}${where(place)}: ${detail}`, { status: 400, exitCode, field: place.column });
    // Spelled out, not ModelLabError's new.target.name: esbuild renames a class that refers to itself
    // (`rebuilt` below) to `_ParquetFormatError`, and the worker's errors are rebuilt by this name.
    this.name = 'ParquetFormatError';
  }

  /** The error a worker thread posted (as its message), thrown again on this thread. */
  static rebuilt(message: string): ParquetFormatError {
    const err = new ParquetFormatError('', {}, '');
    err.message = message;
    return err;
  }
}

function where(place: ParquetPlace): string {
  const parts: string[] = [];
  if (place.rowGroup !== undefined) parts.push(`row group ${place.rowGroup + 1}`);
  if (place.column !== undefined) parts.push(`column "${place.column}"`);
  return parts.length ? `, ${parts.join(', ')}` : '';
}
