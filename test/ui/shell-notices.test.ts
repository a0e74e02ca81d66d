/**
 * Header notices against the real server and chromium: the event stream marks where its replay ends and
 * resumes after the last event a client saw; a reloaded page shows no old news (a reload, its comparison)
 * but keeps a warning that still holds until the user closes it; nothing stacks up across page loads.
 */
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

/** Opens `/api/events` and reads it until the end of the replay (the `ready` event); then closes it. */
async function replay(server: TestServer, headers: Record<string, string> = {}): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/events`, {
    headers: { Authorization: `Bearer ${server.ownerToken}`, ...headers },
    signal: controller.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!/^event: ready$/m.test(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before the ready event: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
  await reader.cancel().catch(() => undefined);
  return text;
}

/** Opens (or reloads) the page and waits until it shows generation `generation` and has caught up with the event stream. */
async function loaded(page: Page, generation: number): Promise<void> {
  await page.locator('.feature-form').waitFor();
  await page.locator('.connection[data-status="live"]').waitFor();
  if (generation > 1) await page.locator('.chip', { hasText: `reload ${generation - 1}` }).waitFor();
}

async function noticeTexts(page: Page): Promise<string[]> {
  return page.locator('.notice').allInnerTexts();
}

describe('header notices: news once, warnings while they hold', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];
  const modelDir = mkdtempSync(join(tmpdir(), 'model-lab-shell-notices-'));
  const modelPath = join(modelDir, 'flights.onnx');

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    copyFileSync(join(root, 'samples/flights/flights.onnx'), modelPath);
    bundle = await buildUiBundle();
    server = await startUiServer(modelPath, { referenceCsv: 'samples/flights/reference.csv', uiAssetsDir: bundle.dir });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    problems = watchPageProblems(page);
    await page.goto(server.ownerPageUrl);
    await loaded(page, 1);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await bundle?.remove();
    rmSync(modelDir, { recursive: true, force: true });
  });

  it('a freshly opened page shows no notice for the start-up load', async () => {
    assert.deepEqual(await noticeTexts(page), []);
  });

  it('a reload while the page is open is news: shown once, in the words of the UI', async () => {
    // A second ModelProto.doc_string (field 6) at the end: the last one wins, so the model is valid but new.
    const docString = Buffer.from('edited by the shell notices test');
    appendFileSync(modelPath, Buffer.concat([Buffer.from([(6 << 3) | 2, docString.length]), docString]));
    assert.equal(await server.host.reload('test'), 2);
    await page.locator('.notice', { hasText: 'Model reloaded' }).waitFor();
    await page.locator('.notice', { hasText: 'compared with the previous one' }).waitFor();
    await loaded(page, 2);
    const texts = await noticeTexts(page);
    assert.equal(texts.length, 2, texts.join('\n'));
    assert.doesNotMatch(texts.join('\n'), /differential|generation|\|Δ\|/i, 'no server jargon in the news');
  });

  it('reloading the page twice brings no old notice back', async () => {
    for (const round of [1, 2]) {
      await page.reload();
      await loaded(page, 2);
      assert.deepEqual(await noticeTexts(page), [], `after page reload ${round}`);
    }
    await page.screenshot({ path: join(artifacts, 'shell-notices-after-reloads.png') });
  });

  it('a warning that still holds comes back after a reload, once, until it is closed', async () => {
    writeFileSync(modelPath, 'not an onnx model');
    assert.equal(await server.host.reload('test'), 2, 'generation 2 keeps serving');
    const warning = page.locator('.notice-warning', { hasText: 'Reload failed' });
    await warning.waitFor();
    for (const round of [1, 2]) {
      await page.reload();
      await loaded(page, 2);
      await warning.waitFor();
      const texts = await noticeTexts(page);
      assert.equal(texts.length, 1, `after page reload ${round}: ${texts.join('\n')}`);
      assert.match(texts[0], /fix the file and save it again/);
    }
    await page.screenshot({ path: join(artifacts, 'shell-notices-warning-holds.png') });
    await warning.getByRole('button', { name: 'Close this notice' }).click();
    assert.deepEqual(await noticeTexts(page), []);
    await page.reload();
    await loaded(page, 2);
    assert.deepEqual(await noticeTexts(page), [], 'a closed notice stays closed');
  });

  it('the event stream marks the end of its replay and resumes after the last event a client saw', async () => {
    const all = await replay(server);
    const replayed = [...all.matchAll(/^event: (.+)\ndata: .*\nid: (.+)$/gm)].map((m) => ({ type: m[1], id: m[2] }));
    assert.deepEqual(
      replayed.map((e) => e.type),
      ['model-loaded', 'model-loaded', 'differential-check', 'model-reload-failed'],
    );
    assert.match(all, /event: model-reload-failed\n[^]*event: ready\ndata: \{\}\n/, 'ready comes after the replay');
    // What a reconnecting EventSource sends: the id of the last event it got. Only later events come again.
    const rest = await replay(server, { 'Last-Event-ID': replayed[1].id });
    assert.deepEqual(
      [...rest.matchAll(/^event: (.+)$/gm)].map((m) => m[1]),
      ['differential-check', 'model-reload-failed', 'ready'],
    );
  });

  it('ran without page errors, console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
