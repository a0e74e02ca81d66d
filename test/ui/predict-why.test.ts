/**
 * "Why?" on the Predict tab (issue 12), in Debian chromium against the real app: the button runs the
 * explain job on exactly the predicted input and shows the SHAP waterfall with the method, the timings
 * and base + Σ SHAP = the prediction on the card; the explanation goes stale with the inputs; a share
 * link page, a model served without reference data and a failing job say why in words.
 * Screenshots go to .test-artifacts/.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ModelDescription } from '../../server/protocol/api';
import type { ExplainRequest } from '../../server/protocol/explain';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { predictByClick, shownBars, textbox } from './predict-page';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

/** What the sum line says, exact (data attributes) and as read (its text). */
async function sumLine(page: Page): Promise<{ base: number; sum: number; prediction: number; text: string }> {
  return page.locator('.why-sum').evaluate((el) => {
    const d = (el as HTMLElement).dataset;
    return { base: Number(d.base), sum: Number(d.sum), prediction: Number(d.prediction), text: el.textContent ?? '' };
  });
}

/** Clicks Why? and waits for the explanation (or its failure), returning the section's final state. */
async function explainByClick(page: Page): Promise<string> {
  await page.getByRole('button', { name: 'Why?', exact: true }).click();
  const why = page.locator('.result .why:not([data-state="running"]):not([data-state="idle"])');
  await why.waitFor();
  return (await why.getAttribute('data-state')) ?? '';
}

describe('Why? on breast-cancer (PyTorch MLP, 30 features: KernelSHAP)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  let description: ModelDescription;
  const sent: ExplainRequest[] = [];

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    bundle = await buildUiBundle();
    server = await startUiServer('samples/breast-cancer/breast_cancer.onnx', {
      referenceCsv: 'samples/breast-cancer/reference.csv',
      uiAssetsDir: bundle.dir,
    });
    description = (await (await fetch(`${server.url}/api/model`)).json()) as ModelDescription;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/api/jobs/explain')) sent.push(request.postDataJSON() as ExplainRequest);
    });
    await page.goto(server.ownerPageUrl);
    await page.locator('.feature-form').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('explains exactly the predicted input: waterfall, method, timings, base + Σ SHAP = the probability on the card', async () => {
    await textbox(page, 'mean radius').fill('17.5');
    await textbox(page, 'worst area').fill('1400');
    await predictByClick(page);
    const why = page.locator('.result .why');
    assert.equal(await why.getAttribute('data-state'), 'idle');
    assert.equal(await explainByClick(page), 'done');

    // The job got the form's input, numbers as numbers, and only what Why? needs.
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0].methods, ['shap']);
    assert.equal(sent[0].globalRows, 0);
    assert.equal(Object.keys(sent[0].record!).length, description.signature.features.length);
    assert.equal(sent[0].record!['mean radius'], 17.5);
    assert.equal(sent[0].record!['worst area'], 1400);

    const method = page.locator('.why-method');
    assert.equal(await method.getAttribute('data-method'), 'kernel');
    assert.match(await method.innerText(), /^KernelSHAP \(kernel\) — KernelSHAP: Shapley values by weighted linear regression/);
    assert.match(
      await page.locator('.why-timing').innerText(),
      /^SHAP for this input \d+\.\d ms · whole job \d+\.\d\d s .*background 100 rows of reference\.csv/,
    );

    // The predicted class is explained by default, and its numbers add up to the card's probability.
    const predicted = (await page.locator('.result [data-outcome]').getAttribute('data-outcome'))!;
    const select = page.getByRole('combobox', { name: 'Class explained' });
    assert.equal(await select.locator('option:checked').innerText(), `${predicted} (predicted)`);
    const bars = await shownBars(page);
    const card = bars.find((b) => b.name === predicted)!.value;
    let line = await sumLine(page);
    assert.ok(Math.abs(line.base + line.sum - line.prediction) < 1e-6, `${line.base} + ${line.sum} = ${line.prediction}`);
    assert.ok(Math.abs(line.prediction - card) < 1e-5, `explained ${line.prediction}, card ${card}`);
    // And as read: the rounded numbers shown add up within rounding.
    const [base, sum, total, shownPrediction] = [...line.text.matchAll(/−?\d+(?:\.\d+)?(?:e[-+]\d+)?/g)].map((m) =>
      Number(m[0].replace('−', '-')),
    );
    assert.ok(Math.abs(base + sum - shownPrediction) <= 2e-4 && Math.abs(total - shownPrediction) <= 1e-4, line.text);
    assert.match(line.text, /✓$/);

    // 30 features: the 12 largest and one bar for the 18 others; "Show all" draws every feature.
    const chartBars = page.locator('.why-chart svg rect');
    assert.equal(await chartBars.count(), 13);
    assert.match((await page.locator('.why-chart svg').textContent()) ?? '', /18 other features = their sum/);
    await page.screenshot({ path: join(artifacts, 'predict-why-waterfall.png'), fullPage: true });
    await page.getByRole('button', { name: 'Show all 30 features' }).click();
    assert.equal(await chartBars.count(), 30);
    const labels = await page.locator('.why-chart svg text').allTextContents();
    for (const feature of description.signature.features.map((f) => f.name))
      assert.ok(
        labels.some((l) => l.startsWith(`${feature} = `)),
        `${feature} has its bar`,
      );
    assert.ok(labels.includes('mean radius = 17.500'), 'the bar names the value explained');

    // The other class: its own waterfall, adding up to its own probability.
    const other = bars.find((b) => b.name !== predicted)!;
    await select.selectOption({ label: other.name });
    line = await sumLine(page);
    assert.ok(Math.abs(line.prediction - other.value) < 1e-5, `P(${other.name}) explained ${line.prediction}, card ${other.value}`);
    assert.ok(Math.abs(line.base + line.sum - line.prediction) < 1e-6);
    assert.equal(await chartBars.count(), 30, 'the choice to show all features is kept');
  });

  it('marks the explanation stale once an input changes, and offers Why? again after the next Predict', async () => {
    const why = page.locator('.result .why');
    assert.equal(await why.getAttribute('data-stale'), null);
    assert.equal(await page.locator('.why-stale-note').isVisible(), false);
    await textbox(page, 'mean texture').fill('25');
    assert.equal(await why.getAttribute('data-stale'), 'true');
    assert.match(await page.locator('.why-stale-note').innerText(), /Explains the earlier input, not the changed one — press Predict/);
    await page.screenshot({ path: join(artifacts, 'predict-why-stale.png') });

    // A new prediction brings a fresh Why? …
    await predictByClick(page);
    assert.equal(await why.getAttribute('data-state'), 'idle');
    assert.equal(await why.getAttribute('data-stale'), null);
    const button = page.getByRole('button', { name: 'Why?', exact: true });
    assert.equal(await button.isEnabled(), true);
    // … which an input change before clicking disables, saying why.
    await textbox(page, 'mean texture').fill('26');
    assert.equal(await button.isEnabled(), false);
    assert.match(await page.locator('.why-reason').innerText(), /Inputs changed since this prediction: press Predict, then Why\?/);
  });

  it('cancels a running explanation, says so, and explains when asked again', async () => {
    await predictByClick(page);
    // Why? and Cancel in one go: Cancel pressed while the job is still being started counts too.
    await page.evaluate(() => {
      document.querySelector<HTMLButtonElement>('.result .why-button')!.click();
      document.querySelector<HTMLButtonElement>('.result .why-cancel')!.click();
    });
    const why = page.locator('.result .why');
    await page.locator('.result .why[data-state="cancelled"]').waitFor();
    assert.match(await page.locator('.why-body').innerText(), /Cancelled before it finished\. Press Why\? to start again\./);
    const listed = await fetch(`${server.url}/api/jobs?kind=explain`, { headers: { Authorization: `Bearer ${server.ownerToken}` } });
    const { jobs } = (await listed.json()) as { jobs: { status: string; startedAt: string }[] };
    const newest = jobs.sort((a, b) => b.startedAt.localeCompare(a.startedAt))[0];
    assert.equal(newest.status, 'cancelled', 'the server stopped the job');
    assert.equal(await explainByClick(page), 'done');
    assert.equal(await why.locator('.why-chart svg').count(), 1);
  });

  it('on a share link page, shows Why? disabled with the reason instead of a refused job', async () => {
    const minted = await fetch(`${server.url}/api/share`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.ownerToken}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ expiresInMinutes: 30 }),
    });
    assert.equal(minted.status, 201);
    const { token } = (await minted.json()) as { token: string };
    const shared = await browser.context.newPage();
    const sharedProblems = watchPageProblems(shared);
    const jobCalls: string[] = [];
    shared.on('request', (r) => {
      if (r.url().includes('/api/jobs')) jobCalls.push(r.url());
    });
    await shared.goto(`${server.url}/?token=${encodeURIComponent(token)}`);
    await shared.locator('.feature-form').waitFor();
    await predictByClick(shared);
    const button = shared.getByRole('button', { name: 'Why?', exact: true });
    assert.equal(await button.isEnabled(), false);
    assert.equal(await shared.locator('.result .why').getAttribute('data-state'), 'unavailable');
    assert.match(
      await shared.locator('.why-reason').innerText(),
      /only the model’s owner may start, and this page was opened through a share link .* Open the address model-lab serve printed/,
    );
    assert.equal(await button.getAttribute('aria-describedby'), await shared.locator('.why-reason').getAttribute('id'));
    await shared.screenshot({ path: join(artifacts, 'predict-why-share-link.png') });
    assert.deepEqual(jobCalls, [], 'no job was asked for');
    assert.deepEqual(sharedProblems, []);
    await shared.close();
  });

  it('ran without page errors, console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});

describe('Why? on diabetes-gbm (xgboost regression: TreeSHAP), its reference CSV in a temp folder', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let bare: TestServer;
  let browser: TestBrowser;
  let folder: string;

  before(async () => {
    folder = mkdtempSync(join(tmpdir(), 'model-lab-why-'));
    for (const file of ['diabetes_gbm.onnx', 'diabetes_gbm.signature.json', 'reference.csv'])
      copyFileSync(join(root, 'samples/diabetes-gbm', file), join(folder, file));
    bundle = await buildUiBundle();
    server = await startUiServer(join(folder, 'diabetes_gbm.onnx'), {
      referenceCsv: join(folder, 'reference.csv'),
      uiAssetsDir: bundle.dir,
    });
    bare = await startUiServer('samples/diabetes-gbm/diabetes_gbm.onnx', { uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bare?.close();
    await bundle?.remove();
    rmSync(folder, { recursive: true, force: true });
  });

  it('explains a regression with TreeSHAP, no class selector, adding up to the predicted value', async () => {
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('.feature-form').waitFor();
    await predictByClick(page);
    assert.equal(await explainByClick(page), 'done');
    assert.equal(await page.locator('.why-method').getAttribute('data-method'), 'tree');
    assert.match(await page.locator('.why-method').innerText(), /^TreeSHAP \(tree\) — /);
    assert.equal(await page.getByRole('combobox', { name: /explained/ }).count(), 0, 'one output: nothing to choose');
    assert.equal(await page.locator('.why-chart svg rect').count(), 10, 'ten features, ten bars');
    const line = await sumLine(page);
    const card = Number(await page.locator('.result [data-outcome]').getAttribute('data-outcome'));
    assert.ok(Math.abs(line.base + line.sum - line.prediction) < 1e-6 * Math.abs(line.prediction));
    assert.ok(Math.abs(line.prediction - card) < 1e-3, `explained ${line.prediction}, card ${card}`);
    await page.screenshot({ path: join(artifacts, 'predict-why-tree-regression.png'), fullPage: true });

    // The reference CSV vanishes: the next Why? says so in the card, and the prediction stays.
    rmSync(join(folder, 'reference.csv'));
    await predictByClick(page);
    assert.equal(await explainByClick(page), 'failed');
    assert.match(
      await page.locator('.why .error-box').innerText(),
      /^Why\? failed: could not start the explanation: data: reference\.csv no longer exists \(deleted or moved\)/,
    );
    assert.equal(await page.locator('.result').getAttribute('data-state'), 'prediction');
    assert.equal(String(card), await page.locator('.result [data-outcome]').getAttribute('data-outcome'));
    assert.equal(await page.getByRole('button', { name: 'Why?', exact: true }).isEnabled(), true, 'one may try again');
    assert.deepEqual(
      problems.filter((p) => !/status of 409/.test(p)),
      [],
    );
    await page.close();
  });

  it('served without reference data: Why? is disabled and says what to do', async () => {
    const description = (await (await fetch(`${bare.url}/api/model`)).json()) as ModelDescription;
    assert.equal(description.reference, null);
    const page = await browser.context.newPage();
    await page.goto(bare.ownerPageUrl);
    await page.locator('.feature-form').waitFor();
    const row = { age: 59, sex: 2, bmi: 32.1, bp: 101, s1: 157, s2: 93.2, s3: 38, s4: 4, s5: 4.8598, s6: 87 };
    for (const [name, value] of Object.entries(row)) await textbox(page, name).fill(String(value));
    await predictByClick(page);
    assert.equal(await page.getByRole('button', { name: 'Why?', exact: true }).isEnabled(), false);
    assert.match(await page.locator('.why-reason').innerText(), /served without any\. Serve it with --reference <csv>/);
    await page.close();
  });
});

describe('Why? on digits (an 8×8 picture input)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/digits/digits.onnx', { uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('says why pictures are not explained here, with the button disabled', async () => {
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('.feature-form').waitFor();
    await page.getByLabel('image', { exact: true }).setInputFiles(join(root, 'samples/digits/digit_7.png'));
    await page.locator('canvas.image-preview').waitFor();
    await predictByClick(page);
    assert.equal(await page.getByRole('button', { name: 'Why?', exact: true }).isEnabled(), false);
    assert.match(
      await page.locator('.why-reason').innerText(),
      /^Why\? explains tabular inputs\. For a picture, SHAP would weigh single pixels/,
    );
    assert.deepEqual(problems, []);
    await page.close();
  });
});
