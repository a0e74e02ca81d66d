/**
 * The MMD test's row sample, gathered column by column across read passes. Each pass samples rows
 * with the same seeded reservoir over the same file, so the same rows are picked every pass and the
 * columns from different passes line up row for row.
 */
import type { CsvColumns } from './csv/read';

export class SampleColumns {
  private readonly byName = new Map<string, Float64Array>();

  /** Copies column `name` out of a pass's row-major sample. */
  take(sample: NonNullable<CsvColumns['sample']>, name: string): void {
    const width = sample.columns.length;
    const k = sample.columns.indexOf(name);
    if (k < 0) return;
    const out = new Float64Array(sample.rows);
    for (let r = 0; r < sample.rows; r++) out[r] = sample.values[r * width + k];
    this.byName.set(name, out);
  }

  /** Sampled rows (the same for every column). */
  rows(): number {
    for (const c of this.byName.values()) return c.length;
    return 0;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Row-major values of `names` (rows = the shortest column, they are all the same length). */
  rowMajor(names: string[]): Float64Array {
    const cols = names.map((n) => this.byName.get(n)!);
    const rows = Math.min(...cols.map((c) => c.length));
    const out = new Float64Array(rows * names.length);
    for (let r = 0; r < rows; r++) for (let k = 0; k < cols.length; k++) out[r * names.length + k] = cols[k][r];
    return out;
  }
}
