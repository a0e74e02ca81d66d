/**
 * A column of row numbers — pandas' index, which to_csv writes unless index=False (read back as
 * `Unnamed: 0`) — is flagged as an index, not a feature: it drifts whenever the files differ in length.
 * It is still tested as Evidently tests it (same decisions); the report says why its drift means nothing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runDrift } from '../../server/drift';
import { renderHtml } from '../../server/drift/report/html';
import { renderText } from '../../server/drift/report/text';
import { mulberry32 } from '../../server/drift/math/random';

const dir = mkdtempSync(join(tmpdir(), 'drift-row-index-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** As `df.iloc[from:from + rows].to_csv(path)` writes it: the index first, under an empty header. */
function toCsv(name: string, from: number, rows: number, seed: number, ids = false): string {
  const random = mulberry32(seed);
  const lines = [ids ? ',x,id' : ',x'];
  for (let r = from; r < from + rows; r++) lines.push(`${r},${(random() * 10).toPrecision(17)}${ids ? `,${7 * r}` : ''}`);
  const file = join(dir, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

test("pandas' index column (0…2999 against 3000…4999) is flagged in the column and the summary; the features are not", async () => {
  const report = await runDrift({
    reference: toCsv('ref.csv', 0, 3000, 1, true),
    current: toCsv('cur.csv', 3000, 2000, 2, true),
    mmd: false,
  });
  const index = report.columns.find((c) => c.name === 'Unnamed: 0')!;
  assert.ok(index, report.columns.map((c) => c.name).join(', '));
  assert.equal(index.quality.rowNumbers, true);
  assert.equal(index.drift, true); // tested as Evidently tests it: the index moved
  assert.equal(report.columns.find((c) => c.name === 'x')!.quality.rowNumbers, false);
  assert.equal(report.columns.find((c) => c.name === 'id')!.quality.rowNumbers, false); // 0, 7, 14…: not consecutive
  const said = report.summary.details.find((d) => d.includes('row numbers'));
  assert.ok(said, report.summary.details.join(' | '));
  assert.match(said, /^Unnamed: 0 holds row numbers .*an index \(pandas' to_csv writes one unless index=False\), not a feature/);
  assert.notEqual(report.summary.severity, 'ok');
  assert.match(renderText(report), /Unnamed: 0 holds row numbers/);
  const html = renderHtml(report);
  assert.match(html, /<li>Unnamed: 0 holds row numbers/);
  assert.equal(html.match(/row numbers: an index, not a feature/g)?.length, 1); // in the index's row only
});

test('not row numbers: a repeated, a missing or a skipped number on either side', async () => {
  const ref = toCsv('ref2.csv', 0, 500, 3);
  for (const [name, edit] of [
    ['repeat', (lines: string[]) => (lines[10] = lines[10].replace(/^9,/, '8,'))],
    ['missing', (lines: string[]) => (lines[10] = lines[10].replace(/^9,/, ','))],
    ['gap', (lines: string[]) => lines.splice(10, 1)],
  ] as const) {
    const lines = `,x\n${Array.from({ length: 400 }, (_, r) => `${r},${r % 7}.5`).join('\n')}\n`.split('\n');
    edit(lines);
    const cur = join(dir, `cur-${name}.csv`);
    writeFileSync(cur, lines.join('\n'));
    const report = await runDrift({ reference: ref, current: cur, mmd: false });
    assert.equal(report.columns.find((c) => c.name === 'Unnamed: 0')!.quality.rowNumbers, false, name);
    assert.ok(!report.summary.details.some((d) => d.includes('row numbers')), name);
  }
});

test('a text column with a different value on every row (an id) is an identifier; a repeated value or a short file is not', async () => {
  const write = (name: string, ids: string[]) => {
    const path = join(dir, name);
    writeFileSync(path, `customer,plan\n${ids.map((id, i) => `${id},${i % 3 === 0 ? 'pro' : 'free'}`).join('\n')}\n`);
    return path;
  };
  const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `c-${(from + i).toString(36)}`);
  const report = await runDrift({
    reference: write('ids-ref.csv', ids(0, 300)),
    current: write('ids-cur.csv', ids(1000, 200)),
    mmd: false,
  });
  const customer = report.columns.find((c) => c.name === 'customer')!;
  assert.equal(customer.kind, 'categorical');
  assert.equal(customer.quality.identifier, true);
  assert.equal(report.columns.find((c) => c.name === 'plan')!.quality.identifier, false);
  const said = report.summary.details.find((d) => d.includes('identifier'));
  assert.match(said ?? '', /^customer holds a different value on every row in both files: an identifier, not a feature/);
  assert.match(renderHtml(report), /a different value on every row: an identifier, not a feature/);
  const repeated = ids(1000, 200);
  repeated[150] = repeated[3];
  const once = await runDrift({ reference: write('ids-ref2.csv', ids(0, 300)), current: write('ids-rep.csv', repeated), mmd: false });
  assert.equal(once.columns.find((c) => c.name === 'customer')!.quality.identifier, false);
  const short = await runDrift({ reference: write('ids-ref3.csv', ids(0, 19)), current: write('ids-short.csv', ids(50, 19)), mmd: false });
  assert.equal(short.columns.find((c) => c.name === 'customer')!.quality.identifier, false);
});
