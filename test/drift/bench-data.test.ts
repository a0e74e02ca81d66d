/**
 * The drift benchmark writes its CSVs as pandas' to_csv writes floats (benchmarks/pandas-float.ts, and
 * benchmarks/pandas-float-csv.cpp, the quicker twin it builds with g++ when there is one): checked here
 * against cells pandas wrote (fixture from test/fixtures/drift/make_pandas_float_fixture.py), and the
 * native formatter against the JavaScript one on a chunk of the --big benchmark's rows.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CHUNK_ROWS, compileFormatter, csvChunk, nativeChunk, type CsvSpec } from '../../benchmarks/drift-data';
import { pandasFloat } from '../../benchmarks/pandas-float';

const fixture = JSON.parse(readFileSync(join(import.meta.dirname, '../fixtures/drift/pandas_float_repr.json'), 'utf8')) as [
  string,
  string,
][];
const valueOf = (hex: string) => Buffer.from(hex, 'hex').readDoubleBE(0);

const dir = mkdtempSync(join(tmpdir(), 'bench-data-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const hasGpp = spawnSync('g++', ['--version']).status === 0;

test('pandasFloat writes what pandas to_csv writes (1,321 values: every exponent style, integral, NaN, ±inf, −0)', () => {
  assert.ok(fixture.length > 1000);
  const wrong = fixture.filter(([hex, cell]) => pandasFloat(valueOf(hex)) !== cell);
  assert.deepEqual(wrong, []);
});

test('the native formatter writes what pandas writes', { skip: hasGpp ? false : 'no g++' }, () => {
  const formatter = compileFormatter(dir);
  assert.ok(formatter, 'g++ builds benchmarks/pandas-float-csv.cpp');
  const values = new Float64Array(fixture.map(([hex]) => valueOf(hex)));
  const out = spawnSync(formatter, ['1'], { input: new Uint8Array(values.buffer) });
  assert.equal(out.status, 0);
  assert.deepEqual(
    out.stdout.toString('latin1').split('\n').slice(0, -1),
    fixture.map(([, cell]) => cell),
  );
});

test(
  'the native formatter writes toFixed(4) for --short-floats, ties away from zero and -0 as 0',
  { skip: hasGpp ? false : 'no g++' },
  () => {
    const formatter = compileFormatter(dir)!;
    // Ties (exact binary fractions ending in 5 at the 5th decimal) are where printf's rounding differs.
    const values = new Float64Array([
      0,
      -0,
      0.03125,
      -0.03125,
      0.09375,
      2.71875,
      -1e-9,
      1.5,
      ...fixture.map(([hex]) => valueOf(hex)).filter((x) => Math.abs(x) < 1e21),
    ]);
    const out = spawnSync(formatter, ['1', '--fixed4'], { input: new Uint8Array(values.buffer) });
    assert.equal(out.status, 0);
    const cells = out.stdout.toString('latin1').split('\n').slice(0, -1);
    assert.deepEqual(cells.slice(0, 8), ['0.0000', '0.0000', '0.0313', '-0.0313', '0.0938', '2.7188', '-0.0000', '1.5000']);
    assert.deepEqual(
      cells,
      Array.from(values, (x) => x.toFixed(4)),
    );
  },
);

test(
  'a chunk of the --big benchmark is the same text from the native and the JavaScript formatter (also --short-floats)',
  { skip: hasGpp ? false : 'no g++' },
  () => {
    const formatter = compileFormatter(dir)!;
    // Chunk 0 (the file's seed) and the first 2,000 rows of chunk 1 (a derived seed); toFixed(4) too.
    for (const [rows, k, short] of [
      [2000, 0, false],
      [CHUNK_ROWS + 2000, 1, false],
      [2000, 0, true],
    ] as const) {
      const spec: CsvSpec = { rows, numeric: 20, categorical: false, shift: 0.2, seed: 2, short };
      const text = csvChunk(spec, k);
      assert.equal(text.split('\n').length, 2001);
      assert.equal(Buffer.from(nativeChunk(spec, k, formatter)).toString('latin1'), text);
    }
  },
);

test('--missing leaves numbers empty at about that share and quotes the city names as to_csv does; without it nothing changes', () => {
  const spec: CsvSpec = { rows: 20_000, numeric: 7, categorical: true, shift: 0, seed: 1, short: false };
  const plain = csvChunk(spec, 0);
  assert.equal(csvChunk({ ...spec, missing: 0 }, 0), plain);
  const lines = csvChunk({ ...spec, missing: 0.05 }, 0)
    .trimEnd()
    .split('\n');
  assert.equal(lines.length, 20_000);
  const numbers = lines.flatMap((line) => line.split(',').slice(0, 7));
  const empty = numbers.filter((cell) => cell === '').length / numbers.length;
  assert.ok(empty > 0.04 && empty < 0.06, `share of empty numbers ${empty}`);
  assert.ok(lines.some((line) => line.includes('"lyon, rhône"')));
  assert.ok(lines.some((line) => line.includes('"lille ""nord"""')));
});
