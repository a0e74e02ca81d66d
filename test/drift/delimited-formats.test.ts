/**
 * CSV files as users have them besides pandas' default: `;`-, tab- and `|`-separated (the header line
 * tells which), and gzip-compressed (`to_csv("x.csv.gz")`, told by the bytes). The same data in each
 * form gives the same report — on one thread and on two, in one pass and in several (spilled) —, the
 * WebAssembly fast path reads the rows whatever the separator, and compressed files the reader cannot
 * read (bzip2, xz, zstd, a zip such as an Excel workbook) or a gzip cut short or corrupt end in words.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runDrift, type DriftReport } from '../../server/drift';
import { fastRowsStats } from '../../server/drift/csv/fast-rows';
import { formatOf, separatorOf } from '../../server/drift/csv/format';
import { readHeader } from '../../server/drift/csv/header';
import { readCsvColumns } from '../../server/drift/csv/read';
import { CsvFormatError } from '../../server/drift/csv/tokenizer';
import { planReads } from '../../server/drift/plan';
import { predictFile } from '../../server/drift/predictions';
import { mulberry32 } from '../../server/drift/math/random';

const dir = mkdtempSync(join(tmpdir(), 'drift-formats-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Rows as pandas writes them: 17-digit floats, ints, a category with the separators and quotes inside, missing values. */
function table(rows: number, seed: number, shift: number): string[][] {
  const random = mulberry32(seed);
  const cities = ['Paris', 'Köln', 'a, b; c|d\te', 'say "hi"', ''];
  const out = [['x', 'n', 'city', 'score']];
  for (let r = 0; r < rows; r++) {
    const x = (random() - 0.5) * 7 + shift;
    out.push([
      r % 41 === 0 ? '' : x.toPrecision(17).replace(/0+$/, '').replace(/\.$/, ''),
      String(Math.floor(random() * 1000)),
      cities[Math.floor(random() * cities.length)],
      r % 53 === 0 ? 'nan' : String(Math.floor(random() * 5)),
    ]);
  }
  return out;
}

/** The table as text with `sep` between fields, quoting what needs it. */
function delimited(rows: string[][], sep: string, eol = '\n'): string {
  const quote = (cell: string) => (/[",;|\t\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell);
  return rows.map((row) => row.map(quote).join(sep)).join(eol) + eol;
}

function write(name: string, content: string | Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The report without what must differ between two runs (paths, clock, timings). */
function comparable(report: DriftReport): unknown {
  const { createdAt: _c, timings: _t, reference, current, ...rest } = report;
  return JSON.parse(JSON.stringify({ ...rest, reference: { ...reference, file: null }, current: { ...current, file: null } }));
}

const reference = table(3000, 1, 0);
const current = table(2500, 2, 0.8);
const plain = { reference: write('ref.csv', delimited(reference, ',')), current: write('cur.csv', delimited(current, ',')) };

test("the separator is the header line's: a comma when it has one outside quotes, else the most frequent of ; tab |", () => {
  const sep = (text: string) => String.fromCharCode(separatorOf(Buffer.from(text)));
  assert.equal(sep('a,b,c\n1;2;3\n'), ',');
  assert.equal(sep('a;b;c\n1,5;2;3\n'), ';'); // decimal commas in the rows do not count
  assert.equal(sep('a\tb\tc\r\n'), '\t');
  assert.equal(sep('a|b|c'), '|');
  assert.equal(sep('"a;b",c\n'), ',');
  assert.equal(sep('"a,b";c\n'), ';');
  assert.equal(sep('only\n1\n'), ','); // one column
  assert.equal(sep('a;b|c;d\n'), ';');
});

test('the same data separated by ; tab or | (and with CRLF) gives the same report as the comma CSV', async () => {
  const expected = comparable(await runDrift(plain));
  const shifted = (expected as { columns: { name: string; drift: boolean }[] }).columns.find((c) => c.name === 'x')!;
  assert.equal(shifted.drift, true); // the report says something: "equal" is not "both empty"
  for (const [name, sep, eol] of [
    ['semicolon', ';', '\n'],
    ['tab', '\t', '\n'],
    ['pipe', '|', '\n'],
    ['semicolon-crlf', ';', '\r\n'],
  ] as const) {
    const pair = {
      reference: write(`ref-${name}.csv`, delimited(reference, sep, eol)),
      current: write(`cur-${name}.tsv`, delimited(current, sep, eol)),
    };
    assert.deepEqual(comparable(await runDrift(pair)), expected, name);
    // And a mixed pair: a tab-separated reference against the comma CSV.
    assert.deepEqual(comparable(await runDrift({ reference: pair.reference, current: plain.current })), expected, `${name} × comma`);
  }
});

test("the WebAssembly fast path reads tab- and ;-separated rows (not only the tokenizer's slow path)", async () => {
  for (const sep of ['\t', ';']) {
    const file = write(`fast-${sep === '\t' ? 'tab' : 'semi'}.csv`, delimited(table(2000, 3, 0), sep));
    const before = fastRowsStats.rows;
    const read = await readCsvColumns(file, {});
    const slow = await readCsvColumns(file, { fastRows: false });
    assert.ok(fastRowsStats.rows - before > 1000, `fast path took ${fastRowsStats.rows - before} of ${read.rows} rows`);
    assert.equal(read.rows, 2000);
    assert.deepEqual([...read.columns.keys()], ['x', 'n', 'city', 'score']);
    for (const [name, column] of read.columns) {
      const other = slow.columns.get(name)!;
      assert.equal(column.kind, other.kind, name);
      assert.deepEqual(Array.from(column.values.subarray(0, column.count)), Array.from(other.values.subarray(0, other.count)), name);
      assert.deepEqual([...column.categories.entries()], [...other.categories.entries()], name);
    }
    assert.deepEqual([...read.columns.get('city')!.categories.keys()].sort(), ['Köln', 'Paris', 'a, b; c|d\te', 'say "hi"']);
  }
});

test('a row with one field too many names the separator the file uses', async () => {
  const file = write('bad-semi.csv', 'a;b\n1;2\n3;4;5\n');
  await assert.rejects(readCsvColumns(file), (err: unknown) => {
    assert.ok(err instanceof CsvFormatError);
    assert.match(err.message, /bad-semi\.csv, line 3, column 3: expected 2 fields .* an unquoted ";" inside a value/);
    return true;
  });
});

test('gzip-compressed CSV (told by its bytes) gives the same report: one thread, two threads, several passes', async () => {
  const expected = comparable(await runDrift({ ...plain, parallel: false }));
  const gz = {
    reference: write('ref.csv.gz', gzipSync(readFileSync(plain.reference))),
    current: write('cur.tsv.gz', gzipSync(delimited(current, '\t'))),
  };
  assert.deepEqual(comparable(await runDrift({ ...gz, parallel: false })), expected, 'one thread');
  assert.deepEqual(comparable(await runDrift({ ...gz, parallel: true })), expected, 'two threads');
  // A budget for one column at a time: several passes, the later ones from spill files.
  const passes = await runDrift({ ...gz, parallel: true, memoryBudgetMb: 0.0001 });
  assert.equal(passes.timings.passes, 4);
  const { timings: _t, ...oneByOne } = comparable(passes) as { timings?: unknown };
  const { timings: _e, ...whole } = expected as { timings?: unknown };
  assert.deepEqual(oneByOne, whole, 'several passes');
  assert.deepEqual(await readHeader(gz.current), ['x', 'n', 'city', 'score']);
});

test('the row estimate of a gzip file counts its text, not its compressed bytes', async () => {
  const rows = table(60000, 4, 0);
  const text = delimited(rows, ',');
  const file = write('big.csv.gz', gzipSync(text));
  assert.ok(readFileSync(file).length > 70000, 'more than the 64 KiB head, so it is an estimate');
  const plan = await planReads(['x'], file, file, 1 << 30);
  const estimate = plan.estimatedRows.reference;
  assert.ok(estimate > 60000 * 0.8 && estimate < 60000 * 1.25, `estimated ${estimate} rows of 60,000`);
});

test('bzip2, xz, zstd, zip (an Excel workbook), Parquet bytes and UTF-16 text in a .csv: refused in words, not as a bad row', async () => {
  const cases: [string, number[], RegExp][] = [
    ['bz.csv', [0x42, 0x5a, 0x68, 0x39, 0x31, 0x41, 0x59, 0x26, 0x53, 0x59], /bzip2-compressed, not a CSV file/],
    ['xz.csv', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00], /xz-compressed/],
    ['zst.csv', [0x28, 0xb5, 0x2f, 0xfd, 0x00], /zstd-compressed/],
    ['book.csv', [0x50, 0x4b, 0x03, 0x04, 0x14, 0x00], /a zip archive \(an Excel workbook is one\)/],
    ['data.csv', [0x50, 0x41, 0x52, 0x31, 0x15], /a Parquet file \(name it \.parquet\)/],
    [
      'unicode.csv',
      [0xff, 0xfe, 0x61, 0x00, 0x09, 0x00],
      /UTF-16 text \(as Excel's "Unicode Text" saves it\), not a CSV file — save it as "CSV UTF-8"/,
    ],
  ];
  for (const [name, bytes, message] of cases) {
    const file = write(name, Buffer.from([...bytes, 0x0a, 0x31, 0x2c, 0x32, 0x0a]));
    await assert.rejects(runDrift({ reference: file, current: plain.current }), (err: unknown) => {
      assert.ok(err instanceof CsvFormatError, `${name}: ${String(err)}`);
      assert.match(err.message, message);
      assert.match(err.message, new RegExp(`/${name.replace('.', '\\.')}, line 1, column 1: `));
      return true;
    });
  }
});

test('headers that merely start like a magic number (BZh…, PAR1…, PK…) are CSV headers', async () => {
  for (const header of ['BZh9,x', 'PAR1,PAR2', 'PK,x']) {
    const file = write(`magic-${header.slice(0, 3)}.csv`, `${header}\n1,2\n3,4\n`);
    assert.equal(formatOf(file, readFileSync(file)).separator, 0x2c);
    assert.deepEqual(await readHeader(file), header.split(','));
  }
});

test('a gzip file cut short or corrupt ends in words (the file, what happened), never a crash or a zlib code', async () => {
  const whole = gzipSync(delimited(table(20000, 5, 0), ','));
  const cut = write('cut.csv.gz', whole.subarray(0, Math.floor(whole.length * 0.7)));
  await assert.rejects(runDrift({ reference: plain.reference, current: cut }), (err: unknown) => {
    assert.ok(err instanceof CsvFormatError, String(err));
    assert.match(err.message, /\/cut\.csv\.gz, line 1, column 1: the gzip data ends early — the file was cut short/);
    return true;
  });
  const damaged = Buffer.from(whole);
  for (let i = 200; i < damaged.length - 100; i += 997) damaged[i] ^= 0x5a;
  const corrupt = write('corrupt.csv.gz', damaged);
  for (const parallel of [false, true]) {
    await assert.rejects(runDrift({ reference: plain.reference, current: corrupt, parallel }), (err: unknown) => {
      assert.ok(err instanceof CsvFormatError, String(err));
      assert.match(err.message, /corrupt\.csv\.gz, line 1, column 1: the gzip data is corrupt|corrupt\.csv\.gz, line \d+/);
      assert.doesNotMatch(err.message, /Z_|zlib|incorrect header/);
      return true;
    });
  }
  // Ordinary rows, then a gzip "bomb" further in: 80 MiB of one endless line, refused at the row
  // bound (the head looked like a CSV), on both threads, instead of growing until memory runs out.
  const rows = delimited(table(30000, 6, 0), ',');
  const endless = write('endless.csv.gz', gzipSync(Buffer.concat([Buffer.from(rows), Buffer.alloc(80 << 20, 0x78)]), { level: 1 }));
  assert.ok(readFileSync(endless).length < 5 << 20);
  for (const parallel of [false, true]) {
    await assert.rejects(runDrift({ reference: plain.reference, current: endless, parallel }), (err: unknown) => {
      assert.ok(err instanceof CsvFormatError, String(err));
      assert.match(err.message, /endless\.csv\.gz, line 30002, column 1: a row longer than 64 MiB \(no line end\)/);
      return true;
    });
  }
  // A head that inflates past any CSV's size (a "zip bomb"): refused from its first 64 KiB.
  const bomb = write('bomb.csv.gz', gzipSync(Buffer.alloc(64 << 20, 0x30)));
  assert.throws(() => formatOf(bomb, readFileSync(bomb).subarray(0, 1 << 16)), /expands more than 250-fold/);
});

test('prediction drift reads a gzip- and ;-separated CSV as the plain one', async () => {
  const { loadModel } = await import('../../server/model');
  const model = await loadModel(join(import.meta.dirname, '..', '..', 'samples', 'iris', 'iris.onnx'));
  const iris = readFileSync(join(import.meta.dirname, '..', '..', 'samples', 'iris', 'reference.csv'), 'utf8');
  const rows = iris
    .trim()
    .split('\n')
    .map((line) => line.split(','));
  const csv = write('iris.csv', iris);
  const semiGz = write('iris-semi.csv.gz', gzipSync(delimited(rows, ';')));
  const a = await predictFile(model, csv);
  const b = await predictFile(model, semiGz);
  assert.ok(a.rows > 100);
  assert.equal(b.rows, a.rows);
  assert.equal(b.failedRows, 0);
  assert.deepEqual(
    [...b.columns.keys()].map((k) => [k, b.columns.get(k)!.count]),
    [...a.columns.keys()].map((k) => [k, a.columns.get(k)!.count]),
  );
});

test('through the HTTP drift job: a .tsv and a .csv.gz are listed, checked for the owner, refused without the token', async () => {
  const { postJson, repoPath, startTestServer } = await import('../helpers/server');
  const { copyFileSync } = await import('node:fs');
  const folder = mkdtempSync(join(dir, 'http-'));
  copyFileSync(repoPath('samples/iris/iris.onnx'), join(folder, 'iris.onnx'));
  writeFileSync(join(folder, 'reference.tsv'), delimited(reference, '\t'));
  writeFileSync(join(folder, 'current.csv.gz'), gzipSync(delimited(current, ';')));
  const server = await startTestServer(join(folder, 'iris.onnx'));
  try {
    const list = await (await fetch(`${server.url}/api/drift/files`, { headers: server.ownerHeaders })).json();
    const names = (list.files as { relative: string }[]).map((f) => f.relative);
    assert.ok(names.includes('reference.tsv') && names.includes('current.csv.gz'), names.join(', '));
    const body = { source: 'files', reference: 'reference.tsv', current: 'current.csv.gz', options: { mmd: false } };
    assert.equal((await postJson(`${server.url}/api/jobs/drift`, body)).status, 401);
    const started = await postJson(`${server.url}/api/jobs/drift`, body, server.ownerHeaders);
    assert.equal(started.status, 202, JSON.stringify(started.json));
    await (await fetch(`${server.url}/api/jobs/${started.json.id}/events`, { headers: server.ownerHeaders })).text();
    const job = await (await fetch(`${server.url}/api/jobs/${started.json.id}`, { headers: server.ownerHeaders })).json();
    assert.equal(job.status, 'done', JSON.stringify(job.error));
    const direct = await runDrift({ ...plain, mmd: false });
    assert.deepEqual(job.result.columns, JSON.parse(JSON.stringify(direct.columns)));
  } finally {
    await server.close();
  }
});
