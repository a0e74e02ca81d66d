/**
 * In real chromium: the Export tab offers the explanation report as an opt-in target (unticked), its
 * pre-check says why it cannot be exported without reference data, and an export with it shows the
 * report's checks and an `explain/` part in the size chart. And the Explain tab draws a job the VS Code
 * host asks it to show (the `model-lab.show-explain-job` message "Explain Model…" sends).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser } from '../helpers/browser';

describe('explain in the UI', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-export-explain-ui-'));
  const previous = process.env.MODEL_LAB_EXPORT_ROOT;
  let browser: TestBrowser;
  let ui: Awaited<ReturnType<typeof buildUiBundle>>;
  before(async () => {
    process.env.MODEL_LAB_EXPORT_ROOT = join(temp, 'exports');
    browser = await launchBrowser();
    ui = await buildUiBundle();
  });
  after(async () => {
    await browser.close();
    await ui.remove();
    if (previous === undefined) delete process.env.MODEL_LAB_EXPORT_ROOT;
    else process.env.MODEL_LAB_EXPORT_ROOT = previous;
    rmSync(temp, { recursive: true, force: true });
  });

  const onlyExplain = async (page: import('playwright-core').Page): Promise<void> => {
    for (const t of ['docker', 'k8s', 'kserve', 'triton', 'tfjs']) await page.uncheck(`#export-target-${t}`);
    await page.check('#export-target-explain');
  };

  test('Export tab: explain unticked by default; with the reference it exports and its checks pass', async () => {
    const server = await startUiServer('samples/flights/flights.onnx', {
      referenceCsv: 'samples/flights/reference.csv',
      uiAssetsDir: ui.dir,
    });
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    try {
      await page.goto(server.ownerPageUrl);
      await page.click('#tab-export');
      assert.equal(await page.isChecked('#export-target-explain'), false, 'opt-in');
      assert.match(await page.locator('label[for="export-target-explain"]').innerText(), /Explanation report/);
      await onlyExplain(page);
      await page.click('#export-precheck');
      await page.waitForSelector('.export-precheck li:has-text("explain:")');
      assert.match(await page.locator('.export-precheck li.precheck-ok:has-text("explain:")').innerText(), /explain: can be exported/);

      await page.fill('#export-folder', 'flights-explained');
      await page.click('#export-run');
      await page.waitForSelector('#export-last-result .export-checks', { timeout: 60_000 });
      assert.match(await page.locator('#export-last-result').innerText(), /Every check passed/);
      const rows = await page.locator('#export-last-result .export-checks tbody tr').allTextContents();
      assert.ok(
        rows.some((r) => /explain.*explain-report-json.*pass/.test(r)),
        rows.join('\n'),
      );
      assert.ok(
        rows.some((r) => /explain.*explain-report-html.*pass/.test(r)),
        rows.join('\n'),
      );
      assert.equal(await page.locator('#export-last-result .export-sizes .bar-label:text-is("explain/")').count(), 1);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.close();
    }
  });

  test('Export tab without reference data: the pre-check blocks explain and says what to do', async () => {
    const server = await startUiServer('samples/iris/iris.onnx', { uiAssetsDir: ui.dir });
    const page = await browser.context.newPage();
    try {
      await page.goto(server.ownerPageUrl);
      await page.click('#tab-export');
      await onlyExplain(page);
      await page.click('#export-precheck');
      const blocked = page.locator('.export-precheck li.precheck-blocked');
      await blocked.waitFor();
      assert.match(await blocked.innerText(), /explain: the explanation report is computed on the reference data .* --reference <csv>/);
    } finally {
      await page.close();
      await server.close();
    }
  });

  test('Explain tab: draws the result of a job the VS Code host names (show-explain-job message)', async () => {
    const server = await startUiServer('samples/diabetes/diabetes.onnx', {
      referenceCsv: 'samples/diabetes/reference.csv',
      uiAssetsDir: ui.dir,
    });
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    try {
      const res = await fetch(`${server.url}/api/jobs/explain?token=${server.ownerToken}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ methods: ['permutation', 'shap'], row: 3 }),
      });
      assert.equal(res.status, 202);
      const { id } = (await res.json()) as { id: string };
      await page.goto(server.ownerPageUrl);
      await page.click('#tab-explain');
      await page.evaluate((jobId) => window.postMessage({ method: 'model-lab.show-explain-job', params: { jobId } }, '*'), id);
      await page.waitForSelector('#explain-results[data-state="report"]', { timeout: 60_000 });
      assert.equal(await page.locator('#explain-results .explain-permutation svg').count(), 1);
      assert.match(await page.locator('#explain-results .explain-shap').innerText(), /Row 3/);
      assert.equal(await page.locator('#explain-results .explain-pdp').count(), 0, 'only what the job computed');
      assert.match((await page.textContent('#explain-message'))!, /Done \(permutation .* s, shap .* s\)/);
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.close();
    }
  });
});
