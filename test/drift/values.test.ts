/** The byte-level number parser agrees with Number() bit for bit, and the tokenizer with any chunking. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulberry32 } from '../../server/drift/math/random';
import { CsvTokenizer, fieldText } from '../../server/drift/csv/tokenizer';
import { parseNumberBytes } from '../../server/drift/csv/values';

test('parseNumberBytes matches Number() on 50,000 random decimal spellings', () => {
  const random = mulberry32(11);
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');
  for (let k = 0; k < 50_000; k++) {
    const sign = random() < 0.3 ? '-' : random() < 0.1 ? '+' : '';
    const int = digits(Math.floor(random() * 18));
    const frac = random() < 0.7 ? `.${digits(Math.floor(random() * 18))}` : '';
    const exp = random() < 0.2 ? `e${random() < 0.5 ? '-' : ''}${Math.floor(random() * 40)}` : '';
    const text = `${sign}${int || (frac.length > 1 ? '' : '0')}${frac}${exp}`;
    const buf = Buffer.from(text);
    const got = parseNumberBytes(buf, 0, buf.length);
    assert.ok(Object.is(got, Number(text)), `${text}: got ${got}, Number() gives ${Number(text)}`);
  }
});

test('the tokenizer gives the same rows whatever the chunk boundaries (quotes, CRLF, newlines in fields)', () => {
  const text = '\ufeffa,b,c\r\n1,"x, ""y""",3\r\n\r\n4,"multi\nline\nfield",6\n7,,9\n"q""",plain,"end"\n';
  const rowsOf = (chunks: Buffer[]) => {
    const rows: string[][] = [];
    const t = new CsvTokenizer('t.csv', (row) => rows.push(Array.from({ length: row.count }, (_, i) => fieldText(row, i))));
    for (const c of chunks) t.push(c);
    t.end();
    return rows;
  };
  const bytes = Buffer.from(text);
  const whole = rowsOf([bytes]);
  assert.equal(whole.length, 5);
  assert.deepEqual(whole[1], ['1', 'x, "y"', '3']);
  for (let size = 1; size <= 9; size++) {
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += size) chunks.push(Buffer.from(bytes.subarray(i, i + size)));
    assert.deepEqual(rowsOf(chunks), whole, `chunks of ${size} bytes`);
  }
});
