/**
 * Driving the workbench like a person: the command palette and Quick Open. Both retry, because the
 * palette can open before the extension's commands are registered and file search needs a moment
 * after the folder opens.
 */
import type { Frame, Page } from 'playwright-core';

const QUICK_INPUT = '.quick-input-widget input';
const QUICK_ROW = '.quick-input-list .monaco-list-row';

async function pickFromQuickInput(
  page: Page,
  open: () => Promise<void>,
  text: string,
  rowText: string,
  what: string,
  attempts = 15,
): Promise<void> {
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    await open();
    const input = page.locator(QUICK_INPUT);
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(text);
    const row = page.locator(QUICK_ROW, { hasText: rowText }).first();
    try {
      await row.waitFor({ state: 'visible', timeout: 3_000 });
      await row.click();
      return;
    } catch (err) {
      lastError = err;
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
  throw new Error(`${what}: no row "${rowText}" after ${attempts} attempts (${String(lastError)})`);
}

/** Runs a command by its palette title, e.g. `Model Lab: Open Model…`. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await pickFromQuickInput(page, () => page.keyboard.press('F1'), `>${title}`, title, `command palette "${title}"`);
}

/** Opens a workspace file by name with Quick Open (Ctrl+P), as a double-click in the Explorer would. */
export async function quickOpen(page: Page, fileName: string): Promise<void> {
  await pickFromQuickInput(page, () => page.keyboard.press('Control+P'), fileName, fileName, `Quick Open "${fileName}"`);
}

/** The first frame (webview content) in which `selector` exists, waiting for it to appear. */
export async function findFrame(page: Page, selector: string, timeoutMs = 60_000): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const frame of page.frames()) {
      if (frame.isDetached()) continue;
      if (
        await frame
          .locator(selector)
          .count()
          .catch(() => 0)
      )
        return frame;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no frame shows "${selector}" within ${timeoutMs} ms`);
}

/** A file or folder row in the Explorer tree, by its name. */
function explorerRow(page: Page, name: string) {
  return page.locator('.explorer-folders-view .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) }),
  });
}

/** Opens a file from the Explorer (expanding the folders on the way), as a person clicks it. */
export async function openFromExplorer(page: Page, folders: string[], fileName: string): Promise<void> {
  for (const folder of folders) {
    const row = explorerRow(page, folder);
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
  }
  await explorerRow(page, fileName).click();
}

/** Right-clicks a file in the Explorer and picks a context-menu item by its label. */
export async function explorerContextMenu(page: Page, fileName: string, item: string): Promise<void> {
  await explorerRow(page, fileName).click({ button: 'right' });
  const menu = page.locator('.context-view .monaco-menu');
  const entry = menu.locator('.action-item', { hasText: item }).first();
  await entry.waitFor({ timeout: 10_000 });
  // The menu ignores a click that comes too soon after it opened (seen on a loaded 2-core machine:
  // the item is highlighted, the menu stays open); click again until the menu closes.
  for (let attempt = 0; attempt < 5; attempt++) {
    await entry.click().catch(() => undefined);
    try {
      await menu.waitFor({ state: 'hidden', timeout: 2_000 });
      return;
    } catch {
      /* still open */
    }
  }
  throw new Error(`the Explorer context menu of ${fileName} did not run "${item}" after 5 clicks`);
}
