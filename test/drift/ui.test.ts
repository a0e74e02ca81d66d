/**
 * The Drift tab in real chromium against a real server (flights model, its reference.csv): a check
 * started the way the VS Code extension starts it, progress, the table's verdicts against the engine's
 * own report, a chart per column, Cancel on a big file, and errors shown inline.
 */
import assert from 'node:assert/strict';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { runDrift } from '../../server/drift';
import { CheckDriftNotification, labMessage } from '../../webview/lab-panel-messages';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { repoPath } from '../helpers/server';

const REFERENCE = repoPath('samples/flights/reference.csv');
const CURRENT = repoPath('samples/flights/current.csv');
const artifacts = repoPath('.test-artifacts');

/** `rows` flight rows (written in blocks): big enough that predicting them takes seconds. */
async function writeBigCsv(path: string, rows: number): Promise<void> {
  const carriers = ['AA', 'DL', 'UA', 'WN', 'NK'];
  const origins = ['ATL', 'BOS', 'DEN', 'SFO'];
  const out = createWriteStream(path);
  out.write('carrier,origin,distance,dep_hour,day_of_week,delayed\n');
  for (let start = 0; start < rows; start += 50_000) {
    const block: string[] = [];
    for (let i = start; i < Math.min(rows, start + 50_000); i++)
      block.push(`${carriers[i % 5]},${origins[i % 4]},${100 + ((i * 7919) % 2500)},${i % 24},${i % 7},${i % 2}`);
    if (!out.write(block.join('\n') + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

describe('Drift tab', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  // Inside the server's working directory (an allowed root), removed afterwards.
  mkdirSync(artifacts, { recursive: true });
  const work = mkdtempSync(join(artifacts, 'drift-ui-'));

  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/flights/flights.onnx', {
      referenceCsv: 'samples/flights/reference.csv',
      uiAssetsDir: bundle.dir,
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('#tab-drift').click();
    // The reference defaults to the served model's reference CSV.
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

  it(
    'runs when the extension posts {type: model-lab.drift}, ' + "and shows the engine's verdicts, sorted, with a chart per column",
    async () => {
      await page.evaluate((message) => window.postMessage(message, '*'), labMessage(CheckDriftNotification, { current: CURRENT }));
      await page.locator('#drift-results[data-state="report"]').waitFor();
      assert.equal(await page.locator('#drift-reference').inputValue(), REFERENCE);

      // The tab sends the served signature's target (delayed): it is target drift, not a feature.
      const target = server.host.current().signature.target;
      assert.equal(target, 'delayed');
      const expected = await runDrift({ reference: REFERENCE, current: CURRENT, target });
      assert.equal(await page.locator('.drift-target').getAttribute('data-column'), 'delayed');
      const rows = await page.locator('.drift-report > .drift-table-wrap tbody tr').evaluateAll((trs) =>
        trs.map((tr) => ({
          name: tr.getAttribute('data-column'),
          drift: tr.getAttribute('data-drift') === 'true',
          test: tr.querySelector('[data-test]')?.getAttribute('data-test'),
          score: tr.querySelector('[data-score]')?.getAttribute('data-score'),
        })),
      );
      const byName = new Map(expected.columns.map((c) => [c.name, c]));
      assert.equal(rows.length, expected.columns.length);
      for (const row of rows) {
        const c = byName.get(row.name!)!;
        assert.ok(c, `column ${row.name} is in the engine's report`);
        assert.equal(row.drift, c.drift, `${row.name}: verdict`);
        assert.equal(row.test, c.test, `${row.name}: test`);
        assert.equal(row.score, c.score === null ? '' : String(c.score), `${row.name}: score`);
      }
      const driftedCount = expected.columns.filter((c) => c.drift).length;
      assert.ok(driftedCount > 0, 'flights current.csv drifts');
      assert.deepEqual(
        rows.map((r) => r.drift),
        rows.map((_, i) => i < driftedCount),
        'drifted columns come first',
      );
      // Dataset verdicts as the engine gives them.
      assert.equal(await page.locator('[data-verdict="share"]').getAttribute('data-drift'), String(expected.dataset.share.drift));
      // 2,000 reference rows → distance tests, no p-values: the multiple-testing verdicts say so.
      assert.equal(
        await page.locator('[data-verdict="bonferroni"]').getAttribute('data-drift'),
        String(expected.dataset.bonferroni?.drift ?? 'n/a'),
      );
      assert.equal(
        await page.locator('[data-verdict="benjaminiHochberg"]').getAttribute('data-drift'),
        String(expected.dataset.benjaminiHochberg?.drift ?? 'n/a'),
      );
      // One chart per column, each with reference and current bars.
      const charts = await page.locator('.drift-report > .drift-charts > figure').evaluateAll((fs) =>
        fs.map((f) => ({
          name: f.getAttribute('data-column'),
          ref: f.querySelectorAll('.drift-bar-reference').length,
          cur: f.querySelectorAll('.drift-bar-current').length,
        })),
      );
      assert.deepEqual(charts.map((c) => c.name).sort(), expected.columns.map((c) => c.name).sort());
      for (const c of charts) assert.ok(c.ref > 1 && c.cur > 1, `${c.name}: both histograms drawn`);
      mkdirSync(artifacts, { recursive: true });
      await page.screenshot({ path: join(artifacts, 'ui-drift.png'), fullPage: true });
      assert.deepEqual(problems, []);
    },
  );

  it('passes the test override to the engine: KS everywhere gives Bonferroni and BH verdicts', async () => {
    await page.locator('#drift-stattest').selectOption('ks');
    await page.locator('#drift-current').fill(CURRENT);
    await page.evaluate(() => document.getElementById('drift-results')!.setAttribute('data-state', 'stale'));
    await page.locator('#drift-run').click();
    await page.locator('#drift-results[data-state="report"]').waitFor();
    const expected = await runDrift({ reference: REFERENCE, current: CURRENT, stattestAll: 'ks', target: 'delayed' });
    assert.ok(expected.dataset.bonferroni, 'KS gives p-values');
    assert.equal(await page.locator('[data-verdict="bonferroni"]').getAttribute('data-drift'), String(expected.dataset.bonferroni.drift));
    assert.equal(
      await page.locator('[data-verdict="benjaminiHochberg"]').getAttribute('data-drift'),
      String(expected.dataset.benjaminiHochberg!.drift),
    );
    const tests = await page
      .locator('.drift-report > .drift-table-wrap [data-test]')
      .evaluateAll((tds) => tds.map((td) => td.getAttribute('data-test')));
    assert.deepEqual([...new Set(tests)], ['ks']);
    await page.locator('#drift-stattest').selectOption('');
  });

  it("shows a path outside the server's folders and a malformed CSV as inline errors", async () => {
    await page.locator('#drift-current').fill('/etc/passwd');
    await page.locator('#drift-run').click();
    await page.locator('#drift-message [role="alert"]').waitFor();
    assert.match(await page.locator('#drift-message').innerText(), /current: '\/etc\/passwd' is outside the folders this server may read/);

    const bad = join(work, 'bad.csv');
    writeFileSync(bad, 'carrier,origin,distance,dep_hour,day_of_week,delayed\nAA,ATL,100,1,1,0\nAA,"ATL,100,1,1,0\n');
    await page.locator('#drift-current').fill(bad);
    await page.locator('#drift-run').click();
    await page.waitForFunction(() => /The check failed/.test(document.getElementById('drift-message')?.textContent ?? ''));
    assert.match(await page.locator('#drift-message').innerText(), /line \d+/);
    // The previous report stays: an error never blanks the tab.
    assert.equal(await page.locator('#drift-results').getAttribute('data-state'), 'report');
  });

  it('cancels a long check (prediction drift on a million rows) with the Cancel button', async () => {
    const big = join(work, 'big.csv');
    await writeBigCsv(big, 1_000_000);
    await page.locator('#drift-current').fill(big);
    await page.locator('#drift-predictions').check();
    await page.locator('#drift-run').click();
    await page.locator('#drift-progress:not([hidden])').waitFor();
    // Predicting a million rows takes seconds: cancel while that phase runs.
    await page.waitForFunction(() => /Predicting/.test(document.getElementById('drift-step')?.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
    assert.match(await page.locator('#drift-step').innerText(), /rows · .* MB of .* MB · \d+\/\d+ columns/);
    await page.locator('#drift-cancel').click();
    await page.waitForFunction(() => /Cancelled/.test(document.getElementById('drift-message')?.textContent ?? ''), undefined, {
      timeout: 60_000,
    });
    assert.equal(await page.locator('#drift-progress').isHidden(), true);
    await page.locator('#drift-predictions').uncheck();
  });
});
