/**
 * The shell's layout in chromium: an open dropdown list near the bottom of a card is shown whole (the tab
 * container used to clip it at the card's edge), and no tab makes the page scroll sideways at 1280 px or
 * at the width of a VS Code editor panel (~800 px).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

interface ListboxView {
  open: boolean;
  options: number;
  /** The list's box, and the part of it that every clipping ancestor lets through. */
  list: { top: number; bottom: number };
  shown: { top: number; bottom: number };
  /** What is drawn at the list's last visible row (the dropdown itself, or whatever covers or replaces it). */
  atBottom: string;
}

/** Plain JS run in the page: the open list of the dropdown `selector`, and how much of it is shown. */
const listboxView = (selector: string): string => `(() => {
  const dropdown = document.querySelector(${JSON.stringify(selector)});
  const list = dropdown.shadowRoot.querySelector('.listbox');
  const box = list.getBoundingClientRect();
  let top = box.top, bottom = box.bottom;
  const up = (e) => e.parentElement || (e.getRootNode() !== document ? e.getRootNode().host : null);
  for (let e = up(list); e; e = up(e)) {
    if (getComputedStyle(e).overflowY === 'visible') continue;
    const clip = e.getBoundingClientRect();
    top = Math.max(top, clip.top);
    bottom = Math.min(bottom, clip.bottom);
  }
  bottom = Math.min(bottom, window.innerHeight);
  const hit = document.elementFromPoint(box.left + 8, box.bottom - 4);
  return { open: dropdown.open === true, options: dropdown.querySelectorAll('vscode-option').length,
    list: { top: box.top, bottom: box.bottom }, shown: { top, bottom },
    atBottom: hit ? (hit === dropdown || dropdown.contains(hit) ? 'the dropdown' : hit.tagName + '.' + hit.className) : 'nothing' };
})()`;

describe('shell layout', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let browser: TestBrowser;
  let page: Page;
  let problems: string[];

  before(async () => {
    mkdirSync(artifacts, { recursive: true });
    bundle = await buildUiBundle();
    server = await startUiServer('samples/flights/flights.onnx', {
      referenceCsv: 'samples/flights/reference.csv',
      uiAssetsDir: bundle.dir,
    });
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
  });

  it('an open dropdown list at the bottom of the form card is shown whole, not cut at the card', async () => {
    // "origin": the last dropdown of the form; its 10 airports open below it, past the card's bottom edge.
    const selector = 'vscode-dropdown[data-feature="origin"]';
    await page.getByRole('combobox', { name: 'origin', exact: true }).click();
    await page.waitForFunction(`document.querySelector(${JSON.stringify(selector)}).open === true`);
    const view = await page.evaluate<ListboxView>(listboxView(selector));
    await page.screenshot({ path: join(artifacts, 'shell-dropdown-open.png') });
    const card = await page.evaluate<number>(
      `document.querySelector(${JSON.stringify(selector)}).closest('.card').getBoundingClientRect().bottom`,
    );
    assert.ok(view.options >= 10, 'the dropdown has its airports');
    assert.ok(
      view.list.bottom > card,
      `the list (bottom ${view.list.bottom} px) reaches past the card (${card} px): the case that was clipped`,
    );
    assert.deepEqual(view.shown, view.list, 'no ancestor clips the list');
    assert.equal(view.atBottom, 'the dropdown', 'the last row of the list is what is drawn there');
    await page.keyboard.press('Escape');
  });

  for (const width of [1280, 800]) {
    it(`no tab scrolls the page sideways at ${width} px`, async () => {
      await page.setViewportSize({ width, height: 900 });
      for (const tab of ['predict', 'perf', 'drift', 'export']) {
        await page.locator(`#tab-${tab}`).click();
        await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
        const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>(
          '({ scroll: document.scrollingElement.scrollWidth, client: document.scrollingElement.clientWidth })',
        );
        if (width === 800) await page.screenshot({ path: join(artifacts, `shell-${tab}-800px.png`), fullPage: true });
        assert.ok(scroll <= client, `${tab} at ${width} px: the page is ${scroll} px wide in a ${client} px window`);
      }
      await page.locator('#tab-predict').click();
    });
  }

  it('ran without page errors, console errors or CSP violations', () => {
    assert.deepEqual(problems, []);
  });
});
