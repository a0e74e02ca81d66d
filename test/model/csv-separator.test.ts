/**
 * Every CSV reader decides the separator as the drift engine does (server/model/csv-separator.ts): the
 * serving reference, `model-lab predict` and explain read a `;`- or tab-separated file as its comma
 * twin — and a vanished file still gets the reader's own error, not one from the sniffing.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { predictCsv } from '../../server/cli/commands/predict';
import { readTable } from '../../server/explain/index';
import { csvDelimiterOf } from '../../server/model/csv-separator';
import { loadModel, readReference } from '../../server/model';
import { repoPath } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'csv-separator-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const irisCsv = readFileSync(repoPath('samples/iris/reference.csv'), 'utf8');
/** The iris reference with `sep` between fields (its values hold no separators). */
function iris(name: string, sep: string): string {
  const file = join(dir, name);
  writeFileSync(file, irisCsv.replaceAll(',', sep));
  return file;
}
const files = { comma: repoPath('samples/iris/reference.csv'), semicolon: iris('iris-semi.csv', ';'), tab: iris('iris.tsv', '\t') };

test('the separator of a file: its header line decides; an unreadable file is a comma (its reader says why)', async () => {
  assert.equal(await csvDelimiterOf(files.comma), ',');
  assert.equal(await csvDelimiterOf(files.semicolon), ';');
  assert.equal(await csvDelimiterOf(files.tab), '\t');
  assert.equal(await csvDelimiterOf(join(dir, 'nope.csv')), ',');
});

test('the serving reference: the same columns, facts and sample from ; and tab files', async () => {
  const withoutPath = async (file: string) => {
    const look = await readReference(file);
    return { ...look, sample: { ...look.sample, path: null } };
  };
  const expected = await withoutPath(files.comma);
  assert.equal(expected.columns.length, 5);
  assert.equal(expected.sample.rowCount, 150);
  for (const file of [files.semicolon, files.tab]) assert.deepEqual(await withoutPath(file), expected, file);
});

test('model-lab predict and explain read a ; or tab input as the comma one', async () => {
  const model = await loadModel(repoPath('samples/iris/iris.onnx'), { referenceCsv: files.semicolon });
  try {
    const outputs = [];
    for (const [name, file] of Object.entries(files)) {
      const output = join(dir, `${name}.predictions.csv`);
      await predictCsv(model, file, output, 64);
      outputs.push(readFileSync(output, 'utf8'));
    }
    assert.ok(outputs[0].split('\n').length > 100);
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
    const table = await readTable(files.comma, model.signature, { target: 'species' });
    assert.ok(table.rows > 100);
    assert.deepEqual(await readTable(files.tab, model.signature, { target: 'species' }), table);
  } finally {
    await model.dispose();
  }
});
