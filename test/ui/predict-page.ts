/**
 * Small page helpers shared by the Predict-tab browser tests: reading what the result card shows and
 * predicting by clicking, the way a person does.
 */
import type { Page } from 'playwright-core';

export async function historyCount(page: Page): Promise<number> {
  return page.locator('.history-item').count();
}

/** Clicks Predict and waits for the answer to land in the history. */
export async function predictByClick(page: Page): Promise<void> {
  const before = await historyCount(page);
  await page.getByRole('button', { name: 'Predict', exact: true }).click();
  await page.locator('.history-item').nth(before).waitFor();
}

export function textbox(page: Page, feature: string) {
  return page.getByRole('textbox', { name: feature, exact: true });
}

/** Waits until the toolkit has flushed its batched DOM updates (FAST renders on animation frames). */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve()))));
}

/** Chooses a reference row in the "Fill from sample row" dropdown (0-based). */
export async function chooseSampleRow(page: Page, index: number): Promise<void> {
  await page.getByRole('combobox', { name: 'Fill from sample row' }).click();
  await page.locator(`#sample-row vscode-option[value="${index}"]`).click();
}

/** The result card's box relative to the viewport, and the viewport's height. */
export async function resultBox(page: Page): Promise<{ top: number; bottom: number; viewport: number }> {
  return page.locator('.result').evaluate((el) => {
    const box = el.getBoundingClientRect();
    return { top: box.top, bottom: box.bottom, viewport: window.innerHeight };
  });
}

/** Each probability bar as shown: class, exact value (data attribute) and the text a person reads. */
export async function shownBars(page: Page): Promise<{ name: string; value: number; text: string }[]> {
  return page.locator('.result .bar-row').evaluateAll((rows) =>
    rows.map((row) => ({
      name: (row as HTMLElement).dataset.class!,
      value: Number((row as HTMLElement).dataset.value),
      text: row.querySelector('.bar-value')?.textContent ?? '',
    })),
  );
}
