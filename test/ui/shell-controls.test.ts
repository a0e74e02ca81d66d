/**
 * One control style across tabs, in chromium at 1280 px, light and dark: the plain <input>, <select>,
 * <button> and checkboxes of the Performance, Drift and Export tabs have the computed look (font, border,
 * background, height, corner radius) of the webview-ui-toolkit controls on the Predict tab.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

const root = join(import.meta.dirname, '..', '..');
const artifacts = join(root, '.test-artifacts');

/** The look compared: what a person sees of a control at rest. */
interface Look {
  fontFamily: string;
  fontSize: string;
  border: string;
  background: string;
  height: number;
  radius: string;
}

type Kind = 'text' | 'select' | 'primary' | 'secondary' | 'checkbox';

/**
 * Runs in the page (plain JS: no helpers the test's compiler could rename). For a toolkit control the
 * look comes from the shadow part that draws it; `ref(kind)` measures the Predict tab's control of that
 * kind, `natives(view)` every visible plain control of a tab.
 */
const MEASURE = `(() => {
  const look = (box, border, bg, font) => {
    const b = getComputedStyle(border), g = getComputedStyle(bg), f = getComputedStyle(font);
    return { fontFamily: f.fontFamily, fontSize: f.fontSize, border: b.borderTopWidth + ' ' + b.borderTopStyle + ' ' + b.borderTopColor,
      background: g.backgroundColor, height: Math.round(box.getBoundingClientRect().height * 10) / 10,
      radius: getComputedStyle(box).borderTopLeftRadius };
  };
  const visible = (e) => e.getBoundingClientRect().height > 0;
  const part = (e, sel) => e.shadowRoot.querySelector(sel);
  const toolkit = {
    text: (e) => look(part(e, '.root'), part(e, '.root'), part(e, '.root'), part(e, '.control')),
    select: (e) => look(e, part(e, '.control'), e, part(e, '.control')),
    primary: (e) => look(e, part(e, '.control'), e, e),
    secondary: (e) => look(e, part(e, '.control'), e, e),
    checkbox: (e) => look(part(e, '.control'), part(e, '.control'), part(e, '.control'), e),
  };
  const SELECTORS = {
    text: 'vscode-text-field', select: 'vscode-dropdown', primary: 'vscode-button.predict-button',
    secondary: 'vscode-button[appearance="secondary"]', checkbox: 'vscode-checkbox',
  };
  const ref = (kind) => {
    const e = Array.from(document.querySelectorAll('#view-predict ' + SELECTORS[kind])).find(visible);
    return e ? toolkit[kind](e) : null;
  };
  const kindOf = (e) => {
    if (e.tagName === 'SELECT') return 'select';
    if (e.tagName === 'BUTTON') return e.matches('.secondary, [appearance="secondary"]') ? 'secondary' : 'primary';
    if (e.type === 'checkbox') return 'checkbox';
    return 'text';
  };
  const natives = (view) =>
    Array.from(document.querySelectorAll('#view-' + view +
      ' :is(input:is(:not([type]), [type=text], [type=number], [type=search], [type=checkbox]), select, button)'))
      .filter((e) => visible(e) && !e.matches('.icon, [appearance="icon"]'))
      .map((e) => ({ kind: kindOf(e), look: look(e, e, e, e),
        name: (e.id || e.getAttribute('aria-label') || e.textContent || e.name || e.type).trim().slice(0, 40) }));
  return { ref, natives };
})()`;

async function settle(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
  await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
}

for (const scheme of ['light', 'dark'] as const) {
  describe(`one control style across tabs (${scheme})`, () => {
    let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
    let server: TestServer;
    let browser: TestBrowser;
    let page: Page;
    let problems: string[];
    const refs = new Map<Kind, Look>();

    before(async () => {
      mkdirSync(artifacts, { recursive: true });
      bundle = await buildUiBundle();
      server = await startUiServer('samples/flights/flights.onnx', {
        referenceCsv: 'samples/flights/reference.csv',
        uiAssetsDir: bundle.dir,
      });
      browser = await launchBrowser({ colorScheme: scheme });
      page = await browser.context.newPage();
      problems = watchPageProblems(page);
      await page.goto(server.ownerPageUrl);
      await page.locator('.feature-form').waitFor();
      // A prediction shows the request card, whose Copy buttons are the Predict tab's secondary buttons.
      await page.getByRole('button', { name: 'Predict', exact: true }).click();
      await page.locator('.history-item').first().waitFor();
      // Predict shows a toolkit checkbox only for a boolean feature (flights has none): the toolkit's own, placed in the form.
      await page.evaluate(
        `document.querySelector('#view-predict .feature-form')
          .append(Object.assign(document.createElement('vscode-checkbox'), { textContent: 'reference' }))`,
      );
      await settle(page);
      for (const kind of ['text', 'select', 'primary', 'secondary', 'checkbox'] as const) {
        const look = await page.evaluate<Look | null>(`${MEASURE}.ref(${JSON.stringify(kind)})`);
        assert.ok(look, `the Predict tab shows a toolkit ${kind} control`);
        refs.set(kind, look);
      }
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await bundle?.remove();
    });

    for (const [view, title, mustHave] of [
      ['perf', 'Performance', ['select']],
      ['drift', 'Drift', ['text', 'select', 'checkbox']],
      ['export', 'Export', ['text', 'checkbox']],
    ] as const) {
      it(`${title}: every plain control looks like its toolkit twin on the Predict tab`, async () => {
        await page.locator(`#tab-${view}`).click();
        await page.locator(`#view-${view}`).waitFor();
        await settle(page);
        await page.screenshot({ path: join(artifacts, `shell-controls-${view}-${scheme}.png`), fullPage: true });
        const controls = await page.evaluate<{ kind: Kind; name: string; look: Look }[]>(`${MEASURE}.natives(${JSON.stringify(view)})`);
        for (const kind of mustHave)
          assert.ok(
            controls.some((c) => c.kind === kind),
            `${title} has a plain ${kind} control to compare`,
          );
        for (const control of controls) {
          const expected = refs.get(control.kind)!;
          const { look } = control;
          // A checkbox's font is that of its label; the box is what must match.
          const compared = control.kind === 'checkbox' ? { ...look, fontFamily: expected.fontFamily, fontSize: expected.fontSize } : look;
          assert.deepEqual(compared, expected, `${title} ${control.kind} "${control.name}"`);
        }
      });
    }

    it('ran without page errors, console errors or CSP violations', () => {
      assert.deepEqual(problems, []);
    });
  });
}
