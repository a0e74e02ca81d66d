/**
 * How a CSV's header row becomes column names, the same for every reader of CSVs here (the reference
 * CSV of `serve` in reference.ts, the drift engine's readers): as pandas' read_csv names them, so a
 * file written by `to_csv` shows the names its author sees in pandas.
 */

/**
 * Column names as pandas' read_csv makes them from a header row: an empty name becomes `Unnamed: i`
 * (i its position — the index column `to_csv` writes has no name), and a repeated name `a` becomes
 * `a.1`, `a.2`… skipping a suffix that is itself a name in the header (`a,a,a.1` → `a, a.2, a.1`), as
 * pandas' C parser does.
 */
export function uniqueHeader(raw: string[]): string[] {
  const names = raw.map((name, i) => (name === '' ? `Unnamed: ${i}` : name));
  const inHeader = new Set(names);
  const counts = new Map<string, number>();
  return names.map((original) => {
    let name = original;
    let count = counts.get(name) ?? 0;
    while (count > 0) {
      counts.set(original, count + 1);
      name = `${original}.${count}`;
      count = inHeader.has(name) ? count + 1 : (counts.get(name) ?? 0);
    }
    counts.set(name, count + 1);
    return name;
  });
}
