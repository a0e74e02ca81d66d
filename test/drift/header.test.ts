/**
 * Column names as pandas' read_csv makes them (expected values printed by pandas 1.5.3, C parser): an
 * empty name is `Unnamed: i` — the index column `to_csv` writes by default — and repeats get `.1`, `.2`…
 * skipping suffixes the header already has. A drift report then names the columns as Evidently does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDrift } from '../../server/drift';
import { uniqueHeader } from '../../server/drift/csv/header';

const PANDAS: [string, string[]][] = [
  ['a,a,a.1', ['a', 'a.2', 'a.1']],
  [',x,', ['Unnamed: 0', 'x', 'Unnamed: 2']],
  ['a,a,a', ['a', 'a.1', 'a.2']],
  ['a,a.1,a', ['a', 'a.1', 'a.2']],
  ['Unnamed: 0,', ['Unnamed: 0', 'Unnamed: 1']],
  ['a,,a', ['a', 'Unnamed: 1', 'a.1']],
  ['a,a,a,a.1,a.1', ['a', 'a.2', 'a.3', 'a.1', 'a.1.1']],
];

test('header names are made unique exactly as pandas does', () => {
  for (const [header, expected] of PANDAS) assert.deepEqual(uniqueHeader(header.split(',')), expected, header);
});

const dir = mkdtempSync(join(tmpdir(), 'drift-header-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test("a file written by to_csv with its index is reported with pandas' name for the index column", async () => {
  const rows = (shift: number) => Array.from({ length: 50 }, (_, i) => `${i},${(i % 10) + shift},${i % 3}`).join('\n');
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  writeFileSync(reference, `,x,x\n${rows(0)}\n`);
  writeFileSync(current, `,x,x\n${rows(5)}\n`);
  const report = await runDrift({ reference, current, mmd: false });
  assert.deepEqual(
    report.columns.map((c) => c.name),
    ['Unnamed: 0', 'x', 'x.1'],
  );
  assert.equal(report.columns.find((c) => c.name === 'x')!.drift, true);
});
