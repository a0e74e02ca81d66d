/**
 * The drift engine on Parquet files (fixtures from test/fixtures/drift/parquet/make-fixtures.ts): the
 * same data as CSV or Parquet gives the same report, mixed pairs too; typing as pandas' read_parquet;
 * corrupt, truncated and unsupported files end in errors naming the file, row group and column.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FileMetaData } from 'hyparquet';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { runDrift, type DriftReport } from '../../server/drift';
import { ParquetFormatError } from '../../server/drift/parquet/errors';
import { readParquetColumns, readParquetHeader } from '../../server/drift/parquet/read';
import { columnDecoder, readPages, setFlatPageReader } from '../../server/drift/parquet/pages';
import { formatNumber, formatTimestamp } from '../../server/drift/parquet/typing';
import { CancelledError } from '../../server/protocol/errors';
import { fixture } from './helpers';

const pq = (name: string) => fixture(join('parquet', name));
const temp = mkdtempSync(join(tmpdir(), 'drift-parquet-'));
after(() => rmSync(temp, { recursive: true, force: true }));

/** The report without what must differ between two runs (paths, clock, timings). */
function comparable(report: DriftReport): unknown {
  const { createdAt: _c, timings: _t, reference, current, ...rest } = report;
  return JSON.parse(JSON.stringify({ ...rest, reference: { ...reference, file: null }, current: { ...current, file: null } }));
}

test('the same data as CSV and as Parquet gives the same report (columns, p-values, decisions, MMD)', async () => {
  const csv = await runDrift({ reference: pq('twin_reference.csv'), current: pq('twin_current.csv') });
  const parquet = await runDrift({ reference: pq('twin_reference.parquet'), current: pq('twin_current.parquet') });
  assert.deepEqual(comparable(parquet), comparable(csv));
  // The report says something (drift in the shifted columns), so "equal" is not "both empty".
  assert.equal(csv.reference.rows, 1500);
  assert.deepEqual(
    csv.columns.map((c) => [c.name, c.kind]),
    [
      ['cont_a', 'numerical'],
      ['cont_b', 'numerical'],
      ['count', 'numerical'],
      ['binary', 'numerical'],
      ['city', 'categorical'],
      ['member', 'categorical'],
    ],
  );
  assert.ok(parquet.columns.find((c) => c.name === 'cont_a')!.drift);
  assert.ok(!parquet.columns.find((c) => c.name === 'cont_b')!.drift);
  assert.ok(parquet.multivariate !== null);
});

test('a CSV reference with a Parquet current (and the other way round, on two threads) gives the same report', async () => {
  const csv = comparable(await runDrift({ reference: pq('twin_reference.csv'), current: pq('twin_current.csv'), parallel: false }));
  const mixed = await runDrift({ reference: pq('twin_reference.csv'), current: pq('twin_current.parquet'), parallel: false });
  const crossed = await runDrift({ reference: pq('twin_reference.parquet'), current: pq('twin_current.csv'), parallel: true });
  assert.deepEqual(comparable(mixed), csv);
  assert.deepEqual(comparable(crossed), csv);
});

test('options apply as for CSV: --columns, --categorical (numbers spelled as pandas writes them), one column per pass', async () => {
  const options = { columns: ['count', 'city'], categorical: ['count'], memoryBudgetMb: 0.01, mmd: false };
  const csv = await runDrift({ reference: pq('twin_reference.csv'), current: pq('twin_current.csv'), ...options });
  const parquet = await runDrift({ reference: pq('twin_reference.parquet'), current: pq('twin_current.parquet'), ...options });
  assert.deepEqual(comparable(parquet), comparable(csv));
  assert.equal(parquet.timings.passes, 2);
  assert.equal(parquet.columns[0].kind, 'categorical');
});

test('typing follows pandas: int without nulls is int64, with nulls float64; bools and strings are categories; nulls missing', async () => {
  const file = join(temp, 'types.parquet');
  writeFileSync(
    file,
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'i', data: BigInt64Array.from([1n, 2n, 3n, 2n]), type: 'INT64', nullable: false },
          { name: 'j', data: [1, null, 3, 3], type: 'INT32' },
          { name: 'd', data: [0.5, NaN, Infinity, null], type: 'DOUBLE' },
          { name: 'b', data: [true, false, null, true], type: 'BOOLEAN' },
          { name: 's', data: ['a', '', null, 'NA'], type: 'STRING' },
          {
            name: 't',
            data: [new Date(Date.UTC(2024, 0, 31, 12)), null, new Date(Date.UTC(2024, 1, 1)), new Date(1500)],
            type: 'TIMESTAMP',
          },
        ],
      }),
    ),
  );
  const read = await readParquetColumns(file);
  const col = (name: string) => read.columns.get(name)!;
  assert.deepEqual([col('i').kind, col('i').integerDtype, col('i').missing, [...col('i').values]], ['numerical', true, 0, [1, 2, 3, 2]]);
  assert.deepEqual([col('j').kind, col('j').integerDtype, col('j').missing, col('j').count], ['numerical', false, 1, 3]);
  assert.deepEqual([col('d').count, col('d').missing, col('d').infinite], [1, 3, 1]);
  assert.deepEqual(
    [col('b').kind, [...col('b').categories], col('b').missing],
    [
      'categorical',
      [
        ['True', 2],
        ['False', 1],
      ],
      1,
    ],
  );
  // As pandas' read_parquet: an empty string and "NA" are values, only null is missing.
  assert.deepEqual(
    [...col('s').categories],
    [
      ['a', 1],
      ['', 1],
      ['NA', 1],
    ],
  );
  assert.equal(col('s').missing, 1);
  assert.deepEqual([...col('t').categories.keys()], ['2024-01-31 12:00:00', '2024-02-01 00:00:00', '1970-01-01 00:00:01.500000']);
  assert.equal(read.rows, 4);
});

test('numbers compared as categories are spelled as pandas writes them; timestamps as to_csv writes them', () => {
  assert.deepEqual(
    [formatNumber(1, false), formatNumber(1, true), formatNumber(0.1, false), formatNumber(1e16, false), formatNumber(1e-5, false)],
    ['1.0', '1', '0.1', '1e+16', '1e-05'],
  );
  assert.equal(formatTimestamp(-1n), '1969-12-31 23:59:59.999999999');
  assert.equal(formatTimestamp(86_400_000_000_000n), '1970-01-02 00:00:00');
});

test("pandas' index column is left out, as read_parquet makes it the index", async () => {
  assert.deepEqual(await readParquetHeader(pq('with_index.parquet')), ['cont_b']);
});

test('a corrupt page names the file, the row group and the column; nothing crashes', async () => {
  await assert.rejects(
    runDrift({ reference: pq('twin_reference.parquet'), current: pq('corrupt_page.parquet'), mmd: false }),
    (err: unknown) => {
      assert.ok(err instanceof ParquetFormatError, String(err));
      assert.match(err.message, /corrupt_page\.parquet, row group 1, column "cont_a": cannot be decoded/);
      assert.equal(err.status, 400);
      return true;
    },
  );
});

test('the same corrupt file read in the worker thread keeps its class and words', async () => {
  await assert.rejects(
    runDrift({ reference: pq('twin_reference.parquet'), current: pq('corrupt_page.parquet'), mmd: false, parallel: true }),
    (err: unknown) => err instanceof ParquetFormatError && /row group 1, column "cont_a"/.test(err.message),
  );
});

test('truncated, not Parquet at all, and an unsupported codec: each refused in words', async () => {
  await assert.rejects(readParquetColumns(pq('truncated.parquet')), /truncated\.parquet: not a Parquet file .*cut short/);
  const csvNamedParquet = join(temp, 'data.parquet');
  copyFileSync(pq('twin_reference.csv'), csvNamedParquet);
  await assert.rejects(runDrift({ reference: csvNamedParquet, current: pq('twin_current.parquet') }), /is it a CSV with a \.parquet name/);
  await assert.rejects(readParquetColumns(pq('lzo.parquet')), (err: unknown) => {
    assert.ok(err instanceof ParquetFormatError);
    assert.match(err.message, /lzo\.parquet, row group 1, column "y": compressed with LZO, which this reader cannot decompress/);
    return true;
  });
  // Only the columns asked for are decoded: "x" alone reads fine.
  assert.equal((await readParquetColumns(pq('lzo.parquet'), { columns: ['x'] })).columns.get('x')!.count, 3);
});

test('a nested column is refused by name, and the rest of the file can still be checked without it', async () => {
  const file = join(temp, 'nested.parquet');
  writeFileSync(
    file,
    new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: 'x', data: Float64Array.from([1, 2, 3]) },
          { name: 'tags', data: [['a'], ['b', 'c'], []] },
        ],
        // A list of strings as pyarrow writes one (3-level LIST).
        schema: [
          { name: 'root', num_children: 2 },
          { name: 'x', type: 'DOUBLE', repetition_type: 'REQUIRED' },
          { name: 'tags', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        ],
      }),
    ),
  );
  await assert.rejects(runDrift({ reference: file, current: file }), /nested\.parquet, column "tags": a nested \(list\) column.*--columns/);
  const report = await runDrift({ reference: file, current: file, columns: ['x'], mmd: false });
  assert.equal(report.columns[0].drift, false);
});

test('an aborted signal cancels a Parquet read', async () => {
  const controller = new AbortController();
  controller.abort(new CancelledError('drift check cancelled'));
  await assert.rejects(readParquetColumns(pq('twin_reference.parquet'), { signal: controller.signal }), CancelledError);
});

test('many small pages (nulls, dictionary and plain pages, DATA_PAGE_V2-free v1 pages) read as one big page does', async () => {
  const random = (() => {
    let s = 7;
    return () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
  })();
  const n = 3000;
  const x = Array.from({ length: n }, (_, i) => (i % 17 === 0 ? null : random() * 10));
  const k = Array.from({ length: n }, (_, i) => (i % 23 === 0 ? null : Math.floor(random() * 4)));
  const s = Array.from({ length: n }, (_, i) => (i % 29 === 0 ? null : ['a', 'b', 'c'][Math.floor(random() * 3)]));
  const write = (name: string, pageSize: number) => {
    const file = join(temp, name);
    const columnData = [
      { name: 'x', data: x, type: 'DOUBLE' as const },
      { name: 'k', data: k, type: 'INT32' as const },
      { name: 's', data: s, type: 'STRING' as const },
    ];
    writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData, pageSize, rowGroupSize: 1000 })));
    return file;
  };
  const small = write('small-pages.parquet', 200);
  const big = write('big-pages.parquet', 1 << 20);
  const options = { sampleRows: 50, seed: 3 };
  const a = await readParquetColumns(small, options);
  const b = await readParquetColumns(big, options);
  assert.deepEqual(a, { ...b, file: small });
  assert.equal(a.columns.get('x')!.missing, Math.ceil(n / 17));
  assert.equal(a.columns.get('k')!.missing, Math.ceil(n / 23));
  // The sample holds the file's values at the picked rows (x is numeric, s is text: NaN).
  const sx = [...a.sample!.values].filter((_, i) => i % 3 === 0);
  assert.ok(sx.every((v) => Number.isNaN(v) || x.includes(v)));
  assert.ok(sx.some((v) => !Number.isNaN(v)));
});

/** Thrift compact protocol, as much as v1 page headers need: i32 fields and one nested struct. */
const compactI32 = (delta: number, v: number) => {
  const out: number[] = [(delta << 4) | 5];
  let n = ((v << 1) ^ (v >> 31)) >>> 0;
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
  return [...out, n];
};

/** A v1 DATA_PAGE header (levels RLE-encoded); `encoding`: 0 PLAIN, 2 PLAIN_DICTIONARY. */
function v1PageHeader(numValues: number, pageBytes: number, encoding = 0): number[] {
  const i32 = compactI32;
  const dataPageHeader = [...i32(1, numValues), ...i32(1, encoding), ...i32(1, 3 /* RLE */), ...i32(1, 3), 0];
  return [...i32(1, 0 /* DATA_PAGE */), ...i32(1, pageBytes), ...i32(1, pageBytes), (2 << 4) | 12, ...dataPageHeader, 0];
}

/** A DICTIONARY_PAGE header (field 7: its PLAIN values). */
function dictionaryPageHeader(numValues: number, pageBytes: number): number[] {
  const i32 = compactI32;
  return [
    ...i32(1, 2 /* DICTIONARY_PAGE */),
    ...i32(1, pageBytes),
    ...i32(1, pageBytes),
    (4 << 4) | 12,
    ...i32(1, numValues),
    ...i32(1, 0),
    0,
    0,
  ];
}

test("pages read into typed arrays give what hyparquet's page readers give: v1 with nulls, v2 with and without", async (t) => {
  t.after(() => setFlatPageReader(true));
  // A v1 page (as pyarrow writes by default) of 20 rows: 16 present (an RLE run), then 1, null, 1, null (bit-packed).
  const levels = [0x20, 1, 0x03, 0b0101];
  const present = Array.from({ length: 18 }, (_, i) => (i - 5) * 1.25);
  const body = Buffer.alloc(4 + levels.length + present.length * 8);
  body.writeUInt32LE(levels.length, 0);
  Buffer.from(levels).copy(body, 4);
  present.forEach((v, i) => body.writeDoubleLE(v, 4 + levels.length + i * 8));
  const chunk = new Uint8Array([...v1PageHeader(20, body.length), ...body]);
  const schema = [
    { name: 'schema', num_children: 1 },
    { name: 'x', type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  ];
  const decoder = columnDecoder({ schema } as unknown as FileMetaData, 'x', 'UNCOMPRESSED', {});
  const pages = (on: boolean) => {
    setFlatPageReader(on);
    const seen: { present: number[]; levels: number[]; rows: number }[] = [];
    readPages(chunk, 20, decoder, (page) =>
      seen.push({ present: Array.from(page.present as Float64Array), levels: Array.from(page.definitionLevels), rows: page.numValues }),
    );
    return seen;
  };
  const typed = pages(true);
  assert.deepEqual(typed, pages(false));
  assert.deepEqual(typed, [{ present, levels: [...Array(16).fill(1), 1, 0, 1, 0], rows: 20 }]);
  // Strings as pyarrow writes them: a dictionary page, then a v1 page of 8 rows (2 nulls) holding 2-bit indices.
  const words = ['a', 'bb', 'ccc'];
  const dictionaryBody = words.flatMap((w) => [w.length, 0, 0, 0, ...Buffer.from(w)]);
  const indexBody = [2, 0, 0, 0, 0x03, 0b11011011, 2, 0x03, 0x24, 0x09]; // levels 1,1,0,1,1,0,1,1; indices 0,1,2,0,1,2
  const strings = new Uint8Array([
    ...dictionaryPageHeader(3, dictionaryBody.length),
    ...dictionaryBody,
    ...v1PageHeader(8, indexBody.length, 2),
    ...indexBody,
  ]);
  const stringSchema = [
    { name: 'schema', num_children: 1 },
    { name: 's', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL', converted_type: 'UTF8' },
  ];
  const stringDecoder = columnDecoder({ schema: stringSchema } as unknown as FileMetaData, 's', 'UNCOMPRESSED', {});
  const stringPages = (on: boolean) => {
    setFlatPageReader(on);
    const seen: { values: unknown[]; levels: number[] }[] = [];
    readPages(strings, 8, stringDecoder, (page) =>
      seen.push({
        values: Array.from(page.present as ArrayLike<number>, (k) => page.dictionary![k]),
        levels: Array.from(page.definitionLevels),
      }),
    );
    return seen;
  };
  const typedStrings = stringPages(true);
  assert.deepEqual(typedStrings, stringPages(false));
  assert.deepEqual(typedStrings, [{ values: ['a', 'bb', 'ccc', 'a', 'bb', 'ccc'], levels: [1, 1, 0, 1, 1, 0, 1, 1] }]);
  // v2 pages (hyparquet-writer's), with nulls and without, plain and dictionary; and pyarrow's v1 dictionary pages.
  for (const name of ['twin_reference.parquet', 'twin_current.parquet', 'with_index.parquet', 'pyarrow_simple.parquet']) {
    setFlatPageReader(true);
    const fast = await readParquetColumns(pq(name), { sampleRows: 50 });
    setFlatPageReader(false);
    assert.deepEqual(fast, await readParquetColumns(pq(name), { sampleRows: 50 }), name);
  }
});

test('a v2 page whose definition levels claim a negative length is refused as corrupt, not read from elsewhere', async () => {
  // With nulls and without (a nullable column's v2 page carries levels either way).
  for (const data of [
    [1, null, 2.5, null, 3],
    [1, 2.5, 3],
  ]) {
    const bytes = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: 'x', data, type: 'DOUBLE' }], codec: 'UNCOMPRESSED' }));
    // The page header right after "PAR1": type, sizes, then data_page_header_v2 { num_values, num_nulls, num_rows,
    // encoding, definition_levels_byte_length (byte 20: zigzag 4 = 2 bytes) }.
    assert.equal(bytes[20], 0x04);
    bytes[20] = 0x03; // zigzag -2
    const file = join(temp, 'negative-levels.parquet');
    writeFileSync(file, bytes);
    await assert.rejects(readParquetColumns(file, {}), (err: Error) => {
      assert.ok(err instanceof ParquetFormatError, String(err));
      assert.match(
        err.message,
        /negative-levels\.parquet, row group 1, column "x": cannot be decoded \(a page's definition levels lie outside it\)/,
      );
      return true;
    });
  }
});

test("a file pyarrow wrote (pandas' own test file: v1 data pages, PLAIN_DICTIONARY, snappy) reads as pandas reads it", async () => {
  // pyarrow_simple.parquet is pandas' tests/io/data/parquet/simple.parquet (BSD-3-Clause), from Debian's python3-pandas.
  const read = await readParquetColumns(pq('pyarrow_simple.parquet'));
  assert.deepEqual(read.header, ['A', 'B']);
  const a = read.columns.get('A')!;
  assert.deepEqual([a.kind, a.integerDtype, [...a.values], a.missing], ['numerical', true, [1, 2, 3], 0]);
  assert.deepEqual([...read.columns.get('B')!.categories], [['foo', 3]]);
});

/** A CSV with plain cells as a Parquet file: number columns DOUBLE, the others strings. */
function csvToParquet(csv: string, target: string): string {
  const [head, ...lines] = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
  const names = head.split(',');
  const rows = lines.map((l) => l.split(','));
  const columnData = names.map((name, i) => {
    const cells = rows.map((r) => r[i]);
    const numeric = cells.every((c) => c !== '' && Number.isFinite(Number(c)));
    return numeric
      ? { name, data: Float64Array.from(cells, Number), type: 'DOUBLE' as const }
      : { name, data: cells, type: 'STRING' as const };
  });
  writeFileSync(target, new Uint8Array(parquetWriteBuffer({ columnData })));
  return target;
}

test('prediction drift (--model) on Parquet: a reference naming the features and both files predicted as their CSVs are', async () => {
  const iris = (name: string) => join(import.meta.dirname, '..', '..', 'samples', 'iris', name);
  const reference = csvToParquet(iris('reference.csv'), join(temp, 'iris-reference.parquet'));
  const current = csvToParquet(iris('current.csv'), join(temp, 'iris-current.parquet'));
  const csv = await runDrift({ reference: iris('reference.csv'), current: iris('current.csv'), model: iris('iris.onnx'), mmd: false });
  const parquet = await runDrift({ reference, current, model: iris('iris.onnx'), mmd: false });
  assert.equal(parquet.predictions?.error, null, String(parquet.predictions?.error));
  assert.deepEqual(parquet.predictions?.rows, { reference: 150, current: 200 });
  assert.equal(parquet.predictions?.failedRows.current, 0);
  assert.deepEqual(JSON.parse(JSON.stringify(parquet.predictions)), JSON.parse(JSON.stringify(csv.predictions)));
});

test('--cache works for a Parquet reference: written, then hit, same report', async () => {
  const reference = join(temp, 'cached-reference.parquet');
  copyFileSync(pq('twin_reference.parquet'), reference);
  const options = { reference, current: pq('twin_current.parquet'), cache: true, mmd: false };
  const first = await runDrift(options);
  const second = await runDrift(options);
  assert.equal(first.reference.cache, 'written');
  assert.equal(second.reference.cache, 'hit');
  assert.deepEqual(JSON.parse(JSON.stringify(second.columns)), JSON.parse(JSON.stringify(first.columns)));
});

test('300 seeded byte mutations (footer and pages): each file reads or is refused with a ParquetFormatError, nothing else', async () => {
  const good = readFileSync(pq('twin_current.parquet'));
  let seed = 12345;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  const outcomes = { read: 0, refused: 0 };
  const file = join(temp, 'mutated.parquet');
  for (let i = 0; i < 300; i++) {
    const bad = Buffer.from(good);
    for (let k = 1 + Math.floor(random() * 8); k > 0; k--) {
      // Half in the footer (the metadata), half anywhere (pages, headers).
      const at = random() < 0.5 ? bad.length - 8 - Math.floor(random() * 1500) : Math.floor(random() * bad.length);
      bad[at] = Math.floor(random() * 256);
    }
    writeFileSync(file, bad);
    try {
      await readParquetColumns(file, { sampleRows: 50 });
      outcomes.read++;
    } catch (err) {
      assert.ok(err instanceof ParquetFormatError, `mutation ${i}: ${String(err)}`);
      assert.ok(err.message.startsWith(file), err.message);
      outcomes.refused++;
    }
  }
  // Both outcomes happen (a mutation in a value's bytes reads fine; one in a header is refused).
  assert.ok(outcomes.read > 0 && outcomes.refused > 0, JSON.stringify(outcomes));
});

test('a Parquet file with no rows is refused as bad input (exit 2), never "no drift"', async () => {
  const file = join(temp, 'no-rows.parquet');
  const columnData = ['cont_a', 'cont_b'].map((name) => ({ name, data: new Float64Array(0), type: 'DOUBLE' as const }));
  writeFileSync(file, new Uint8Array(parquetWriteBuffer({ columnData })));
  await assert.rejects(
    runDrift({ reference: pq('twin_reference.parquet'), current: file, columns: ['cont_a', 'cont_b'] }),
    (err: unknown) => {
      assert.ok(err instanceof ParquetFormatError);
      assert.match(err.message, /no-rows\.parquet: has no data rows/);
      assert.equal(err.exitCode, 2);
      return true;
    },
  );
});
