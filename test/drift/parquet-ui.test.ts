/**
 * The Drift tab with a Parquet file in real chromium against a real server (flights model, its
 * reference.csv): the picker lists the .parquet file, the fields say CSV or Parquet, and a check of a
 * Parquet current file against the CSV reference shows the engine's verdicts for the same pair.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { runDrift } from '../../server/drift';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { repoPath } from '../helpers/server';

const artifacts = repoPath('.test-artifacts');

/** flights' current.csv as pandas would write it to Parquet: text columns as strings, the others int64. */
function writeFlightsParquet(target: string): void {
  const [head, ...lines] = readFileSync(repoPath('samples/flights/current.csv'), 'utf8').trim().split(/\r?\n/);
  const rows = lines.map((l) => l.split(','));
  const columnData = head.split(',').map((name, i) => {
    const cells = rows.map((r) => r[i]);
    return /^-?\d+$/.test(cells[0])
      ? { name, data: BigInt64Array.from(cells, (c) => BigInt(c)), type: 'INT64' as const }
      : { name, data: cells, type: 'STRING' as const };
  });
  writeFileSync(target, new Uint8Array(parquetWriteBuffer({ columnData })));
}

describe('Drift tab with Parquet', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  // The model's folder (an allowed root, listed for the pickers): the flights model, its reference CSV and a Parquet file.
  const work = mkdtempSync(join(tmpdir(), 'drift-parquet-ui-'));
  const current = join(work, 'current.parquet');
  const REFERENCE = join(work, 'reference.csv');

  before(async () => {
    for (const name of ['flights.onnx', 'reference.csv']) copyFileSync(repoPath('samples/flights', name), join(work, name));
    writeFlightsParquet(current);
    bundle = await buildUiBundle();
    server = await startUiServer(join(work, 'flights.onnx'), { referenceCsv: REFERENCE, uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('#tab-drift').click();
    await page.waitForFunction(() =>
      (document.getElementById('drift-reference') as HTMLInputElement | null)?.value.endsWith('reference.csv'),
    );
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(work, { recursive: true, force: true });
  });

  it('lists the Parquet file, says CSV or Parquet, and checks it against the CSV reference as the engine does', async () => {
    assert.equal(await page.locator('#drift-current').getAttribute('aria-label'), 'Current CSV or Parquet path');
    await page.waitForFunction(() => document.querySelectorAll('#drift-files option').length > 0);
    const options = await page.locator('#drift-files option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    assert.ok(
      options.some((o) => o.endsWith('current.parquet')),
      `current.parquet among ${options.join(', ')}`,
    );
    await page.locator('#drift-current').fill(current);
    await page.locator('#drift-run').click();
    await page.locator('#drift-results[data-state="report"]').waitFor();
    const expected = await runDrift({ reference: REFERENCE, current, target: 'delayed' });
    const rows = await page.locator('.drift-report > .drift-table-wrap tbody tr').evaluateAll((trs) =>
      trs.map((tr) => ({
        name: tr.getAttribute('data-column'),
        drift: tr.getAttribute('data-drift') === 'true',
        score: tr.querySelector('[data-score]')?.getAttribute('data-score'),
      })),
    );
    assert.equal(rows.length, expected.columns.length);
    for (const row of rows) {
      const c = expected.columns.find((x) => x.name === row.name)!;
      assert.ok(c, `column ${row.name} is in the engine's report`);
      assert.equal(row.drift, c.drift, `${row.name}: verdict`);
      assert.equal(row.score, c.score === null ? '' : String(c.score), `${row.name}: score`);
    }
    assert.ok(
      expected.columns.some((c) => c.drift),
      'flights current data drifts',
    );
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'ui-drift-parquet.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
