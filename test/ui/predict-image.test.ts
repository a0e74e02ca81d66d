/**
 * The Predict tab's image input in Debian chromium at 1280 px against the real app serving the digits
 * sample (8×8 grayscale): a CSV picked by mistake is refused and the previous picture forgotten, the
 * sample pictures beside the model are offered, and a digit drawn on the pad is what gets predicted.
 * Screenshots go to .test-artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ModelDescription, OipInferRequest, OipInferResponse } from '../../server/protocol/api';
import type { SampleImageList } from '../../server/protocol/sample-images';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';
import { predictByClick, settled } from './predict-page';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

async function isPredictDisabled(page: Page): Promise<boolean> {
  await settled(page);
  return page.getByRole('button', { name: 'Predict', exact: true }).isDisabled();
}

/** The label the server gives the request the page sent last. */
async function serverLabel(page: Page, server: TestServer, description: ModelDescription): Promise<string> {
  const request = JSON.parse(await page.getByTestId('request-json').innerText()) as OipInferRequest;
  const response = await fetch(server.url + description.inferPath, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  const body = (await response.json()) as OipInferResponse;
  const probabilities = body.outputs[0].data as number[];
  return description.signature.classNames![probabilities.indexOf(Math.max(...probabilities))];
}

describe('Predict tab in chromium: digits, an 8×8 grayscale image input', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  let description: ModelDescription;
  const scratch = mkdtempSync(join(tmpdir(), 'model-lab-image-ui-'));

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    bundle = await buildUiBundle();
    server = await startUiServer('samples/digits/digits.onnx', { uiAssetsDir: bundle.dir });
    description = (await (await fetch(`${server.url}/api/model`)).json()) as ModelDescription;
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await page.locator('.feature-form').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses a CSV picked instead of a picture, forgets the previous picture and says what to do', async () => {
    const file = page.getByLabel('image', { exact: true });
    await file.setInputFiles(join(root, 'samples/digits/digit_7.png'));
    const preview = page.locator('canvas.image-preview');
    await preview.waitFor();
    assert.equal(await isPredictDisabled(page), false);

    const csv = join(scratch, 'digits.csv');
    writeFileSync(csv, 'pixel_0,pixel_1\n0,16\n');
    await file.setInputFiles(csv);
    const error = page.locator('.field-image .field-error');
    await error.waitFor();
    assert.match(await error.innerText(), /"digits\.csv" is not a picture; choose a PNG, JPEG, GIF, WebP or BMP file/);
    assert.equal(await preview.isVisible(), false, 'the old preview is gone');
    assert.equal(await isPredictDisabled(page), true, 'nothing to predict until a picture is chosen');
    assert.equal(await file.getAttribute('aria-invalid'), 'true');
    await page.screenshot({ path: join(artifacts, 'predict-image-csv-refused.png') });

    await file.setInputFiles(join(root, 'samples/digits/digit_7.png'));
    await error.waitFor({ state: 'hidden' });
    assert.equal(await isPredictDisabled(page), false);
  });

  it('offers the sample pictures of the reference data and predicts the one picked', async () => {
    const listed = (await (
      await fetch(`${server.url}/api/sample-images`, { headers: { Authorization: `Bearer ${server.ownerToken}` } })
    ).json()) as SampleImageList;
    assert.deepEqual(
      listed.images.map((i) => i.name),
      ['digit_0.png', 'digit_3.png', 'digit_7.png', 'digit_9.png'],
    );
    assert.equal((await fetch(`${server.url}/api/sample-images`)).status, 401, 'pictures are read from disk: the owner only');

    const samples = page.locator('.sample-image');
    await samples.nth(3).waitFor();
    assert.deepEqual(
      await samples.evaluateAll((buttons) => buttons.map((b) => (b as HTMLElement).dataset.sample)),
      listed.images.map((i) => i.name),
    );
    await page.getByRole('button', { name: 'digit_3.png', exact: true }).click();
    assert.equal(await page.getByRole('button', { name: 'digit_3.png', exact: true }).getAttribute('aria-pressed'), 'true');
    await predictByClick(page);
    const outcome = await page.locator('.result [data-outcome]').getAttribute('data-outcome');
    assert.equal(outcome, await serverLabel(page, server, description));
    assert.equal(outcome, '3');
    await page.screenshot({ path: join(artifacts, 'predict-image-sample-picked.png') });
  });

  it('predicts a digit drawn on the pad, with the ink where it was drawn', async () => {
    const pad = page.locator('canvas[data-draw-pad]');
    const box = (await pad.boundingBox())!;
    // A vertical stroke down the middle third of the pad: a "1".
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.15);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) await page.mouse.move(box.x + box.width / 2, box.y + box.height * (0.15 + 0.07 * step));
    await page.mouse.up();
    assert.match(await page.locator('.field-image .field-hint').innerText(), /your drawing → 8×8/);
    assert.equal(await page.getByRole('button', { name: 'digit_3.png', exact: true }).getAttribute('aria-pressed'), 'false');
    await predictByClick(page);

    const request = JSON.parse(await page.getByTestId('request-json').innerText()) as OipInferRequest;
    const pixels = request.inputs[0].data as number[];
    const column = (x: number): number => [0, 1, 2, 3, 4, 5, 6, 7].reduce((sum, y) => sum + pixels[y * 8 + x], 0);
    assert.ok(column(3) + column(4) > 3, `ink in the middle columns (${column(3)}, ${column(4)})`);
    assert.equal(column(0) + column(7), 0, 'no ink at the edges');
    const outcome = await page.locator('.result [data-outcome]').getAttribute('data-outcome');
    assert.equal(outcome, await serverLabel(page, server, description));
    await page.screenshot({ path: join(artifacts, 'predict-image-drawn.png') });
  });

  it('ran without page errors, console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
