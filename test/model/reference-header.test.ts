/**
 * The reference CSV of `serve --reference` names its columns as pandas' read_csv does — as the drift
 * engine does: the unnamed index column `to_csv` writes is `Unnamed: 0`, and a repeated name gets a
 * suffix instead of overwriting the first column's values in the sample rows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readReference } from '../../server/model';
import { readHeader } from '../../server/drift/csv/header';

const dir = mkdtempSync(join(tmpdir(), 'reference-header-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('reference columns are named as pandas and the drift engine name them', async () => {
  const file = join(dir, 'ref.csv');
  writeFileSync(file, ',a,a,a.1,b\n0,1,2,3,x\n1,4,5,6,y\n');
  const look = await readReference(file);
  assert.deepEqual(look.sample.columns, ['Unnamed: 0', 'a', 'a.2', 'a.1', 'b']);
  assert.deepEqual(look.sample.columns, await readHeader(file));
  assert.deepEqual(look.sample.rows[1], { 'Unnamed: 0': '1', a: '4', 'a.2': '5', 'a.1': '6', b: 'y' });
  assert.deepEqual(
    look.columns.map((c) => [c.name, c.numeric]),
    [
      ['Unnamed: 0', true],
      ['a', true],
      ['a.2', true],
      ['a.1', true],
      ['b', false],
    ],
  );
});
