/**
 * The CSV reader reads the next 1 MiB chunk while it tokenizes this one (csv/read.ts): chunks still
 * arrive in file order, and an error in a chunk (a read then in flight) is reported with its line and
 * leaves no read behind to fail later.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCsvColumns } from '../../server/drift/csv/read';
import { CsvFormatError } from '../../server/drift/csv/tokenizer';

const dir = mkdtempSync(join(tmpdir(), 'drift-read-ahead-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ROWS = 200_000; // ~3.6 MB: four chunks
const row = (i: number) => `${i},${(i * 0.37).toFixed(6)},r${i % 7}`;

test('values of a file several chunks long come in file order', async () => {
  const file = join(dir, 'ordered.csv');
  writeFileSync(file, `id,x,label\n${Array.from({ length: ROWS }, (_, i) => row(i)).join('\n')}\n`);
  const read = await readCsvColumns(file, { columns: ['id', 'x'] });
  const id = read.columns.get('id')!;
  assert.equal(read.rows, ROWS);
  assert.equal(id.count, ROWS);
  for (let i = 0; i < ROWS; i++) if (id.values[i] !== i) assert.fail(`row ${i + 2}: id ${id.values[i]}`);
});

test('a malformed row early in a long file is reported with its line, and no read is left to fail afterwards', async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    for (const badLine of [12, ROWS - 5]) {
      const file = join(dir, `bad-${badLine}.csv`);
      const lines = Array.from({ length: ROWS }, (_, i) => (i + 2 === badLine ? `${i},1.5,x,extra` : row(i)));
      writeFileSync(file, `id,x,label\n${lines.join('\n')}\n`);
      await assert.rejects(readCsvColumns(file), (err: unknown) => {
        assert.ok(err instanceof CsvFormatError);
        assert.equal(err.line, badLine);
        return true;
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(unhandled, []);
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
});
