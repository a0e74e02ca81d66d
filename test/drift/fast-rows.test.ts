/**
 * The WebAssembly fast path of the CSV reader (server/drift/csv/fast-rows.c) gives exactly what the
 * tokenizer gives row by row: the same doubles bit for bit (17-digit pandas floats, 18–19 digits, near
 * half-way cases, exponents, signs, integers), the same int64/float typing, missing values, text
 * columns, samples — on files mixing plain rows with rows it leaves to the tokenizer.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readCsvColumns, type CsvColumns } from '../../server/drift/csv/read';
import { createFastRows, fastRowsStats, releaseFastRowsModule, takeFastRowsModule } from '../../server/drift/csv/fast-rows';
import { mulberry32 } from '../../server/drift/math/random';

const dir = mkdtempSync(join(tmpdir(), 'drift-fast-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const random = mulberry32(42);
const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)];
const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

/** Number spellings the fast path reads itself: up to 19 significant digits, decimal exponent within ±22. */
function spelling(): string {
  const sign = pick(['', '', '-', '+']);
  switch (Math.floor(random() * 10)) {
    case 0:
      return String((random() - 0.5) * 10 ** Math.floor(random() * 8 - 4)); // JavaScript's shortest repr (≤ 17 digits)
    case 1:
      return `${sign}${digits(1 + Math.floor(random() * 19))}`; // integers up to 19 digits
    case 2:
      return `${sign}${digits(Math.floor(random() * 3))}.${digits(1 + Math.floor(random() * 16))}`; // long fractions
    case 3:
      return `${sign}0.${'0'.repeat(Math.floor(random() * 3))}${digits(15 + Math.floor(random() * 4))}`; // leading zeros, 15–18 digits
    case 4:
      return `${sign}${digits(1)}.${digits(Math.floor(random() * 15))}e${pick(['', '-', '+'])}${Math.floor(random() * 6)}`;
    case 5: {
      // Near a half-way point between two doubles: 17 digits of a double, then a 5 (18 digits).
      const x = 1 + random() * 8;
      return `${sign}${x.toPrecision(17)}5`;
    }
    case 6:
      return `${sign}${digits(9)}${digits(9)}.${digits(1)}`; // 19 digits, integer part 18
    case 7:
      return `${sign}${digits(2)}.`; // "12." — a decimal
    case 8:
      return `${sign}.${digits(1 + Math.floor(random() * 18))}`; // ".5"
    default:
      return String(Math.round((random() - 0.5) * 1e6) / 1e3);
  }
}

/** Spellings the fast path leaves to the tokenizer: more than 19 digits, exponents beyond ±22. */
function extreme(): string {
  return pick([
    `${digits(21)}.5`,
    `0.${digits(25)}`,
    `1.5e${25 + Math.floor(random() * 300)}`,
    `2.5e-${30 + Math.floor(random() * 300)}`,
    '1e400',
  ]);
}

function comparable(c: CsvColumns) {
  return {
    rows: c.rows,
    sample: c.sample ? Array.from(c.sample.values, (v) => (Object.is(v, -0) ? '-0' : v)) : null,
    columns: [...c.columns.values()].map((d) => ({
      ...d,
      values: Buffer.from(d.values.buffer, d.values.byteOffset, d.count * 8).toString('hex'),
      categories: [...d.categories.entries()],
    })),
  };
}

async function bothWays(name: string, text: string, options: Parameters<typeof readCsvColumns>[1] = {}) {
  const file = join(dir, name);
  writeFileSync(file, text);
  const slow = await readCsvColumns(file, { ...options, fastRows: false });
  const before = fastRowsStats.rows;
  const fast = await readCsvColumns(file, { ...options, fastRows: true });
  assert.deepEqual(comparable(fast), comparable(slow), name);
  return { read: fast, fastShare: (fastRowsStats.rows - before) / fast.rows };
}

test('the fast path runs here (WebAssembly compiles)', () => {
  assert.ok(createFastRows(3));
});

test('the file is read straight into the module’s memory: only rows cut by a chunk’s end are copied in', async () => {
  // ~3 MiB of pandas-style rows: three 1 MiB chunks, so rows cross chunk boundaries.
  const rows = Array.from({ length: 40_000 }, (_, i) => `${(random() - 0.5) * 9},${i % 7},text${i % 13},${random() * 1e6}`);
  const before = fastRowsStats.copiedBytes;
  const { read, fastShare } = await bothWays('in-place.csv', `a,b,c,d\n${rows.join('\n')}\n`);
  const copied = fastRowsStats.copiedBytes - before;
  assert.equal(read.rows, 40_000);
  assert.ok(fastShare > 0.99, `fast path read ${fastShare}`);
  assert.ok(copied > 0 && copied < 2_000, `copied ${copied} bytes into the module (the joined rows only)`);
});

test('a read gives its module instance back for the next read on this thread; reads at once each have their own', async () => {
  const a = takeFastRowsModule();
  releaseFastRowsModule(a);
  assert.equal(takeFastRowsModule(), a, 'the instance the last read gave back');
  releaseFastRowsModule(a);
  // Two ~3 MiB files read at the same time on this thread (their chunks interleave): each as when read alone.
  const files = [1, 2].map((k) => {
    const rows = Array.from(
      { length: 40_000 },
      (_, i) => `${(random() - 0.5) * 9 * k},${i % (5 + k)},text${i % (11 + k)},${random() * 1e6}`,
    );
    const file = join(dir, `at-once-${k}.csv`);
    writeFileSync(file, `a,b,c,d\n${rows.join('\n')}\n`);
    return file;
  });
  const alone = [];
  for (const file of files) alone.push(comparable(await readCsvColumns(file, { sampleRows: 50 })));
  const atOnce = await Promise.all(files.map((file) => readCsvColumns(file, { sampleRows: 50 })));
  assert.deepEqual(atOnce.map(comparable), alone);
});

test('numbers: the same doubles bit for bit, the same int64/float typing', async () => {
  const cell = () => (random() < 0.002 ? extreme() : spelling());
  const rows = Array.from({ length: 60_000 }, () => [cell(), cell(), String(Math.floor(random() * 100)), cell()].join(','));
  const { read, fastShare } = await bothWays('numbers.csv', `a,b,ints,c\n${rows.join('\n')}\n`, { sampleRows: 50 });
  // Most rows are plain (the others hold a number of more than 19 digits or |exponent| > 96).
  assert.ok(fastShare > 0.6, `fast path read ${fastShare}`);
  assert.equal(read.columns.get('ints')!.integerDtype, true);
  assert.equal(read.columns.get('a')!.kind, 'numerical');
});

test('17–19 digit mantissas and exponents to ±96 (Eisel–Lemire) are read by the fast path as Number() reads them', async () => {
  // pandas writes 17 significant digits, in scientific notation past 1e16 and below 1e-4 (1.2345678901234567e-30).
  const texts: string[] = [];
  for (let i = 0; i < 30_000; i++) {
    const x = (random() - 0.5) * 10 ** Math.floor(random() * 150 - 75); // |decimal exponent| ≤ 96 with 17 digits
    const repr = Math.abs(x) < 1e16 ? String(x) : x.toExponential(); // as Python's repr switches to e-notation
    texts.push(pick([repr, x.toPrecision(17), x.toExponential(16), `${digits(18)}e${Math.floor(random() * 150 - 75)}`]));
  }
  // Exact half-way points between two doubles, which the step leaves to the tokenizer (round half to even).
  texts.push('9007199254740993', '4503599627370496.5', '18014398509481986');
  const { read, fastShare } = await bothWays('eisel-lemire.csv', `a\n${texts.join('\n')}\n`);
  // Exact quotients such as 2038500754646258.5 go to the tokenizer (and the 32 rows after each): 0.94 here.
  assert.ok(fastShare > 0.9, `fast path read ${fastShare}`);
  const values = read.columns.get('a')!.values;
  const mismatches = texts.filter((t, i) => !Object.is(values[i], Number(t)));
  assert.deepEqual(mismatches, []);
});

test('plain rows mixed with rows for the tokenizer: missing values, quotes, text, blank lines, CRLF, spaces', async () => {
  const special = [
    '',
    'NA',
    '"1.5"',
    '" 2.5"',
    ' 3.5',
    'inf',
    '-inf',
    'nan',
    '1e400',
    '12345678901234567890123',
    '0x10',
    '1,5'.replace(',', ';'),
  ];
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    const cell = () => (random() < 0.01 ? pick(special) : spelling());
    const label = random() < 0.005 ? pick(['"with, comma"', 'has "quote" inside']) : pick(['x', 'y', 'z', '', 'NA']);
    lines.push(`${cell()},${label},${cell()}`);
    if (random() < 0.005) lines.push('');
  }
  for (const eol of ['\n', '\r\n']) {
    const { fastShare } = await bothWays(`mixed${eol.length}.csv`, `num1,label,num2${eol}${lines.join(eol)}${eol}`, { sampleRows: 100 });
    assert.ok(fastShare > 0.5, `fast path read ${fastShare}`); // (over 1 when a column turned to text and was read again)
  }
});

test('missing numbers and quoted text as pandas writes them are read by the fast path, with the same result', async () => {
  // to_csv writes NaN as an empty field and quotes a text field only when it holds a comma, a quote or a line end.
  const texts = ['plain', '', '"with, comma"', '"say ""hi"""', '""""', '""', '"a,""b"",c"', 'x y'];
  const lines: string[] = [];
  for (let i = 0; i < 40_000; i++) {
    const num = () => (random() < 0.08 ? '' : String((random() - 0.5) * 20)); // shortest round-trip digits, as pandas writes
    const int = random() < 0.05 ? '' : String(Math.floor(random() * 1000));
    lines.push(`${num()},${pick(texts)},${int},${num()},${pick(texts)}`);
  }
  for (const eol of ['\n', '\r\n']) {
    const text = `a,label,count,b,unread${eol}${lines.join(eol)}${eol}`;
    const { read, fastShare } = await bothWays(`pandas-missing${eol.length}.csv`, text, {
      sampleRows: 100,
      columns: ['a', 'label', 'count', 'b'],
    });
    assert.ok(fastShare > 0.99, `fast path read ${fastShare}`);
    const a = read.columns.get('a')!;
    assert.ok(a.missing > 2500 && a.missing < 4000, `missing ${a.missing}`);
    assert.equal(read.columns.get('count')!.integerDtype, false); // an int column with missing values is float64 in pandas
    const label = read.columns.get('label')!;
    // Quotes taken off, `""` unescaped.
    for (const value of ['with, comma', 'say "hi"', '"', 'a,"b",c', 'x y']) assert.ok(label.categories.has(value), value);
  }
  // A quoted field over two lines goes to the tokenizer (it counts lines); the rows around it do not.
  const multi = [...lines.slice(0, 5000), '1.5,"two\nlines",3,4.5,x', ...lines.slice(5000, 10_000)];
  const { fastShare } = await bothWays('multi-line.csv', `a,label,count,b,unread\n${multi.join('\n')}\n`, { sampleRows: 100 });
  assert.ok(fastShare > 0.99, `fast path read ${fastShare}`);
});

test("every one of pandas' NA strings in a numeric column is a missing value on the fast path too", async () => {
  const { MISSING_TOKENS } = await import('../../server/drift/csv/values');
  const tokens = [...MISSING_TOKENS];
  // Near-misses stay for the tokenizer: they make the column text, the same either way.
  const lines = Array.from({ length: 30_000 }, () => {
    const cell = () => (random() < 0.1 ? pick(tokens) : String((random() - 0.5) * 20));
    return `${cell()},${cell()},${random() < 0.1 ? pick(tokens) : Math.floor(random() * 50)}`;
  });
  const { read, fastShare } = await bothWays('na-strings.csv', `a,b,n\n${lines.join('\n')}\n`, { sampleRows: 100 });
  assert.ok(fastShare > 0.99, `fast path read ${fastShare}`);
  for (const name of ['a', 'b', 'n']) {
    const column = read.columns.get(name)!;
    assert.equal(column.kind, 'numerical', name);
    assert.ok(column.missing > 2500 && column.missing < 3500, `${name}: ${column.missing} missing`);
  }
  for (const nearMiss of ['NAN', 'na', ' NA', 'NA ', 'None1', '#N/A N/A N/A']) {
    const { read: turned } = await bothWays('near-miss.csv', `a,b\n1.5,2\n${nearMiss},3\n4.5,6\n`);
    assert.equal(turned.columns.get('a')!.kind, 'categorical', nearMiss);
  }
});

test('a numeric column that turns to text half-way, forced text columns, unread columns, no final newline', async () => {
  const lines = Array.from({ length: 30_000 }, (_, i) => `${i},${i > 20_000 ? 'word' : spelling()},${spelling()},${i % 5}`);
  await bothWays('turns.csv', `id,x,skip,code\n${lines.join('\n')}`, { columns: ['id', 'x', 'code'], categorical: new Set(['code']) });
});

test("a file whose rows do not all have the header's field count fails with the same line either way", async () => {
  const lines = Array.from({ length: 5000 }, (_, i) => (i === 4321 ? '1,2' : `${spelling()},${spelling()},${spelling()}`));
  const file = join(dir, 'short-row.csv');
  writeFileSync(file, `a,b,c\n${lines.join('\n')}\n`);
  for (const fastRows of [false, true]) {
    await assert.rejects(readCsvColumns(file, { fastRows }), /line 4323, column 3: expected 3 fields/);
  }
});

test("fast-rows.c's table of 128-bit powers of five is what scripts/pow5-table.mjs computes (BigInt, exact)", () => {
  const run = spawnSync(process.execPath, [join(import.meta.dirname, '../../scripts/pow5-table.mjs')], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const expected = run.stdout
    .trim()
    .split('\n')
    .map((line) => line.trim());
  const source = readFileSync(join(import.meta.dirname, '../../server/drift/csv/fast-rows.c'), 'utf8');
  const table = source.slice(source.indexOf('POW5_128['), source.indexOf('};', source.indexOf('POW5_128[')));
  const rows = table
    .split('\n')
    .filter((line) => line.trim().startsWith('{0x'))
    .map((line) => line.trim());
  assert.equal(rows.length, 193); // 5^-96 … 5^96
  assert.deepEqual(rows, expected);
});

const hasClang = spawnSync('clang', ['--version']).status === 0 && spawnSync('wasm-ld', ['--version']).status === 0;
test(
  'the committed WebAssembly module is the one fast-rows.c builds to',
  { skip: hasClang ? false : 'clang and lld not installed (apt-get install clang lld)' },
  () => {
    const run = spawnSync(process.execPath, [join(import.meta.dirname, '../../scripts/build-wasm.mjs'), '--check'], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
  },
);

test('a buffer holding more rows than one call can return is read in several calls, none lost', () => {
  const fast = createFastRows(2)!;
  const rowCount = 800_000; // 2 fields a row: more than the 524,288 rows one call returns
  const buf = Buffer.from(Array.from({ length: rowCount }, (_, i) => `${i % 10},${i % 7}\n`).join(''));
  let seen = 0;
  let sum = 0;
  const read = fast.read(buf, 0, Uint8Array.of(1, 1), {
    wanted: Uint8Array.of(1, 1),
    onRows(block) {
      // Column by column: field f of row r at f · stride + r; each column summed up by the module.
      let min = Infinity;
      let max = -Infinity;
      for (let r = 0; r < block.rows; r++) {
        const i = seen + r;
        const a = block.values[r];
        if (a !== i % 10 || block.values[block.stride + r] !== i % 7) assert.fail(`row ${i}`);
        sum += a;
        min = Math.min(min, a);
        max = Math.max(max, a);
      }
      assert.deepEqual([block.min[0], block.max[0], block.missing[0], block.notInteger[0]], [min, max, 0, 0]);
      seen += block.rows;
    },
  });
  assert.equal(read, rowCount);
  assert.equal(seen, rowCount);
  assert.equal(fast.stop, buf.length);
  assert.equal(sum, 4.5 * rowCount);
});

test('low-cardinality columns: the same distinct values, first-seen order and counts either way (±0, runs, the limit)', async () => {
  const zeros = ['-0', '0', '0.0', '-0.0', '1', '2.5'];
  const rows = Array.from({ length: 30_000 }, (_, i) => {
    const flag = random() < 0.5 ? '0' : '1';
    const signedZero = random() < 0.8 ? zeros[i % 2] : pick(zeros); // runs, and changes
    // 21 distinct values for most of the file (the limit), a 22nd near the end: tracking stops there.
    const many = i === 29_000 ? '99' : String(i % 21);
    return `${flag},${signedZero},${many}`;
  });
  const { read, fastShare } = await bothWays('distinct.csv', `flag,signed_zero,many\n${rows.join('\n')}\n`);
  assert.ok(fastShare > 0.99, `fast path read ${fastShare}`);
  const flag = read.columns.get('flag')!;
  assert.deepEqual(flag.distinct, flag.values[0] === 0 ? [0, 1] : [1, 0]);
  assert.equal(
    flag.distinctCounts!.reduce((a, b) => a + b, 0),
    30_000,
  );
  assert.equal(read.columns.get('signed_zero')!.distinct!.length, 3, '-0 and 0 are one value');
  assert.equal(read.columns.get('many')!.distinct, null, 'a 22nd value ends the tracking');
});

test('text cells of spellings the reader has seen are counted in the module’s cache: the same counts and order either way', async () => {
  // Quoted and unquoted spellings of one text, `""` escapes, missing tokens, UTF-8; a column of ids (too
  // many spellings to cache), one of long texts (too long to cache), and a forced-categorical number column.
  const labels = ['red', '"red"', 'blue', '"say ""hi"""', '"a,b"', '', 'NA', 'été', '" spaced "'];
  const long = ['x'.repeat(300), 'y'.repeat(300)];
  const rows = Array.from(
    { length: 30_000 },
    (_, i) => `${pick(labels)},${Math.floor(random() * 5)},id${i},${pick(long)},${(random() - 0.5) * 9},${pick(labels)}`,
  );
  const before = fastRowsStats.cachedCells;
  const { read, fastShare } = await bothWays('cached-text.csv', `label,code,id,long,x,label2\n${rows.join('\n')}\n`, {
    categorical: new Set(['code']),
  });
  const cached = fastRowsStats.cachedCells - before;
  assert.ok(fastShare > 0.95, `fast path read ${fastShare}`);
  // label, label2 and code are cached (after their first rows); id stops at 512 spellings, long at once.
  assert.ok(cached > 3 * 29_000 && cached < 3 * 30_000, `cached ${cached} cells`);
  const label = read.columns.get('label')!;
  const expected = rows.filter((r) => r.startsWith('red,') || r.startsWith('"red",')).length;
  assert.equal(label.categories.get('red'), expected);
  assert.ok(label.categories.has('say "hi"') && label.categories.has('a,b') && label.categories.has('été'));
  assert.equal(read.columns.get('id')!.categories.size, 30_000);
  assert.equal(read.columns.get('long')!.categories.size, 2);
});

test('the cache holds 4,096 spellings in all: a column past that is read as byte ranges, with the same counts', async () => {
  // Ten columns of 400 spellings and two of 50 (4,100 in all): the columns still growing when the cache fills
  // stop being cached there.
  const columns = 12;
  const spellings = (c: number) => (c < 10 ? 400 : 50);
  const rows = Array.from({ length: 12_000 }, (_, i) =>
    Array.from({ length: columns }, (_, c) => `c${c}v${(i * 7 + c) % spellings(c)}`).join(','),
  );
  const header = Array.from({ length: columns }, (_, c) => `c${c}`).join(',');
  const before = fastRowsStats.cachedCells;
  const { read } = await bothWays('cache-full.csv', `${header}\n${rows.join('\n')}\n`);
  const cached = fastRowsStats.cachedCells - before;
  assert.ok(cached > 2 * 11_000 && cached < 11 * 12_000, `cached ${cached} cells`); // the small two and some of the ten, not all
  for (let c = 0; c < columns; c++) assert.equal(read.columns.get(`c${c}`)!.categories.size, spellings(c));
});

test('a module reused by the next read starts with an empty cache', async () => {
  const write = (name: string, values: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, `kind,x\n${Array.from({ length: 5_000 }, (_, i) => `${values[i % values.length]},${i}`).join('\n')}\n`);
    return file;
  };
  // The same column, other spellings and another first-seen order: a cache kept from the first read would
  // count the second one's cells in the first read's dictionaries.
  const first = write('reuse-a.csv', ['a', 'b', 'c']);
  const second = write('reuse-b.csv', ['c', 'd', 'b', 'a', 'e']);
  await readCsvColumns(first);
  const fast = await readCsvColumns(second);
  const slow = await readCsvColumns(second, { fastRows: false });
  assert.deepEqual(comparable(fast), comparable(slow));
  assert.deepEqual(
    [...fast.columns.get('kind')!.categories.entries()],
    [
      ['c', 1_000],
      ['d', 1_000],
      ['b', 1_000],
      ['a', 1_000],
      ['e', 1_000],
    ],
  );
});

test('the module’s own data and stack end below the buffers fast-rows.ts lays out (1 MiB)', () => {
  const module = takeFastRowsModule()!;
  try {
    assert.ok(module.wasm.heap_base() <= 1 << 20, `heap base ${module.wasm.heap_base()}`);
  } finally {
    releaseFastRowsModule(module);
  }
});

test('a cached text column whose unquoted cells hold a stray quote reads the same either way, rows between them fast', async () => {
  // `c"` is never a plain cell, and its front `c` never a cell of its own: every such row is a miss the
  // tokenizer reads alone, and the plain rows between them stay on the fast path.
  const rows = Array.from({ length: 3_000 }, (_, i) => `${i % 5 === 0 ? 'c"' : i % 2 ? 'a' : 'b'},${i}`);
  const { read, fastShare } = await bothWays('stray-quotes.csv', `label,x\n${rows.join('\n')}\n`);
  assert.ok(fastShare > 0.7, `fast path read ${fastShare}`);
  assert.deepEqual(
    [...read.columns.get('label')!.categories.entries()],
    [
      ['c"', 600],
      ['a', 1_200],
      ['b', 1_200],
    ],
  );
});
