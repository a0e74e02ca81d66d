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

test('numeric fields read by the tokenizer (one scan) give what parseNumberBytes gives on the field, whatever the chunking', () => {
  // Numbers as pandas writes them, integers, signs, exponents, and fields that only start like a number.
  const cells = ['-0.8019314252534474', '12', '+3', '.5', '5.', '1e5', '2.5E-07', '1e', '1.5x', ' 7', '', 'NaN', 'inf', '"4.25"', '1.5\r2'];
  const lines = ['n,t'];
  for (const [k, cell] of cells.entries()) lines.push(`${cell},${cells[(k + 3) % cells.length]}`);
  const bytes = Buffer.from(`${lines.join('\r\n')}\n9,10`); // CRLF rows, then a LF, no newline at the end
  const read = (chunkSize: number) => {
    const seen: { parsed: number; value: number; text: string; expected: number }[] = [];
    let header = true;
    const t = new CsvTokenizer('t.csv', (row) => {
      if (header) {
        header = false;
        row.numeric[0] = 1; // only the first column is numeric
        return;
      }
      const text = fieldText(row, 0);
      const expected = row.escaped[0] ? NaN : parseNumberBytes(row.buf, row.starts[0], row.ends[0]);
      seen.push({ parsed: row.parsed[0], value: row.values[0], text, expected });
      assert.equal(row.parsed[1], 0, 'a column not marked numeric is never read as numbers');
    });
    for (let i = 0; i < bytes.length; i += chunkSize) t.push(Buffer.from(bytes.subarray(i, i + chunkSize)));
    t.end();
    return seen;
  };
  for (const size of [1, 2, 3, 5, 7, bytes.length]) {
    const seen = read(size);
    assert.equal(seen.length, cells.length + 1);
    for (const s of seen) {
      if (s.parsed !== 0) {
        assert.ok(Object.is(s.value, s.expected), `"${s.text}" read as ${s.value}, parseNumberBytes gives ${s.expected}`);
        assert.equal(s.parsed === 2, !/[.eE]/.test(s.text), `"${s.text}": integer literal flag`);
      }
    }
    const parsedTexts = seen.filter((s) => s.parsed !== 0).map((s) => s.text);
    // Fields that are not plain numbers are left to the column (parseNumberBytes there decides).
    assert.deepEqual(parsedTexts, ['-0.8019314252534474', '12', '+3', '.5', '5.', '1e5', '2.5E-07', '9']);
  }
});
