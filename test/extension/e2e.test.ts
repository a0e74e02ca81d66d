/**
 * Route B, end to end as a user: the packaged VSIX is installed into code-server, the workbench opens
 * in Chromium on a folder holding the iris sample, and Playwright opens iris.onnx from the Explorer (→ the
 * custom editor), right-clicks it → "Open Model…", fills the form inside the lab panel's webview and
 * clicks Predict; then "Model Lab: Show Server Log" from the command palette. The prediction the
 * webview shows must be what the model's server answers to the very request the webview shows (sent
 * again from here with the same token).
 * Screenshot: .test-artifacts/extension-e2e.png.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame } from 'playwright-core';
import { DTYPE_OF_OIP, type ModelDescription, type OipInferRequest, type OipInferResponse } from '../../server/protocol/api';
import { decodePredictions, flatten, tensorFromValues } from '../../server/protocol/codec';
import { REPO_ROOT, startCodeServer, type CodeServer } from './harness/code-server';
import { explorerContextMenu, findFrame, openFromExplorer, runCommand } from './harness/palette';
import { buildProjectIfNeeded } from './harness/route-a';
import { packageVsix } from './harness/vsix';
import { openWorkbench, type Workbench } from './harness/workbench';
import { makeWorkspace } from './harness/workspace';

const ARTIFACTS = join(REPO_ROOT, '.test-artifacts');
/** A row of samples/iris/current.csv (its true species: versicolor). */
const ROW: Record<string, string> = { 'sepal length (cm)': '6.3', 'sepal width (cm)': '2.9', 'petal length (cm)': '5.9', 'petal width (cm)': '1.6' };

/** Headline and bars of the result, read from the data attributes the UI renders (exact values). */
async function shownPrediction(lab: Frame): Promise<{ outcome: string; bars: Record<string, number> }> {
  return lab.evaluate(() => {
    const result = document.querySelector('.result')!;
    const bars: Record<string, number> = {};
    for (const li of Array.from(result.querySelectorAll<HTMLElement>('.bar-row'))) bars[li.dataset.class!] = Number(li.dataset.value);
    return { outcome: result.querySelector<HTMLElement>('[data-outcome]')?.textContent ?? '', bars };
  });
}

/** Server origin and token from the curl command the UI shows (`curl … 'URL' -H 'Authorization: Bearer T'`). */
function parseCurl(curl: string): { origin: string; token: string | undefined } {
  const origin = /'(https?:\/\/[^']*?)\/v2\/models\//.exec(curl)?.[1];
  assert.ok(origin, `no OIP infer URL in the curl command the UI shows: ${curl}`);
  return { origin, token: /Authorization: Bearer ([^'"\s]+)/.exec(curl)?.[1] };
}

test('e2e: the installed VSIX serves iris in the lab panel and shows what the server predicts', { timeout: 420_000 }, async (t) => {
  rmSync(join(ARTIFACTS, 'extension-e2e-failure.png'), { force: true });
  buildProjectIfNeeded();
  const vsix = packageVsix();
  t.diagnostic(`VSIX ${(vsix.bytes / 1e6).toFixed(1)} MB, packaged in ${vsix.durationMs} ms`);
  const workspace = await makeWorkspace(['iris']);
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;
  try {
    const started = Date.now();
    server = await startCodeServer({ installVsix: [vsix.path] });
    workbench = await openWorkbench(server, { folder: workspace.dir });
    const { page } = workbench;
    const steps: string[] = [];
    const step = (name: string) => steps.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await page.locator('.monaco-workbench .part.editor').waitFor({ timeout: 60_000 });
    step('workbench');

    // The workbench can draw before the installed extension is registered: until then .onnx opens as
    // text and the Explorer menu has no Model Lab items. Its palette entry appearing means it is in.
    await runCommand(page, 'Model Lab: Show Server Log');
    step('extension registered');
    await openFromExplorer(page, ['iris'], 'iris.onnx');
    await findFrame(page, 'ul.bars[aria-label="Operators by count"]'); // only the overview custom editor draws this
    step('overview');
    await explorerContextMenu(page, 'iris.onnx', 'Open Model…');
    const lab = await findFrame(page, '.feature-form');
    step('lab panel');

    for (const [feature, value] of Object.entries(ROW)) await lab.getByRole('textbox', { name: feature, exact: true }).fill(value);
    const historyBefore = await lab.locator('.history-item').count();
    await lab.getByRole('button', { name: 'Predict', exact: true }).click();
    await lab.locator('.history-item').nth(historyBefore).waitFor({ timeout: 30_000 });
    const shown = await shownPrediction(lab);
    const request = JSON.parse(await lab.getByTestId('request-json').innerText()) as OipInferRequest;
    const curl = await lab.getByTestId('request-curl').innerText();
    // The panel's event stream (hot-reload notices) reaches the server too: the header says "Live".
    const connection = lab.locator('.connection');
    await connection.and(lab.locator('[data-status="live"]')).waitFor({ timeout: 20_000 }).catch(async () => {
      assert.fail(`the panel's event stream did not connect within 20 s (status: ${await connection.getAttribute('data-status')})`);
    });
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'extension-e2e.png') });
    step('prediction');

    // The request is the form's values, in feature order.
    assert.deepEqual(request.inputs.map((i) => i.data), [Object.values(ROW).map(Number)]);
    // Ask the model's server the same question, from outside VS Code, with the panel's token.
    const { origin, token } = parseCurl(curl);
    const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const model = (await (await fetch(`${origin}/api/model`, { headers: auth })).json()) as ModelDescription;
    const res = await fetch(origin + model.inferPath, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify(request) });
    assert.equal(res.status, 200, await res.clone().text());
    const body = (await res.json()) as OipInferResponse;
    const tensors = body.outputs.map((o) => tensorFromValues(o.name, DTYPE_OF_OIP[o.datatype], o.shape, flatten(o.data, o.shape.reduce((a, b) => a * b, 1), o.name)));
    const truth = decodePredictions(model.signature, tensors)[0]!;
    assert.equal(shown.outcome, String(truth.label));
    assert.deepEqual(Object.keys(shown.bars), Object.keys(truth.probabilities!));
    for (const [cls, p] of Object.entries(truth.probabilities!)) assert.ok(Math.abs(shown.bars[cls]! - p) < 1e-6, `P(${cls}) shown ${shown.bars[cls]} vs server ${p}`);
    // The palette reaches the extension too: "Show Server Log" shows the supervisor's log of this server.
    await runCommand(page, 'Model Lab: Show Server Log');
    // (Monaco renders spaces as U+00A0: \s matches both.)
    await page.locator('.part.panel .view-lines', { hasText: /ready\sat\shttp:\/\/127\.0\.0\.1:\d+/ }).waitFor({ timeout: 20_000 });
    step('server log');
    t.diagnostic(`code-server start → ${steps.join(' → ')}`);
    // The extension's private server is not open to anyone without the token.
    if (token) assert.equal((await fetch(origin + model.inferPath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) })).status, 401);
  } catch (err) {
    if (workbench) {
      mkdirSync(ARTIFACTS, { recursive: true });
      await workbench.page.screenshot({ path: join(ARTIFACTS, 'extension-e2e-failure.png') }).catch(() => undefined);
    }
    throw new Error(`${(err as Error).stack ?? String(err)}\n(screenshot: .test-artifacts/extension-e2e-failure.png)\ncode-server output (tail):\n${server?.output().slice(-3000) ?? ''}`);
  } finally {
    await workbench?.close();
    await server?.close();
    await workspace.remove();
  }
});
