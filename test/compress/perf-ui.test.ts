/**
 * The Performance tab in a real browser (Debian chromium) against the real server: pick a variant, run
 * with the progress bar, read the table and the charts, save the variant beside the model — with no page
 * errors and no CSP violations (chart widths go through the CSSOM).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(__dirname, '..', '..');

describe('Performance tab (browser)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-perf-ui-'));
  const model = join(dir, 'breast_cancer.onnx');

  before(async () => {
    copyFileSync(join(root, 'samples/breast-cancer/breast_cancer.onnx'), model);
    bundle = await buildUiBundle();
    server = await startUiServer(model, { referenceCsv: 'samples/breast-cancer/reference.csv', uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('#tab-perf').click();
    await page.locator('.perf-variants vscode-checkbox[data-variant="fp16"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the CPU and offers the variants with the defaults ticked', async () => {
    assert.match(await page.locator('.perf-machine').innerText(), /logical cores/);
    const checked = await page
      .locator('.perf-variants vscode-checkbox')
      .evaluateAll((boxes) =>
        boxes.filter((b) => (b as HTMLElement & { checked: boolean }).checked).map((b) => b.getAttribute('data-variant')),
      );
    assert.deepEqual(checked, ['int8', 'int8-weights', 'fp16', 'prune50']);
  });

  it('runs a comparison with progress and shows the table, charts and verdicts; saves a variant', async () => {
    for (const id of ['int8', 'int8-weights', 'prune50'])
      await page.locator(`.perf-variants vscode-checkbox[data-variant="${id}"]`).click();
    await page.locator('#perf-duration').selectOption('0');
    await page.locator('#perf-run').click();
    await page.locator('.perf-table tr[data-variant="fp16"]').waitFor({ timeout: 60_000 });
    const row = await page.locator('.perf-table tr[data-variant="fp16"]').innerText();
    assert.match(row, /1\.9\d×/, 'fp16 ≈ 2× smaller');
    assert.equal(await page.locator('.perf-table tbody tr').count(), 2, 'original + fp16');
    assert.ok((await page.locator('.perf-chart').count()) >= 3, 'size, latency and agreement charts');
    const widths = await page.locator('.perf-chart .bar-fill').evaluateAll((fills) => fills.map((f) => (f as HTMLElement).style.width));
    assert.ok(widths.length >= 6 && widths.every((w) => /%$/.test(w)), JSON.stringify(widths));
    assert.match(await page.locator('.perf-verdicts').innerText(), /fp16 weights: 1\.9\d× smaller file/);
    assert.equal(await page.locator('#perf-cancel').getAttribute('disabled'), '', 'Cancel is off when nothing runs');

    await page.locator('vscode-button[data-action="save"][data-variant="fp16"]').click();
    await page.locator('.perf-message', { hasText: 'Saved' }).waitFor();
    assert.ok(existsSync(join(dir, 'breast_cancer.fp16.onnx')));
    await page.locator('vscode-button[data-action="save"][data-variant="fp16"]').click();
    await page.locator('.perf-message vscode-button[data-action="overwrite"]').waitFor();
    // The browser logs the expected 409 ("file exists") itself; anything else is a real problem.
    assert.deepEqual(
      problems.filter((p) => !/status of 409 \(Conflict\)/.test(p)),
      [],
    );
  });
});
