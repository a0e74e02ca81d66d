/**
 * The Performance tab in a real browser (Debian chromium at 1,280 px) against the real server: pick a
 * variant, run with the progress bar, read the table (it fits the window, the variant column stays in
 * view, Quality names its metric and rows, details open from the variant's name) and the charts; serve a
 * variant nobody saved yet in one click, under the same model name; save it (the conflict says what to
 * click); download the comparison as JSON and CSV — with no page errors and no CSP violations.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(__dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

describe('Performance tab (browser)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-perf-ui-'));
  const model = join(dir, 'breast_cancer.onnx');

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    copyFileSync(join(root, 'samples/breast-cancer/breast_cancer.onnx'), model);
    bundle = await buildUiBundle();
    server = await startUiServer(model, { referenceCsv: 'samples/breast-cancer/reference.csv', uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('#tab-perf').click();
    await page.locator('.perf-variants input[data-variant="fp16"]').waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the CPU, offers the variants with the defaults ticked, and says what each preset really does', async () => {
    assert.match(await page.locator('.perf-machine').innerText(), /logical cores/);
    const checked = await page
      .locator('.perf-variants input[type="checkbox"]')
      .evaluateAll((boxes) => boxes.filter((b) => (b as HTMLInputElement).checked).map((b) => b.getAttribute('data-variant')));
    assert.deepEqual(checked, ['int8', 'int8-weights', 'fp16', 'prune50']);
    const presets = await page.locator('#perf-duration option').allInnerTexts();
    assert.deepEqual(presets, [
      'Quick — up to 100 runs or 0.2 s per batch size',
      'Standard — up to 300 runs or 1 s per batch size',
      'Thorough — up to 2,000 runs or 3 s per batch size',
    ]);
    assert.match(await page.locator('#perf-duration-about').innerText(), /whichever comes first/);
  });

  it('runs a comparison whose table fits 1,280 px with a sticky Variant column and a labelled Quality column', async () => {
    for (const id of ['int8-weights', 'prune50']) await page.locator(`.perf-variants input[data-variant="${id}"]`).uncheck();
    await page.locator('#perf-duration').selectOption('0');
    await page.locator('#perf-run').click();
    await page.locator('.perf-table tr[data-variant="fp16"]').waitFor({ timeout: 60_000 });
    const row = await page.locator('.perf-table tr[data-variant="fp16"]').innerText();
    assert.match(row, /1\.9\d× smaller/, 'fp16 ≈ 2× smaller');
    assert.equal(await page.locator('.perf-table tbody tr[data-variant]').count(), 3, 'original + int8 + fp16');

    // Fits: nothing behind a horizontal scroll at 1,280 px, every action button inside the window.
    const fit = await page.evaluate(() => {
      const wrap = document.querySelector('.perf-table-wrap')!;
      const buttons = [...document.querySelectorAll('.perf-table button[data-action="serve"], .perf-table button[data-action="save"]')];
      return {
        tableWidth: document.querySelector('.perf-table')!.getBoundingClientRect().width,
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
        rightmostButton: Math.max(...buttons.map((b) => b.getBoundingClientRect().right)),
        quality: document.querySelector('.perf-table td.perf-quality')!.getBoundingClientRect().right,
        sticky: getComputedStyle(document.querySelector('.perf-table tbody th')!).position,
      };
    });
    console.log(`perf table at 1280 px: ${Math.round(fit.tableWidth)} px wide (was 1,442 px)`);
    assert.ok(fit.scrollWidth <= fit.clientWidth, `table scrolls sideways: ${fit.scrollWidth} > ${fit.clientWidth}`);
    assert.ok(fit.rightmostButton <= 1280, `a button is off screen at ${fit.rightmostButton} px`);
    assert.ok(fit.quality <= 1280);
    assert.equal(fit.sticky, 'sticky', 'the Variant column stays in view');

    const quality = await page.locator('.perf-table thead th.perf-quality').innerText();
    assert.match(quality, /^Quality\s+accuracy · macro F1 · \d+ rows, target diagnosis$/);
    assert.match(await page.locator('.perf-table tr[data-variant="fp16"] td.perf-quality').innerText(), /^\d+\.\d % · F1 [01]\.\d{3}$/);

    // Details on expand: every batch size and the output differences.
    const details = page.locator('tr.perf-details[data-details-for="int8"]');
    assert.equal(await details.isVisible(), false);
    await page.locator('button[data-action="details"][data-variant="int8"]').click();
    await details.waitFor();
    assert.match(await details.innerText(), /Largest output difference, row alone \/ batched/);
    // What the sample rows were, and the correlation with the original's outputs.
    assert.match(await details.innerText(), /Sample inputs\s+rows of the reference data/);
    assert.match(await details.innerText(), /Correlation with the original, row alone \/ batched\s+r [01]\.\d{4} \/ r [01]\.\d{4}/);
    assert.equal(await details.locator('.perf-latency tbody tr').count(), 4, 'batch sizes 1, 8, 64, 256');
    assert.ok((await page.locator('.perf-chart').count()) >= 3, 'size, latency and agreement charts');
    const widths = await page.locator('.perf-chart .bar-fill').evaluateAll((fills) => fills.map((f) => (f as HTMLElement).style.width));
    assert.ok(widths.length >= 6 && widths.every((w) => /%$/.test(w)), JSON.stringify(widths));
    assert.match(await page.locator('.perf-verdicts').innerText(), /fp16 weights: 1\.9\d× smaller file/);
    assert.equal(await page.locator('#perf-cancel').getAttribute('disabled'), '', 'Cancel is off when nothing runs');
    await page.screenshot({ path: join(artifacts, 'perf-table-1280.png'), fullPage: true });
  });

  it('serves an unsaved variant in one click under the same model name, and shows what changed', async () => {
    assert.equal(existsSync(join(dir, 'breast_cancer.fp16.onnx')), false);
    await page.locator('button[data-action="serve"][data-variant="fp16"]').click();
    const notice = page.locator('.perf-served');
    await notice.waitFor();
    const text = await notice.innerText();
    assert.match(text, /Now serving fp16 weights as version fp16 of breast_cancer \(was version 1\)/);
    assert.match(text, /\/v2\/models\/breast_cancer\/infer now answers with this version/);
    assert.match(text, /\/v2\/models\/breast_cancer\/versions\/fp16\/infer/);
    assert.match(text, /Saved .*breast_cancer\.fp16\.onnx first/);
    assert.match(text, /File: \d+\.\d KiB → \d+\.\d KiB/);
    assert.match(text, /Same class as the original: \d+\.\d % of \d+ rows/);
    assert.ok(existsSync(join(dir, 'breast_cancer.fp16.onnx')));
    const infer = await fetch(`${server.url}/v2/models/breast_cancer/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.ownerToken}` },
      body: JSON.stringify({ inputs: [{ name: 'input', shape: [1, 30], datatype: 'FP32', data: Array.from({ length: 30 }, () => 1) }] }),
    });
    assert.equal(infer.status, 200, 'the URL users copied still answers');
    assert.equal(((await infer.json()) as { model_version: string }).model_version, 'fp16');
    await page.screenshot({ path: join(artifacts, 'perf-served-variant.png'), fullPage: true });

    // Saving it again: the conflict says what to click, not what to send.
    await page.locator('button[data-action="save"][data-variant="fp16"]').click();
    await page.locator('.perf-message button[data-action="overwrite"]').waitFor();
    const conflict = await page.locator('.perf-message').innerText();
    assert.match(conflict, /breast_cancer\.fp16\.onnx is already saved beside the model\. Click Replace it/);
    assert.doesNotMatch(conflict, /overwrite|send/);
    await page.locator('.perf-message button[data-action="overwrite"]').click();
    await page.locator('.perf-message', { hasText: 'Saved' }).waitFor();
  });

  it('downloads the comparison as CSV and JSON', async () => {
    const [csv] = await Promise.all([page.waitForEvent('download'), page.locator('a.perf-download[data-format="csv"]').click()]);
    assert.match(csv.suggestedFilename(), /^breast_cancer-performance-\d+T\d+\.csv$/);
    const lines = readFileSync(await csv.path(), 'utf8')
      .trim()
      .split('\n');
    assert.match(lines[0], /^variant,label,batch,file_bytes/);
    assert.equal(lines.length, 1 + 3 * 4, 'three models × four batch sizes');
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('a.perf-download[data-format="json"]').click()]);
    const report = JSON.parse(readFileSync(await json.path(), 'utf8')) as { schema: string; variants: unknown[] };
    assert.equal(report.schema, 'model-lab.perf/1');
    assert.equal(report.variants.length, 2);
    // The browser logs the expected 409 ("already saved") itself; anything else is a real problem.
    assert.deepEqual(
      problems.filter((p) => !/status of 409 \(Conflict\)/.test(p)),
      [],
    );
  });
});
