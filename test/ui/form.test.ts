/**
 * The prediction form in a real browser against the real server: Debian chromium (playwright-core)
 * opens `/` of the real app (createModelHost + createApp) serving the real sample models and the UI
 * bundle built from source. What the page shows is compared with what the OIP endpoint answers.
 */
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import {
  DTYPE_OF_OIP,
  type ModelDescription,
  type OipInferRequest,
  type OipInferResponse,
  type RowPrediction,
} from '../../server/protocol/api';
import { decodePredictions, flatten, tensorFromValues } from '../../server/protocol/codec';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

/** Asks the server's OIP endpoint directly and decodes its answer with the shared codec. */
async function askServer(server: TestServer, description: ModelDescription, request: OipInferRequest): Promise<RowPrediction> {
  const response = await fetch(server.url + description.inferPath, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const body = (await response.json()) as OipInferResponse;
  const tensors = body.outputs.map((o) =>
    tensorFromValues(
      o.name,
      DTYPE_OF_OIP[o.datatype],
      o.shape,
      flatten(
        o.data,
        o.shape.reduce((a, b) => a * b, 1),
        o.name,
      ),
    ),
  );
  return decodePredictions(description.signature, tensors)[0];
}

/** What the page shows as the prediction: headline, bars (exact values from data attributes), truth. */
async function shownPrediction(
  page: Page,
): Promise<{ outcome: string; bars: Record<string, number>; predicted: string[]; truth: string | null }> {
  return page.evaluate(() => {
    const result = document.querySelector('.result')!;
    const bars: Record<string, number> = {};
    const predicted: string[] = [];
    for (const li of Array.from(result.querySelectorAll<HTMLElement>('.bar-row'))) {
      bars[li.dataset.class!] = Number(li.dataset.value);
      if (li.classList.contains('is-predicted')) predicted.push(li.dataset.class!);
    }
    const headline = result.querySelector<HTMLElement>('[data-outcome]');
    return {
      outcome: headline?.textContent ?? '',
      bars,
      predicted,
      truth: result.querySelector<HTMLElement>('.truth')?.dataset.truth ?? null,
    };
  });
}

async function historyCount(page: Page): Promise<number> {
  return page.locator('.history-item').count();
}

/** Clicks Predict and waits for the answer to land in the history. */
async function predictByClick(page: Page): Promise<void> {
  const before = await historyCount(page);
  await page.getByRole('button', { name: 'Predict', exact: true }).click();
  await page.locator('.history-item').nth(before).waitFor();
}

function textbox(page: Page, feature: string) {
  return page.getByRole('textbox', { name: feature, exact: true });
}

async function pickOption(page: Page, feature: string, value: string): Promise<void> {
  await page.getByRole('combobox', { name: feature, exact: true }).click();
  await page.locator(`vscode-dropdown[data-feature="${feature}"] vscode-option[value="${value}"]`).click();
}

async function fieldValue(page: Page, feature: string): Promise<string> {
  return page.locator(`[data-feature="${feature}"]`).evaluate((el) => String((el as HTMLElement & { value: string }).value));
}

/** Waits until the toolkit has flushed its batched DOM updates (FAST renders on animation frames). */
async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

async function isPredictDisabled(page: Page): Promise<boolean> {
  await settled(page);
  return page.getByRole('button', { name: 'Predict', exact: true }).isDisabled();
}

describe('prediction form in chromium: flights (one string/float/int64 tensor per column)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  let description: ModelDescription;
  // A private copy of the model, so the reload tests can change it.
  const modelDir = mkdtempSync(join(tmpdir(), 'model-lab-ui-model-'));
  const modelPath = join(modelDir, 'flights.onnx');

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    copyFileSync(join(root, 'samples/flights/flights.onnx'), modelPath);
    bundle = await buildUiBundle();
    server = await startUiServer(modelPath, { referenceCsv: 'samples/flights/reference.csv', uiAssetsDir: bundle.dir });
    description = (await (await fetch(`${server.url}/api/model`)).json()) as ModelDescription;
    browser = await launchBrowser({ colorScheme: 'light' });
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(`${server.url}/`);
    await page.locator('.feature-form').waitFor();
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(modelDir, { recursive: true, force: true });
  });

  it('renders a field per feature, pre-filled with the examples, and names the model', async () => {
    assert.equal(await page.locator('.model-name').textContent(), 'flights');
    assert.match(await page.locator('.chips').innerText(), /classification/);
    // Where the signature came from, from signature.origins (not the default "from metadata" label).
    const origin = page.locator('.chips .chip-origin');
    assert.equal(await origin.innerText(), 'inputs: named by the graph input');
    assert.match((await origin.getAttribute('title')) ?? '', /^inputs: 'carrier' named by the graph input;[^\n]*\ntask: from the outputs/);
    assert.match((await origin.getAttribute('title')) ?? '', /\ntarget column 'delayed': from the reference CSV/);
    assert.doesNotMatch(await page.locator('.chips').innerText(), /model file|metadata/);
    for (const feature of description.signature.features) {
      assert.equal(await fieldValue(page, feature.name), String(feature.example), `${feature.name} pre-filled`);
    }
    assert.equal(await page.getByRole('combobox', { name: 'carrier', exact: true }).count(), 1, 'category → labelled dropdown');
    assert.equal(await isPredictDisabled(page), false);
  });

  it('predicts exactly what the OIP endpoint answers for the same request', async () => {
    await pickOption(page, 'carrier', 'UA');
    await pickOption(page, 'origin', 'ORD');
    await textbox(page, 'distance').fill('1200.5');
    await textbox(page, 'dep_hour').fill('18');
    await textbox(page, 'day_of_week').fill('4');
    await predictByClick(page);

    const request: OipInferRequest = {
      inputs: [
        { name: 'carrier', shape: [1, 1], datatype: 'BYTES', data: ['UA'] },
        { name: 'origin', shape: [1, 1], datatype: 'BYTES', data: ['ORD'] },
        { name: 'distance', shape: [1, 1], datatype: 'FP32', data: [1200.5] },
        { name: 'dep_hour', shape: [1, 1], datatype: 'INT64', data: [18] },
        { name: 'day_of_week', shape: [1, 1], datatype: 'INT64', data: [4] },
      ],
    };
    assert.deepEqual(
      JSON.parse(await page.getByTestId('request-json').innerText()),
      request,
      'the request shown is the one a person would write',
    );
    assert.match(
      await page.getByTestId('request-curl').innerText(),
      new RegExp(`^curl -s -X POST '${server.url}/v2/models/flights/infer'`),
    );

    const truth = await askServer(server, description, request);
    const shown = await shownPrediction(page);
    assert.equal(shown.outcome, String(truth.label));
    assert.deepEqual(shown.predicted, [String(truth.label)], 'the predicted class is the highlighted bar');
    assert.deepEqual(Object.keys(shown.bars), Object.keys(truth.probabilities!));
    for (const [cls, p] of Object.entries(truth.probabilities!))
      assert.ok(Math.abs(shown.bars[cls] - p) < 1e-6, `P(${cls}) ${shown.bars[cls]} vs ${p}`);
    assert.match(await page.locator('.latency').innerText(), /^\d+(\.\d)? ms$/);
    await page.screenshot({ path: join(artifacts, 'ui-form.png'), fullPage: true });
  });

  it('flags a bad number under the field and disables Predict until it is fixed', async () => {
    const distance = textbox(page, 'distance');
    await distance.fill('12km');
    const error = page.locator('.field:has([data-feature="distance"]) .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /"12km" is not a number/);
    assert.equal(await isPredictDisabled(page), true);
    assert.equal(await distance.getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('.predict-status').innerText(), /Fix 1 field.*distance/);

    await textbox(page, 'dep_hour').fill('7.5');
    assert.match(await page.locator('.field:has([data-feature="dep_hour"]) .field-error').innerText(), /whole number/);

    await distance.fill('800');
    await textbox(page, 'dep_hour').fill('7');
    await error.waitFor({ state: 'hidden' });
    assert.equal(await isPredictDisabled(page), false);
  });

  it('fills the fields from a sample row and shows its true value beside the prediction', async () => {
    const rowIndex = 2;
    const row = description.reference!.rows[rowIndex];
    await page.getByRole('combobox', { name: 'Fill from sample row' }).click();
    await page.locator(`#sample-row vscode-option[value="${rowIndex}"]`).click();
    for (const feature of description.signature.features) {
      assert.equal(await fieldValue(page, feature.name), row[feature.name], `${feature.name} from row ${rowIndex + 1}`);
    }
    await predictByClick(page);
    const shown = await shownPrediction(page);
    const target = description.signature.target!;
    assert.ok(target, 'the flights reference names its target column');
    assert.equal(shown.truth, row[target]);
    // Editing a field by hand means the inputs are no longer that row: no true value next time.
    await textbox(page, 'distance').fill('999');
    await predictByClick(page);
    assert.equal((await shownPrediction(page)).truth, null);
  });

  it('works from the keyboard: Tab moves field to field, Enter does not submit, Ctrl+Enter predicts', async () => {
    const distance = textbox(page, 'distance');
    await distance.focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('321');
    await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => document.activeElement?.getAttribute('data-feature')),
      'dep_hour',
      'Tab goes to the next feature',
    );
    const count = await historyCount(page);
    await page.keyboard.press('Enter');
    assert.equal(await historyCount(page), count, 'Enter alone sends nothing');
    await page.keyboard.press('Control+Enter');
    await page.locator('.history-item').nth(count).waitFor();
    assert.match(await page.locator('.history-item').first().innerText(), /distance=321/);
    assert.equal(await page.locator('.result').getAttribute('aria-live'), 'polite');
  });

  it('restores the inputs of a history entry', async () => {
    await textbox(page, 'distance').fill('2222');
    const oldest = page.locator('.history-item').last();
    assert.match(await oldest.innerText(), /carrier=UA, origin=ORD, distance=1200\.5/);
    await oldest.click();
    assert.equal(await fieldValue(page, 'distance'), '1200.5');
    assert.equal(await fieldValue(page, 'carrier'), 'UA');
  });

  it('keeps the history and values across a page reload (sessionStorage)', async () => {
    const count = await historyCount(page);
    await page.reload();
    await page.locator('.feature-form').waitFor();
    assert.equal(await historyCount(page), count);
    assert.equal(await fieldValue(page, 'distance'), '1200.5');
  });

  it('rebuilds the form after a hot reload, keeping the values, and says so', async () => {
    await textbox(page, 'distance').fill('1717');
    await page.locator('.connection[data-status="live"]').waitFor();
    // A second ModelProto.doc_string (field 6) at the end: the last one wins, so the model is valid but new.
    const docString = Buffer.from('edited by the UI test');
    appendFileSync(modelPath, Buffer.concat([Buffer.from([(6 << 3) | 2, docString.length]), docString]));
    const generation = await server.host.reload('test');
    assert.equal(generation, 2);
    await page.locator('.notice', { hasText: 'Model reloaded' }).waitFor();
    await page.locator('.chip', { hasText: 'reload 1' }).waitFor();
    assert.equal(await fieldValue(page, 'distance'), '1717');
    assert.equal(await isPredictDisabled(page), false);
  });

  it('warns, and keeps the form working, when a reload fails', async () => {
    writeFileSync(modelPath, 'not an onnx model');
    assert.equal(await server.host.reload('test'), 2, 'generation 2 keeps serving');
    const warning = page.locator('.notice-warning', { hasText: 'Reload failed' });
    await warning.waitFor();
    assert.match(await warning.innerText(), /previous model \(generation 2\) is still serving/);
    await predictByClick(page);
    assert.equal(await page.locator('.result').getAttribute('data-state'), 'prediction');
  });

  it('follows a dark colour scheme with the fallback theme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.waitForFunction(() => document.body.classList.contains('ml-theme-dark'));
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(background, 'rgb(31, 31, 31)');
    await page.screenshot({ path: join(artifacts, 'ui-form-dark.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'light' });
    await page.waitForFunction(() => document.body.classList.contains('ml-theme-light'));
  });

  it('ran without page errors, console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});

describe('prediction form in chromium: breast-cancer (30 features packed into one float32 tensor)', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;

  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/breast-cancer/breast_cancer.onnx', {
      referenceCsv: 'samples/breast-cancer/reference.csv',
      uiAssetsDir: bundle.dir,
    });
    browser = await launchBrowser({ colorScheme: 'dark' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('packs the sample row into one [1, 30] tensor and shows the server answer', async () => {
    const description = (await (await fetch(`${server.url}/api/model`)).json()) as ModelDescription;
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${server.url}/`);
    await page.locator('.feature-form').waitFor();
    await page.getByRole('button', { name: 'Next sample row' }).click();
    const row = description.reference!.rows[0];
    assert.equal(await fieldValue(page, 'mean radius'), row['mean radius']);
    await predictByClick(page);

    const request = JSON.parse(await page.getByTestId('request-json').innerText()) as OipInferRequest;
    assert.deepEqual(
      request.inputs.map((t) => [t.name, t.shape, t.datatype]),
      [['input', [1, 30], 'FP32']],
    );
    assert.deepEqual(
      request.inputs[0].data,
      description.signature.features.map((f) => Number(row[f.name])),
    );
    const truth = await askServer(server, description, request);
    const shown = await shownPrediction(page);
    assert.equal(shown.outcome, String(truth.label));
    for (const [cls, p] of Object.entries(truth.probabilities!)) assert.ok(Math.abs(shown.bars[cls] - p) < 1e-6, `P(${cls})`);
    assert.equal(shown.truth, row[description.signature.target!]);
    await page.screenshot({ path: join(artifacts, 'ui-form-breast-cancer-dark.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});

describe('prediction form in chromium: digits (an image input, 8×8 grayscale NCHW)', () => {
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

  it('draws the chosen picture at the model size and predicts its digit as the server does', async () => {
    const description = (await (await fetch(`${server.url}/api/model`)).json()) as ModelDescription;
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${server.url}/`);
    await page.locator('.feature-form').waitFor();
    assert.equal(await isPredictDisabled(page), true, 'nothing to predict before a picture is chosen');
    assert.match(await page.locator('.predict-status').innerText(), /Choose an image/);

    await page.getByLabel('image', { exact: true }).setInputFiles(join(root, 'samples/digits/digit_7.png'));
    await page.locator('canvas.image-preview').waitFor();
    assert.deepEqual(await page.locator('canvas.image-preview').evaluate((c: HTMLCanvasElement) => [c.width, c.height]), [8, 8]);
    await predictByClick(page);

    const request = JSON.parse(await page.getByTestId('request-json').innerText()) as OipInferRequest;
    assert.deepEqual(
      request.inputs.map((t) => [t.name, t.shape, t.datatype]),
      [['image', [1, 1, 8, 8], 'FP32']],
    );
    const pixels = request.inputs[0].data as number[];
    assert.ok(pixels.every((v) => v >= 0 && v <= 1) && pixels.some((v) => v > 0.5), 'pixels scaled to 0..1 with some ink');
    const truth = await askServer(server, description, request);
    const shown = await shownPrediction(page);
    assert.equal(shown.outcome, '7');
    assert.equal(shown.outcome, String(truth.label));
    for (const [cls, p] of Object.entries(truth.probabilities!)) assert.ok(Math.abs(shown.bars[cls] - p) < 1e-6, `P(${cls})`);
    await page.screenshot({ path: join(artifacts, 'ui-form-digits.png'), fullPage: true });
    assert.deepEqual(problems, []);
  });
});
