/**
 * In real chromium (offline): the bundle's tfjs/index.html loads the converted model with the vendored
 * @tensorflow/tfjs and prints the sample input's outputs, which match onnxruntime; and the UI's Export
 * tab runs the pre-check and an export, then shows the verification results and the size chart, offers
 * the variants that exist in a dropdown, downloads the bundle as a zip and links its README, and says
 * what to tick when the folder is taken.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { unzipSync } from 'fflate';
import { exportBundle } from '../../server/export';
import { loadModel } from '../../server/model';
import { makeSampleRequests } from '../../server/export/sample-requests';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser } from '../helpers/browser';
import { repoPath } from '../helpers/server';

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
};

/** A static file server for one folder, as `npx http-server` would be. */
async function serveFolder(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => void answer(req, res));
  const answer = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = normalize(decodeURIComponent(new URL(req.url!, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dir, path === '/' ? 'index.html' : path));
      res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'text/html' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('bundle pages in chromium', () => {
  const temp = mkdtempSync(join(tmpdir(), 'model-lab-export-browser-'));
  let browser: TestBrowser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser.close();
    rmSync(temp, { recursive: true, force: true });
  });

  test('tfjs/index.html runs the sample input with the vendored tfjs and matches onnxruntime', async () => {
    const out = join(temp, 'digits');
    const result = await exportBundle(repoPath('samples/digits/digits.onnx'), { outDir: out, targets: ['tfjs'] });
    assert.equal(result.checks.find((c) => c.name === 'tfjs-parity')?.status, 'pass', JSON.stringify(result.checks));
    const { url, server } = await serveFolder(join(out, 'tfjs'));
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    try {
      await page.goto(`${url}/index.html`);
      await page.waitForFunction(() => document.getElementById('out')?.textContent !== 'loading…', undefined, { timeout: 60_000 });
      const text = (await page.textContent('#out'))!;
      assert.match(text, /^probabilities \[3,10\]: \[/, text);
      const got = JSON.parse(text.slice(text.indexOf(': ') + 2)) as number[];
      const dev = await loadModel(repoPath('samples/digits/digits.onnx'));
      try {
        const samples = makeSampleRequests(dev.signature, null);
        const [expected] = await dev.run(samples.tensors);
        const want = Array.from(expected.data as Float32Array);
        assert.equal(got.length, want.length);
        got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-4, `value ${i}: ${v} vs ${want[i]}`));
      } finally {
        await dev.dispose();
      }
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      server.close();
    }
  });

  test('the Export tab pre-checks, exports and shows the checks and the size chart; zip, README and variant dropdown', async () => {
    const previous = process.env.MODEL_LAB_EXPORT_ROOT;
    process.env.MODEL_LAB_EXPORT_ROOT = join(temp, 'ui-exports');
    const ui = await buildUiBundle();
    const server = await startUiServer('samples/iris/iris.onnx', { referenceCsv: 'samples/iris/reference.csv', uiAssetsDir: ui.dir });
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    try {
      await page.goto(server.ownerPageUrl);
      await page.click('#tab-export');
      await page.waitForSelector('.export-root:has-text("model-lab-export-browser")');
      await page.uncheck('#export-target-docker');
      await page.click('#export-precheck');
      const tfjsLine = page.locator('.precheck-blocked');
      await tfjsLine.waitFor();
      assert.match((await tfjsLine.textContent())!, /tfjs: .*LinearClassifier/);
      assert.ok((await page.locator('.export-nodes td:has-text("ai.onnx.ml:ZipMap")').count()) >= 1, 'unsupported nodes listed');

      await page.uncheck('#export-target-tfjs');
      await page.fill('#export-folder', 'iris-from-ui');
      await page.click('#export-run');
      await page.waitForSelector('#export-last-result .export-checks', { timeout: 60_000 });
      const status = (await page.textContent('#export-last-result .export-ok'))!;
      assert.match(status, /Every check passed\. Bundle: .*iris-from-ui/);
      const rows = await page.locator('#export-last-result .export-checks tbody tr').allTextContents();
      assert.ok(
        rows.some((r) => /triton.*triton-model.*pass/.test(r)),
        rows.join('\n'),
      );
      assert.ok((await page.locator('#export-last-result .export-sizes .bar-row').count()) >= 4, 'a bar per bundle part');

      // The bundle people keep: a zip download and its README, one click each.
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-download-zip')]);
      assert.equal(download.suggestedFilename(), 'iris-from-ui.zip');
      const files = unzipSync(new Uint8Array(readFileSync(await download.path())));
      assert.ok(files['iris-from-ui/MANIFEST.json'] && files['iris-from-ui/model/iris.onnx'], Object.keys(files).join(', '));
      const readmeHref = (await page.getAttribute('#export-readme', 'href'))!;
      const readme = await page.evaluate(async (href) => (await fetch(href)).text(), readmeHref);
      assert.equal(readme, new TextDecoder().decode(files['iris-from-ui/README.md']));
      mkdirSync(repoPath('.test-artifacts'), { recursive: true });
      await page.screenshot({ path: repoPath('.test-artifacts/export-tab-bundle.png'), fullPage: true });

      // The same folder again: the message says what to type or tick, not an API flag.
      await page.click('#export-run');
      await page.waitForSelector('#export-message.export-error');
      const taken = (await page.textContent('#export-message'))!;
      assert.match(taken, /is not empty; type another folder name, or tick "Replace a non-empty folder"/);
      assert.equal(await page.locator('label[for="export-force"]').innerText(), 'Replace a non-empty folder');
      assert.deepEqual(
        problems.filter((p) => !/status of 409 \(Conflict\)/.test(p)),
        [],
      );
    } finally {
      await page.close();
      await server.close();
      await ui.remove();
      if (previous === undefined) delete process.env.MODEL_LAB_EXPORT_ROOT;
      else process.env.MODEL_LAB_EXPORT_ROOT = previous;
    }
  });

  test('the Variant is a dropdown of the variants that exist, the served one preselected', async () => {
    const dir = join(temp, 'variant-model');
    mkdirSync(dir, { recursive: true });
    const model = join(dir, 'breast_cancer.onnx');
    copyFileSync(repoPath('samples/breast-cancer/breast_cancer.onnx'), model);
    const ui = await buildUiBundle();
    const server = await startUiServer(model, { referenceCsv: 'samples/breast-cancer/reference.csv', uiAssetsDir: ui.dir });
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    const api = (path: string, body: unknown) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.ownerToken}` },
        body: JSON.stringify(body),
      });
    try {
      // Serve fp16 (the Performance tab's one action: compare, then save and serve).
      const job = (await (await api('/api/jobs/perf', { variants: ['fp16'], batches: [1], iterations: 2, rows: 8 })).json()) as {
        id: string;
      };
      await (await fetch(`${server.url}/api/jobs/${job.id}/events?token=${server.ownerToken}`)).text();
      assert.equal((await api('/api/perf/serve', { variant: 'fp16', id: job.id })).status, 200);
      await page.goto(server.ownerPageUrl);
      await page.click('#tab-export');
      await page.waitForSelector('#export-variant option[value="fp16"]', { state: 'attached' });
      assert.equal(await page.evaluate(() => document.querySelector('#export-variant')!.tagName), 'SELECT');
      const options = await page.locator('#export-variant option').allInnerTexts();
      assert.equal(options[0], 'Original model');
      assert.ok(options.includes('int8 dynamic') && options.includes('fp16 weights — saved — served now'), options.join(' | '));
      assert.equal(await page.inputValue('#export-variant'), 'fp16', 'the served variant is preselected');
      assert.equal(await page.locator('#export-cancel').isDisabled(), true, 'Cancel is off when nothing runs');
      await page.selectOption('#export-variant', 'int8-weights');
      assert.match(await page.innerText('#export-variant-about'), /int8 \+ DequantizeLinear.*not saved beside the model yet/s);
      await page.uncheck('#export-target-docker');
      await page.uncheck('#export-target-tfjs');
      await page.click('#export-precheck');
      await page.waitForSelector('.export-precheck');
      await page.screenshot({ path: repoPath('.test-artifacts/export-tab-variant.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.close();
      await ui.remove();
    }
  });

  test('the pre-check names what TF.js cannot hold in words (flights: text inputs), not an ONNX type number', async () => {
    const ui = await buildUiBundle();
    const server = await startUiServer('samples/flights/flights.onnx', {
      referenceCsv: 'samples/flights/reference.csv',
      uiAssetsDir: ui.dir,
    });
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    try {
      await page.goto(server.ownerPageUrl);
      await page.click('#tab-export');
      await page.waitForSelector('.export-root:has-text("model-lab-exports")');
      await page.click('#export-precheck');
      await page.waitForSelector('.precheck-blocked');
      const nodes = await page.locator('.export-nodes').first().innerText();
      assert.match(nodes, /carrier\s+input\s+string \(text\) tensors have no TF\.js equivalent .*leave the TF\.js target out/);
      assert.doesNotMatch(nodes, /element type \d/);
      await page.screenshot({ path: repoPath('.test-artifacts/export-tab-precheck-words.png'), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
      await server.close();
      await ui.remove();
    }
  });
});
