/**
 * The Predict tab as a data scientist checks it (issue 11), in Debian chromium at 1280 px against the
 * real app serving the real samples: the answer stays in sight beside 30 fields, goes stale when an
 * input changes, warns about values far outside the reference data, shows probabilities with the digits
 * they need and the raw response beside the request, gives Python code that really runs, and judges a
 * sample row's 0/1 target against class names. Screenshots go to .test-artifacts/.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ModelDescription, OipInferRequest, OipInferResponse } from '../../server/protocol/api';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { chooseSampleRow, predictByClick, resultBox, settled, shownBars, textbox } from './predict-page';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

const hasPythonRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;

async function askServer(server: TestServer, description: ModelDescription, request: OipInferRequest): Promise<OipInferResponse> {
  const response = await fetch(server.url + description.inferPath, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as OipInferResponse;
}

describe('Predict tab in chromium: breast-cancer, 30 numeric fields', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  let description: ModelDescription;

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
    await page.goto(`${server.url}/`);
    await page.locator('.feature-form').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('keeps the result in sight after Predict at the bottom of the form', async () => {
    const button = page.getByRole('button', { name: 'Predict', exact: true });
    await button.scrollIntoViewIfNeeded();
    assert.ok(await page.evaluate(() => window.scrollY > 0), 'with 30 fields the Predict button is below the fold');
    await predictByClick(page);
    await settled(page);
    const box = await resultBox(page);
    assert.ok(box.top >= 0 && box.top < box.viewport - 80, `result card top ${box.top} is on screen (viewport ${box.viewport})`);
    assert.ok(await button.isVisible(), 'and so is the Predict button');
    await page.screenshot({ path: join(artifacts, 'predict-30-fields-result-in-view.png') });
  });

  it('marks the result stale once an input changes, until the next Predict', async () => {
    const result = page.locator('.result');
    assert.equal(await result.getAttribute('data-stale'), null);
    await textbox(page, 'mean radius').fill('15');
    assert.equal(await result.getAttribute('data-stale'), 'true');
    assert.match(await page.locator('.stale-note').innerText(), /Inputs changed since this prediction — press Predict/);
    await page.screenshot({ path: join(artifacts, 'predict-stale-result.png') });
    await predictByClick(page);
    assert.equal(await result.getAttribute('data-stale'), null);
    assert.equal(await page.locator('.stale-note').isVisible(), false);
    // Choosing a sample row changes the inputs too.
    await chooseSampleRow(page, 3);
    assert.equal(await result.getAttribute('data-stale'), 'true');
  });

  it('warns, without blocking, about a value far outside the reference range, and says so beside the answer', async () => {
    const texture = description.signature.features.find((f) => f.name === 'mean texture')!;
    await textbox(page, 'mean texture').fill('1e9');
    const warning = page.locator('.field:has([data-feature="mean texture"]) .field-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /1e9 is far above the reference range 9\.71 – 39\.28/);
    assert.equal(texture.min, 9.71);
    await textbox(page, 'mean radius').fill('14');
    assert.equal(
      await page.locator('.field:has([data-feature="mean radius"]) .field-warning').isVisible(),
      false,
      'a typical value gets no warning',
    );
    await predictByClick(page);
    assert.match(await page.locator('.result-warning').innerText(), /mean texture = 1e9 \(typical 9\.71 – 39\.28\)/);
    await page.screenshot({ path: join(artifacts, 'predict-far-outside-range.png') });
  });

  it('shows the raw response beside the request, and every probability with the digits it needs', async () => {
    const request = JSON.parse(await page.getByTestId('request-json').innerText()) as OipInferRequest;
    const shownResponse = JSON.parse(await page.getByTestId('response-json').innerText()) as OipInferResponse;
    const response = await askServer(server, description, request);
    assert.deepEqual(shownResponse.outputs, response.outputs, 'the response shown is what the server answers');
    const requestBox = await page.getByTestId('request-json').boundingBox();
    const responseBox = await page.getByTestId('response-json').boundingBox();
    assert.ok(requestBox && responseBox && Math.abs(requestBox.y - responseBox.y) < 4, 'side by side');

    const bars = await shownBars(page);
    assert.equal(bars.length, 2);
    for (const bar of bars) {
      const percent = Number(bar.text.replace('%', ''));
      if (bar.value > 0) assert.notEqual(percent, 0, `P(${bar.name}) = ${bar.value} must not read ${bar.text}`);
      if (bar.value < 1) assert.notEqual(percent, 100, `P(${bar.name}) = ${bar.value} must not read ${bar.text}`);
      assert.ok(Math.abs(percent / 100 - bar.value) <= Math.max(0.0005, bar.value * 0.05), `${bar.text} reads ${bar.value}`);
    }
  });

  it(
    'gives Python requests code that prints what the server answers',
    { skip: !hasPythonRequests && 'python3 with requests not found' },
    async () => {
      const code = await page.getByTestId('request-python').innerText();
      assert.match(code, /^import requests\n/);
      const folder = mkdtempSync(join(tmpdir(), 'model-lab-python-'));
      try {
        writeFileSync(join(folder, 'predict.py'), code);
        // Asynchronously: the server answering the script runs in this process.
        const { stdout: printed } = await promisify(execFile)('python3', [join(folder, 'predict.py')], {
          encoding: 'utf8',
          timeout: 30_000,
          env: { ...process.env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' },
        });
        const response = JSON.parse(await page.getByTestId('response-json').innerText()) as OipInferResponse;
        for (const output of response.outputs) assert.match(printed, new RegExp(`^${output.name} \\[${output.shape.join(', ')}\\]`, 'm'));
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    },
  );

  it('ran without page errors, console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});

describe('Predict tab in chromium: flights, a 0/1 target against class names', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/flights/flights.onnx', {
      referenceCsv: 'samples/flights/reference.csv',
      uiAssetsDir: bundle.dir,
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('reads the target 0/1 as the class at that index and judges the prediction right', async () => {
    const description = (await (await fetch(`${server.url}/api/model`)).json()) as ModelDescription;
    const classes = description.signature.classNames!;
    const target = description.signature.target!;
    assert.deepEqual(classes, ['on_time', 'delayed']);
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${server.url}/`);
    await page.locator('.feature-form').waitFor();

    const first = description.reference!.rows[0][target];
    assert.equal(
      (await page.locator('#sample-row vscode-option[value="0"]').textContent())?.trim(),
      `Row 1 — ${target}: ${first} = ${classes[Number(first)]}`,
      'the row picker names the class of a 0/1 target too',
    );

    const seen = new Set<boolean>();
    for (let row = 0; row < description.reference!.rows.length && seen.size < 2; row++) {
      await chooseSampleRow(page, row);
      await predictByClick(page);
      const predicted = await page.locator('.result [data-outcome]').getAttribute('data-outcome');
      const cell = description.reference!.rows[row][target];
      const trueClass = classes[Number(cell)];
      const truth = page.locator('.result .truth');
      const text = await truth.innerText();
      assert.match(text, new RegExp(`True value ${cell} = ${trueClass}`), `row ${row + 1}`);
      const match = predicted === trueClass;
      assert.match(text, match ? /✓ match/ : /✗ differs/, `row ${row + 1}: predicted ${predicted}, true ${cell} = ${trueClass}`);
      if (!seen.has(match)) await page.screenshot({ path: join(artifacts, `predict-flights-truth-${match ? 'match' : 'differs'}.png`) });
      seen.add(match);
    }
    assert.ok(seen.has(true), 'at least one sample row is predicted right');
    assert.deepEqual(problems, []);
  });
});
