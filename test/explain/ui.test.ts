/**
 * The Explain tab in real chromium (1280 px) against a real server (iris model, its reference.csv):
 * an explanation run from the tab shows the engine's importance bars with the metric named, a PDP panel
 * per feature, the interaction heat map and the SHAP waterfall + summary; bad input is said inline in
 * the UI’s words. Screenshots in .test-artifacts/ (Cancel is tested over HTTP in http.test.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { repoPath } from '../helpers/server';

const artifacts = repoPath('.test-artifacts');

describe('Explain tab', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  mkdirSync(artifacts, { recursive: true });

  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/iris/iris.onnx', { referenceCsv: 'samples/iris/reference.csv', uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('#tab-explain').click();
    await page.waitForFunction(() => (document.getElementById('explain-target') as HTMLInputElement | null)?.value === 'species');
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('explains the served model: importance bars, metric named, PDP per feature, interaction, SHAP waterfall and summary', async () => {
    await page.selectOption('#explain-interaction-a', 'petal length (cm)');
    await page.selectOption('#explain-interaction-b', 'petal width (cm)');
    await page.fill('#explain-row', '5');
    await page.locator('#explain-run').click();
    await page.locator('#explain-results[data-state="report"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('.explain-permutation').getAttribute('data-metric'), 'accuracy');
    assert.match(await page.locator('.explain-permutation p').innerText(), /Drop in accuracy/);
    assert.equal(await page.locator('.explain-permutation svg rect').count(), 4, 'one bar per feature');
    // 9 charts (importance, 4 PDP panels, heat map, waterfall, mean |SHAP|, beeswarm), each real SVG (in the SVG namespace,
    // laid out), not unknown elements that show their text.
    const drawn = await page
      .locator('#explain-results svg')
      .evaluateAll((els) => els.map((el) => el instanceof SVGSVGElement && el.getBoundingClientRect().height > 50));
    assert.ok(drawn.length === 9 && drawn.every(Boolean), `every chart drawn: ${drawn.join(', ')}`);
    assert.equal(await page.locator('.explain-pdp .explain-panels > svg').count(), 4, 'one PDP panel per feature');
    assert.ok((await page.locator('.explain-interaction svg rect').count()) >= 100, 'a heat map cell per grid pair');
    assert.equal(await page.locator('.explain-shap').getAttribute('data-method'), 'exact');
    assert.match(await page.locator('.explain-shap').innerText(), /Why this prediction\? Row 5/);
    assert.ok((await page.locator('.explain-shap svg circle').count()) >= 4 * 50, 'beeswarm dots: a row of dots per feature');
    // The report people keep: the links download what the server renders (the CLI's HTML), with the page's key.
    const href = await page.locator('#explain-download-html').getAttribute('href');
    assert.match(href!, /\/api\/explain\/reports\/[^?]+\?format=html/);
    const download = await fetch(new URL(href!, page.url()));
    assert.equal(download.status, 200);
    assert.match(await download.text(), /<svg/);
    assert.match((await page.locator('#explain-download-json').getAttribute('href'))!, /format=json/);
    await page.screenshot({ path: join(artifacts, 'ui-explain.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });

  it('says what to fix in the words of the UI: no method ticked, a target the CSV lacks', async () => {
    for (const id of ['permutation', 'pdp', 'shap']) await page.locator(`#explain-method-${id}`).uncheck();
    await page.locator('#explain-run').click();
    assert.match(await page.locator('#explain-message [role="alert"]').innerText(), /Methods: tick at least one/);
    await page.locator('#explain-method-permutation').check();
    await page.fill('#explain-target', 'kind');
    await page.locator('#explain-run').click();
    await page.locator('#explain-message [role="alert"]').filter({ hasText: 'failed' }).waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#explain-message').innerText(), /target: the CSV has no column 'kind'/);
    await page.screenshot({ path: join(artifacts, 'ui-explain-error.png'), fullPage: true });
    await page.fill('#explain-target', 'species');
  });
});
