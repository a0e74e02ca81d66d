/**
 * The Performance tab's load test and capacity & cost planner in a real browser (Debian chromium) against
 * the real server and a real load generator process: a short sweep (1 and 2 clients × 0.5 s) shows
 * progress, then the sustainable rate in words, the two charts with one point per step (two series on the
 * latency chart), the steps table and the JSON download; the planner's outputs change when its inputs
 * do; "Save plan" writes `<model>.capacity-plan.json` beside the model and a reload plans from it. No timed
 * assertions: structure and monotone sanity only.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { LoadTestReport, SavedCapacityPlan } from '../../server/protocol/loadtest';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(__dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

describe('Performance tab: load test and capacity planner (browser)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-loadtest-ui-'));
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
    await page.locator('#loadtest-run').waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the figures come from this machine and that the generator shares its cores; the sweep defaults to 1…64', async () => {
    const caveat = await page.locator('.loadtest-caveat').innerText();
    assert.match(caveat, /come from this machine/);
    assert.match(caveat, /shares its cores/);
    assert.match(caveat, /by core count only approximately/);
    assert.equal(await page.locator('#loadtest-concurrency').inputValue(), '1, 2, 4, 8, 16, 32, 64');
    assert.match(await page.locator('.capacity-source').innerText(), /Run the load test above/);
  });

  it('refuses a bad clients list with words naming the field, without starting a job', async () => {
    await page.locator('#loadtest-concurrency').fill('1, two');
    await page.locator('#loadtest-run').click();
    assert.match(await page.locator('.loadtest-message [role="alert"]').innerText(), /Clients per step: 'two' is not a whole number/);
    assert.equal(await page.locator('#loadtest-cancel').isDisabled(), true);
  });

  it('shows progress and cancels a running load test', async () => {
    await page.locator('#loadtest-concurrency').fill('1, 2, 4');
    await page.locator('#loadtest-seconds').fill('20');
    await page.locator('#loadtest-run').click();
    await page
      .locator('.loadtest-step')
      .filter({ hasText: /^Step 1 of 3 · / })
      .waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#loadtest-run').isDisabled(), true);
    await page.locator('#loadtest-cancel').click();
    await page.locator('.loadtest-message').filter({ hasText: 'Load test cancelled.' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.loadtest-progress').isVisible(), false);
    assert.equal(await page.locator('.loadtest-results').getAttribute('data-state'), 'empty', 'no report from a cancelled run');
  });

  it('runs at a fixed rate: one step, the x axis in offered requests/s', async () => {
    await page.locator('#loadtest-mode-rate').check();
    assert.equal(await page.locator('#loadtest-concurrency').isDisabled(), true);
    await page.locator('#loadtest-rate').fill('50');
    await page.locator('#loadtest-seconds').fill('0.5');
    await page.locator('#loadtest-p99').fill('60000');
    await page.locator('#loadtest-run').click();
    await page.locator('.loadtest-results[data-state="report"]').waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-chart="throughput"] circle.loadtest-point').count(), 1);
    assert.match((await page.locator('[data-chart="throughput"] svg').textContent()) ?? '', /offered requests\/s/);
    assert.match(await page.locator('.loadtest-sustainable').innerText(), /at 50 requests\/s offered/);
    await page.locator('#loadtest-mode-sweep').check();
  });

  it('runs a short sweep: sustainable rate in words, charts with one point per step, knee/error marks, steps table', async () => {
    await page.locator('#loadtest-concurrency').fill('1, 2');
    await page.locator('#loadtest-seconds').fill('0.5');
    await page.locator('#loadtest-p99').fill('60000');
    await page.locator('#loadtest-run').click();
    await page
      .locator('.loadtest-step')
      .filter({ hasText: /Step \d of 2/ })
      .waitFor({ timeout: 30_000 });
    await page.locator('.loadtest-results[data-state="report"]').waitFor({ timeout: 60_000 });

    assert.match(
      await page.locator('.loadtest-sustainable').innerText(),
      /This machine sustains at most [\d,]+ requests\/s .* with p99 within 60000 ms/,
    );
    assert.match(await page.locator('.loadtest-knee-text').innerText(), /^Knee: /);
    const throughput = page.locator('[data-chart="throughput"] circle.loadtest-point');
    assert.equal(await throughput.count(), 2, 'one point per step');
    assert.deepEqual(await throughput.evaluateAll((c) => c.map((e) => e.getAttribute('data-x'))), ['1', '2']);
    assert.equal(await page.locator('[data-chart="latency"] circle.loadtest-point[data-series="p50"]').count(), 2);
    assert.equal(await page.locator('[data-chart="latency"] circle.loadtest-point[data-series="p99"]').count(), 2);
    // A 60 s target is far above every latency measured: named above the chart rather than flattening the curves.
    assert.match(
      (await page.locator('[data-chart="latency"] .loadtest-target-above').textContent()) ?? '',
      /p99 target 60000 ms: far above/,
    );
    // The x axis is logarithmic: 2 clients sit right of 1 client.
    const cx = await throughput.evaluateAll((c) => c.map((e) => Number(e.getAttribute('cx'))));
    assert.ok(cx[1] > cx[0]);
    // Monotone sanity: p99 is never below p50 at the same step, on the chart as in the data.
    const cy = async (series: string) =>
      page.locator(`[data-chart="latency"] circle[data-series="${series}"]`).evaluateAll((c) => c.map((e) => Number(e.getAttribute('cy'))));
    const [p50, p99] = [await cy('p50'), await cy('p99')];
    p50.forEach((y, i) => assert.ok(p99[i] <= y + 0.01, 'p99 drawn at or above p50 (SVG y grows downwards)'));
    assert.equal(await page.locator('.loadtest-point-error').count(), 0, 'no failed requests on loopback');

    await page.locator('.loadtest-steps summary').click();
    assert.equal(await page.locator('.loadtest-table tbody tr').count(), 2);
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'perf-loadtest.png'), fullPage: true });
    assert.equal(await page.locator('#loadtest-cancel').isDisabled(), true);
    assert.equal(await page.locator('#loadtest-run').isDisabled(), false);
  });

  it('downloads the JSON report', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a.loadtest-download').click()]);
    assert.match(download.suggestedFilename(), /^breast_cancer-loadtest-\d+T\d+\.json$/);
    const report = JSON.parse(readFileSync(await download.path(), 'utf8')) as LoadTestReport;
    assert.equal(report.kind, 'model-lab-loadtest');
    assert.deepEqual(
      report.steps.map((s) => s.concurrency),
      [1, 2],
    );
    assert.ok(report.steps.every((s) => s.ok > 0 && s.p99Ms >= s.p50Ms));
  });

  it('the planner: asks for a price, then outputs change with the inputs', async () => {
    assert.match(await page.locator('.capacity-source').innerText(), /From the load test just run/);
    assert.match(await page.locator('.capacity-message [role="alert"]').innerText(), /price per hour \(there is no built-in price list\)/);
    await page.locator('#capacity-price').fill('0.2');
    await page.locator('.capacity-outputs[data-state="plan"]').waitFor();
    const out = (key: string) => page.locator(`[data-out="${key}"]`).innerText();
    assert.match(await out('replicas-average'), /^\d+/);
    assert.match(await out('cost-1m'), /USD/);
    const before = { peak: await out('replicas-peak'), cost: await out('cost-1000') };

    // A million TPS at peak needs more replicas than 200; a dearer machine costs more per prediction.
    await page.locator('#capacity-peak').fill('1000000');
    await page.waitForFunction((old) => document.querySelector('[data-out="replicas-peak"]')?.textContent !== old, before.peak);
    assert.ok(parseInt(await out('replicas-peak'), 10) > parseInt(before.peak, 10));
    await page.locator('#capacity-price').fill('20');
    await page.waitForFunction((old) => document.querySelector('[data-out="cost-1000"]')?.textContent !== old, before.cost);
    await page.locator('#capacity-offer').fill('0.5');
    await page.locator('[data-out="comparison"]').waitFor();
    assert.match(await out('comparison'), /cheaper/);
    assert.match(await page.locator('.capacity-caveats').innerText(), /core count only approximately/);

    await page.locator('#capacity-peak').fill('10');
    assert.match(await page.locator('.capacity-message [role="alert"]').innerText(), /Peak TPS must be at least the average TPS/);
    await page.locator('#capacity-peak').fill('400');
    await page.waitForFunction(() => !document.querySelector('.capacity-message [role="alert"]'));
    await page.locator('.capacity-outputs[data-state="plan"]').waitFor();
  });

  it('saves the plan beside the model; after a reload the planner plans from the saved one', async () => {
    await page.locator('#capacity-save').click();
    await page
      .locator('.capacity-message')
      .filter({ hasText: /Saved breast_cancer\.capacity-plan\.json/ })
      .waitFor();
    const path = join(dir, 'breast_cancer.capacity-plan.json');
    assert.ok(existsSync(path));
    const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedCapacityPlan;
    assert.equal(saved.plan.input.peakTps, 400);
    assert.equal(saved.plan.input.hourlyPrice, 20);
    assert.equal(saved.report.steps.length, 2);

    await page.reload();
    await page.locator('#tab-perf').click();
    await page
      .locator('.capacity-source')
      .filter({ hasText: /From the plan saved/ })
      .waitFor();
    assert.equal(await page.locator('#capacity-peak').inputValue(), '400');
    await page.locator('.capacity-outputs[data-state="plan"]').waitFor();
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'perf-loadtest-planner.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
