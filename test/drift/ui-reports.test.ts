/**
 * The Drift tab on the breast-cancer sample in real chromium (issue 11's Drift part, issue 14's
 * sounder statistics): one headline that reconciles the verdicts, the target apart, MMD's p-value
 * floor, prediction drift with the served feature names (and the data-drift result kept when it
 * fails), the two-sample test beside Evidently's chi-square, readable charts, the "drifted columns
 * only" filter, report downloads, relative paths and words a local user can act on.
 * Screenshots: .test-artifacts/ui-drift-*.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { runDrift } from '../../server/drift';
import type { DriftReport } from '../../server/protocol/drift';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { repoPath } from '../helpers/server';
import { fixture } from './helpers';

const REFERENCE = repoPath('samples/breast-cancer/reference.csv');
const CURRENT = repoPath('samples/breast-cancer/current.csv');
const artifacts = repoPath('.test-artifacts');
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `ui-drift-${name}.png`), fullPage: true });

describe('Drift tab on breast-cancer: headline, target, predictions, charts, downloads', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  let expected: DriftReport;

  /** Fills the two paths (and the predictions box), runs the check and waits for its end. */
  async function check(reference: string, current: string, predictions = false): Promise<void> {
    await page.locator('#drift-reference').fill(reference);
    await page.locator('#drift-current').fill(current);
    await page.locator('#drift-predictions').setChecked(predictions);
    await page.evaluate(() => {
      document.getElementById('drift-results')!.setAttribute('data-state', 'stale');
      document.getElementById('drift-message')!.replaceChildren();
    });
    await page.locator('#drift-run').click();
    await page.waitForFunction(
      () =>
        document.getElementById('drift-results')?.getAttribute('data-state') === 'report' ||
        document.querySelector('#drift-message [role="alert"]') !== null,
    );
  }

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    bundle = await buildUiBundle();
    server = await startUiServer('samples/breast-cancer/breast_cancer.onnx', {
      referenceCsv: 'samples/breast-cancer/reference.csv',
      uiAssetsDir: bundle.dir,
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('#tab-drift').click();
    await page.waitForFunction(() =>
      (document.getElementById('drift-reference') as HTMLInputElement | null)?.value.endsWith('reference.csv'),
    );
    expected = await runDrift({ reference: REFERENCE, current: CURRENT, target: 'diagnosis' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it("reads 'current.csv' from the model's folder and shows one headline that reconciles the verdicts", async () => {
    // The suggestion list offers the model folder's files by the name one types.
    await page.waitForFunction(() => document.querySelectorAll('#drift-files option').length > 0);
    const suggestions = await page.locator('#drift-files option').evaluateAll((os) => os.map((o) => o.getAttribute('value')));
    assert.ok(suggestions.includes('current.csv'), `suggestions: ${suggestions.join(', ')}`);
    await check(REFERENCE, 'current.csv');
    assert.equal(
      await page.locator('#drift-results').getAttribute('data-state'),
      'report',
      await page.locator('#drift-message').innerText(),
    );

    const headline = page.locator('#drift-headline');
    assert.equal(await headline.innerText(), expected.summary.headline);
    assert.match(
      expected.summary.headline,
      /^Evidently's share rule: no drift \(\d+ of 30 columns < 50 %\); but \d+ columns drift beyond multiple-testing correction.* the joint distribution moved \(MMD\)/,
    );
    // Coloured by the most severe verdict, not by the share rule alone.
    assert.equal(await headline.getAttribute('data-severity'), 'drift');
    assert.equal(await page.locator('[data-verdict="share"]').getAttribute('data-drift'), 'false');
    assert.equal(await page.locator('[data-verdict="bonferroni"]').getAttribute('data-drift'), 'true');
    assert.equal(await page.locator('[data-verdict="mmd"]').getAttribute('data-drift'), 'true');
    await shot(page, 'headline');
  });

  it('keeps the target (diagnosis) out of the features and shows it as target drift', async () => {
    const rows = await page
      .locator('.drift-report > .drift-table-wrap tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-column')));
    assert.equal(rows.length, 30);
    assert.ok(!rows.includes('diagnosis'));
    assert.equal(await page.locator('.drift-target').getAttribute('data-column'), 'diagnosis');
    assert.match(await page.locator('[data-verdict="target"]').innerText(), /^Target drift \(diagnosis\): (no )?drift/);
    assert.match(await page.locator('[data-verdict="share"]').innerText(), /of 30 feature columns drifted/);
  });

  it('gives the MMD p-value as (b + 1) / (B + 1), never 0, and says how many permutations', async () => {
    const text = await page.locator('[data-verdict="mmd"]').innerText();
    const m = expected.multivariate!;
    assert.ok(m.pValue >= 1 / (m.permutations + 1));
    assert.match(text, new RegExp(`p = ${m.pValue.toFixed(4)} \\(${m.exceeding} of ${m.permutations} permutations as extreme`));
    assert.doesNotMatch(text, /p = 0 /);
  });

  it('draws charts with a y-axis in share of rows and the overlap colour in the legend; filters to drifted columns', async () => {
    assert.equal(await page.locator('.drift-legend .drift-key-overlap').count(), 1);
    assert.match(await page.locator('.drift-legend').innerText(), /both \(where the bins overlap\)[\s\S]*share of rows/);
    const figures = await page.locator('.drift-report > .drift-charts > figure').evaluateAll((fs) =>
      fs.map((f) => ({
        ticks: [...f.querySelectorAll('.drift-tick')].map((t) => t.textContent ?? ''),
        overlap: f.querySelectorAll('.drift-bar-overlap').length,
      })),
    );
    assert.equal(figures.length, 30);
    for (const f of figures) {
      assert.ok(f.ticks.includes('0 %') || f.ticks.includes('0.0 %'), `y-axis starts at 0 %: ${f.ticks.join(' | ')}`);
      assert.ok(f.overlap > 1, 'overlap bars drawn');
    }
    const drifted = expected.columns.filter((c) => c.drift).length;
    await page.locator('#drift-only-drifted').check();
    const visible = await page
      .locator('.drift-report > .drift-table-wrap tbody tr:visible')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-drift')));
    assert.equal(visible.length, drifted);
    assert.ok(visible.every((d) => d === 'true'));
    assert.equal(await page.locator('.drift-report > .drift-charts > figure:visible').count(), drifted);
    await shot(page, 'drifted-only');
    await page.locator('#drift-only-drifted').uncheck();
    assert.equal(await page.locator('.drift-report > .drift-table-wrap tbody tr:visible').count(), 30);
  });

  it('downloads the report as HTML and as JSON', async () => {
    const [html] = await Promise.all([page.waitForEvent('download'), page.locator('#drift-download-html').click()]);
    assert.match(html.suggestedFilename(), /^drift-report-.+\.html$/);
    const text = readFileSync(await html.path(), 'utf8');
    assert.match(text, /^<!doctype html>/);
    assert.ok(
      text.includes('Evidently&#39;s share rule: no drift') || text.includes("Evidently's share rule: no drift"),
      'headline in the HTML',
    );
    assert.match(text, /Target drift: <code>diagnosis<\/code>/);
    const [json] = await Promise.all([page.waitForEvent('download'), page.locator('#drift-download-json').click()]);
    const report = JSON.parse(readFileSync(await json.path(), 'utf8')) as DriftReport;
    assert.equal(report.schemaVersion, 2);
    assert.equal(report.target?.name, 'diagnosis');
    assert.equal(report.summary.headline, expected.summary.headline);
  });

  it('predicts with the served feature names; when prediction fails, the data-drift result stays with the error beside it', async () => {
    await check(REFERENCE, 'current.csv', true);
    const section = page.locator('.drift-predictions');
    assert.equal(await section.getAttribute('data-state'), 'report', await section.innerText());
    const outputs = await section.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-column')).sort());
    assert.deepEqual(outputs, ['label', 'p_benign', 'p_malignant']);
    await shot(page, 'predictions');

    // Flights files have none of the model's features: the model cannot predict them.
    await check(repoPath('samples/flights/reference.csv'), repoPath('samples/flights/current.csv'), true);
    assert.equal(await page.locator('#drift-results').getAttribute('data-state'), 'report');
    assert.ok((await page.locator('.drift-report > .drift-table-wrap tbody tr').count()) > 0, 'the data-drift table is shown');
    assert.match(
      await page.locator('#drift-prediction-error').innerText(),
      /could not predict these files: .+\. The data-drift result above stands/,
    );
    await shot(page, 'prediction-error');
  });

  it("shows the two-sample test of homogeneity beside Evidently's chi-square, and why they disagree", async () => {
    await check(fixture('homogeneity_reference.csv'), fixture('homogeneity_current.csv'));
    const cell = page.locator('tr[data-column="category"] .drift-second');
    assert.equal(await cell.getAttribute('data-homogeneity'), 'false');
    assert.match(await cell.innerText(), /two-sample test: no drift \(p = 0\.4675\) — Evidently's chi-square says drift.*false alarm/);
    assert.match(await page.locator('.drift-details').innerText(), /disagree on 1 column \(category\)/);
    assert.equal(await page.locator('#drift-headline').getAttribute('data-severity'), 'drift');
    // Readable category labels under the bars.
    // The label drawn (the first text node; the full name is in the <title> tooltip).
    const labels = await page
      .locator('figure[data-column="category"] .drift-category')
      .evaluateAll((ts) => ts.map((t) => t.firstChild?.textContent ?? ''));
    assert.ok(labels.length >= 20, `labels: ${labels.join(' ')}`);
    assert.ok(labels.some((l) => /^c\d\d$/.test(l)));
    await shot(page, 'homogeneity');
  });

  it('says what to pick or type for a path outside the folders, without talk of access tokens', async () => {
    await check(REFERENCE, '/etc/passwd.csv');
    const message = await page.locator('#drift-message').innerText();
    assert.match(message, /current: '\/etc\/passwd\.csv' is outside the folders this server may read/);
    assert.match(message, /Pick a file from the suggestions under the field, or type a path inside one of those folders/);
    assert.doesNotMatch(message, /access token|ask whoever shared/);
    await shot(page, 'outside-path');
    // The refused start is a 403 the browser logs; nothing else went wrong on the page.
    assert.deepEqual(
      problems.filter((p) => !/status of 403/.test(p)),
      [],
    );
  });
});
