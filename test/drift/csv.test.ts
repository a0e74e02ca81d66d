/** The streaming CSV reader: quoting, BOM, CRLF, missing tokens, type inference, and errors with line + column. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCsvColumns } from '../../server/drift/csv/read';
import { CsvFormatError } from '../../server/drift/csv/tokenizer';

const dir = mkdtempSync(join(tmpdir(), 'drift-csv-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

test('BOM, CRLF, quoted fields with commas, quotes and newlines; pandas missing tokens', async () => {
  const path = file(
    'ok.csv',
    Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('id,"na""me",x\r\n1,"a, b",1.5\r\n2,"say ""hi""\nthere",NA\r\n\r\n3,plain,"2e3"\r\n4,null, 7 \r\n'),
    ]),
  );
  const { header, rows, columns } = await readCsvColumns(path);
  assert.deepEqual(header, ['id', 'na"me', 'x']);
  assert.equal(rows, 4);
  const names = columns.get('na"me')!;
  assert.equal(names.kind, 'categorical');
  assert.deepEqual([...names.categories.keys()], ['a, b', 'say "hi"\nthere', 'plain']);
  assert.equal(names.missing, 1);
  const x = columns.get('x')!;
  assert.equal(x.kind, 'numerical');
  assert.deepEqual(Array.from(x.values), [1.5, 2000, 7]);
  assert.equal(x.missing, 1);
  assert.equal(columns.get('id')!.integerDtype, true);
  assert.equal(x.integerDtype, false);
});

test('a column that turns to text late is re-read so categories keep their spelling', async () => {
  const lines = ['v'];
  for (let i = 0; i < 50; i++) lines.push(i % 2 ? '1.50' : '2');
  lines.push('oops');
  const { columns } = await readCsvColumns(file('late.csv', `${lines.join('\n')}\n`));
  const v = columns.get('v')!;
  assert.equal(v.kind, 'categorical');
  assert.deepEqual(Object.fromEntries(v.categories), { '2': 25, '1.50': 25, oops: 1 });
});

test('numbers parse exactly like Number() (fast path and slow path)', async () => {
  const cells = ['0.1', '-3.25e-2', '123456789012345678', '1e300', '.5', '+7', '0.30000000000000004', '5e-324', '-0'];
  const { columns } = await readCsvColumns(file('nums.csv', `n\n${cells.join('\n')}\n`));
  assert.deepEqual(Array.from(columns.get('n')!.values), cells.map(Number));
});

test('inf is dropped like Evidently does (counted as missing and as infinite)', async () => {
  const { columns } = await readCsvColumns(file('inf.csv', 'n\n1\ninf\n-Infinity\n2\n'));
  const n = columns.get('n')!;
  assert.equal(n.kind, 'numerical');
  assert.equal(n.count, 2);
  assert.equal(n.infinite, 2);
});

async function formatError(text: string): Promise<CsvFormatError> {
  const path = file(`bad-${Math.random()}.csv`, text);
  try {
    await readCsvColumns(path);
  } catch (err) {
    assert.ok(err instanceof CsvFormatError, `expected CsvFormatError, got ${String(err)}`);
    assert.ok(err.message.startsWith(path), err.message);
    return err;
  }
  assert.fail('malformed CSV was accepted');
}

test('too many fields: error names the line and the first extra field', async () => {
  const err = await formatError('a,b\n1,2\n3,4\n5,6,7\n');
  assert.equal(err.line, 4);
  assert.equal(err.column, 3);
  assert.match(err.message, /expected 2 fields .* found 3/);
});

test('too few fields: error names the line', async () => {
  const err = await formatError('a,b,c\n1,2,3\n4,5\n');
  assert.equal(err.line, 3);
  assert.match(err.message, /found 2/);
});

test('unclosed quote: error names the line and column where the quote opens', async () => {
  const err = await formatError('a,b\n1,2\n3,"never closed\n4,5\n');
  assert.equal(err.line, 3);
  assert.equal(err.column, 3);
  assert.match(err.message, /never closed/);
});

test('text after a closing quote is an error with its position', async () => {
  const err = await formatError('a,b\n1,"x"y\n');
  assert.equal(err.line, 2);
  assert.equal(err.column, 6);
});

test('an unknown column is an error that lists the columns', async () => {
  await assert.rejects(readCsvColumns(file('cols.csv', 'a,b\n1,2\n'), { columns: ['c'] }), /no column named "c".*a, b/);
});

test('a current file without some reference columns: named, with the shared ones to check instead (before any reading)', async () => {
  const { runDrift } = await import('../../server/drift');
  const { ModelLabError } = await import('../../server/protocol/errors');
  const reference = file('three.csv', 'a,b,c\n1,2,x\n3,4,y\n');
  for (const [current, message] of [
    [
      file('two.csv', 'a,c\n1,x\n'),
      /^the current file has no column "b", which the reference has — check only the 2 shared columns \(--columns a,c\)$/,
    ],
    [
      file('none.csv', 'x,y\n1,2\n'),
      /^the current file has no columns "a", "b", "c", which the reference has — the two files share no column$/,
    ],
  ] as const) {
    await assert.rejects(runDrift({ reference, current }), (err: unknown) => {
      assert.ok(err instanceof ModelLabError && !(err instanceof CsvFormatError), String(err));
      assert.match(err.message, message);
      return true;
    });
  }
  // Naming the shared columns checks them.
  const report = await runDrift({ reference, current: file('two-rows.csv', 'a,c\n1,x\n3,y\n'), columns: ['a', 'c'], mmd: false });
  assert.deepEqual(
    report.columns.map((c) => c.name),
    ['a', 'c'],
  );
});

test('a row split across stream chunks is read whole', async () => {
  const long = 'x'.repeat(1 << 20);
  const { columns } = await readCsvColumns(file('big.csv', `t,n\n"${long}",1\nshort,2\n`));
  assert.equal(columns.get('t')!.categories.get(long), 1);
  assert.deepEqual(Array.from(columns.get('n')!.values), [1, 2]);
});
