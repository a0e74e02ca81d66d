/**
 * Route B, end to end as a user: the packaged VSIX is installed into code-server, the workbench opens
 * in Chromium on a folder holding the iris sample, and Playwright opens iris.onnx from the Explorer (→ the
 * custom editor), right-clicks it → "Open Model…", fills the form inside the lab panel's webview and
 * clicks Predict; then "Model Lab: Show Server Log" from the command palette. The prediction the
 * webview shows must be what the model's server answers to the very request the webview shows (sent
 * again from here with the same token). Then, from the Explorer, "Export Deployment Bundle…" on the
 * diabetes sample with every target (the quick pick's defaults) into the folder the dialog offers: the
 * installed extension alone (no repository: the VSIX is copied to a temp folder, the workspace is a temp
 * folder, no NODE_PATH) must write a bundle whose MANIFEST.json checks all pass.
 * Screenshot: .test-artifacts/extension-e2e.png.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
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
const ROW: Record<string, string> = {
  'sepal length (cm)': '6.3',
  'sepal width (cm)': '2.9',
  'petal length (cm)': '5.9',
  'petal width (cm)': '1.6',
};

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

test(
  'e2e: the installed VSIX serves iris in the lab panel, shows what the server predicts, and exports every target',
  { timeout: 600_000 },
  async (t) => {
    rmSync(join(ARTIFACTS, 'extension-e2e-failure.png'), { force: true });
    buildProjectIfNeeded();
    const vsix = packageVsix();
    t.diagnostic(`VSIX ${(vsix.bytes / 1e6).toFixed(1)} MB, packaged in ${vsix.durationMs} ms`);
    // Nothing of the repository: the VSIX from a temp folder, the samples copied into a temp workspace.
    const vsixDir = mkdtempSync(join(tmpdir(), 'model-lab-vsix-'));
    const vsixCopy = join(vsixDir, 'model-lab.vsix');
    copyFileSync(vsix.path, vsixCopy);
    const workspace = await makeWorkspace(['iris', 'diabetes']);
    let server: CodeServer | undefined;
    let workbench: Workbench | undefined;
    try {
      const started = Date.now();
      server = await startCodeServer({ installVsix: [vsixCopy] });
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
      await connection
        .and(lab.locator('[data-status="live"]'))
        .waitFor({ timeout: 20_000 })
        .catch(async () => {
          assert.fail(`the panel's event stream did not connect within 20 s (status: ${await connection.getAttribute('data-status')})`);
        });
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'extension-e2e.png') });
      step('prediction');

      // The request is the form's values, in feature order.
      assert.deepEqual(
        request.inputs.map((i) => i.data),
        [Object.values(ROW).map(Number)],
      );
      // Ask the model's server the same question, from outside VS Code, with the panel's token.
      const { origin, token } = parseCurl(curl);
      const auth: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      const model = (await (await fetch(`${origin}/api/model`, { headers: auth })).json()) as ModelDescription;
      const res = await fetch(origin + model.inferPath, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify(request),
      });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as OipInferResponse;
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
      const truth = decodePredictions(model.signature, tensors)[0];
      assert.equal(shown.outcome, String(truth.label));
      assert.deepEqual(Object.keys(shown.bars), Object.keys(truth.probabilities!));
      for (const [cls, p] of Object.entries(truth.probabilities!))
        assert.ok(Math.abs(shown.bars[cls] - p) < 1e-6, `P(${cls}) shown ${shown.bars[cls]} vs server ${p}`);
      // The palette reaches the extension too: "Show Server Log" shows the supervisor's log of this server.
      await runCommand(page, 'Model Lab: Show Server Log');
      // (Monaco renders spaces as U+00A0: \s matches both.)
      await page.locator('.part.panel .view-lines', { hasText: /ready\sat\shttp:\/\/127\.0\.0\.1:\d+/ }).waitFor({ timeout: 20_000 });
      step('server log');
      t.diagnostic(`code-server start → ${steps.join(' → ')}`);
      // The extension's private server is not open to anyone without the token.
      if (token)
        assert.equal(
          (
            await fetch(origin + model.inferPath, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(request),
            })
          ).status,
          401,
        );

      // Export every target from the installed extension: Explorer → "Export Deployment Bundle…", the
      // target quick pick as offered (all picked on a first export), the folder the dialog opens on.
      await openFromExplorer(page, ['diabetes'], 'diabetes.onnx');
      await explorerContextMenu(page, 'diabetes.onnx', 'Export Deployment Bundle…');
      await exportThroughDialogs(page);
      const bundle = join(workspace.dir, 'diabetes', 'diabetes-bundle');
      const manifestPath = join(bundle, 'MANIFEST.json');
      const deadline = Date.now() + 180_000;
      while (!existsSync(manifestPath) && Date.now() < deadline) await page.waitForTimeout(500);
      assert.ok(existsSync(manifestPath), `no ${manifestPath} within 180 s`);
      step('export');
      const manifestText = readFileSync(manifestPath, 'utf8');
      const manifest = JSON.parse(manifestText) as { checks: { target: string; name: string; status: string; detail?: string }[] };
      assert.deepEqual(
        manifest.checks.filter((c) => c.status !== 'pass' && c.status !== 'skipped'),
        [],
        'every check passed (or was skipped: no Docker engine)',
      );
      assert.deepEqual([...new Set(manifest.checks.map((c) => c.target))].sort(), ['docker', 'k8s', 'kserve', 'onnx', 'tfjs', 'triton']);
      assert.ok(!manifestText.includes(REPO_ROOT), 'nothing in the export came from the repository');
      for (const f of ['Dockerfile', 'server/index.js', 'server/package-lock.json'])
        assert.ok(existsSync(join(bundle, f)), `bundle has ${f}`);
      t.diagnostic(`export checks: ${manifest.checks.map((c) => `${c.target}/${c.name} ${c.status}`).join(', ')}`);
    } catch (err) {
      if (workbench) {
        mkdirSync(ARTIFACTS, { recursive: true });
        await workbench.page.screenshot({ path: join(ARTIFACTS, 'extension-e2e-failure.png') }).catch(() => undefined);
      }
      throw new Error(
        `${(err as Error).stack ?? String(err)}\n(screenshot: ` +
          `.test-artifacts/extension-e2e-failure.png)\ncode-server output (tail):\n${server?.output().slice(-3000) ?? ''}`,
      );
    } finally {
      await workbench?.close();
      await server?.close();
      await workspace.remove();
      rmSync(vsixDir, { recursive: true, force: true });
    }
  },
);

/**
 * The export's two dialogs as a person answers them: Enter on the target quick pick (every target is
 * picked on a first export), then accept the folder the simple file dialog (VS Code for the web) opens on.
 */
async function exportThroughDialogs(page: Page): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const title = page.locator('.quick-input-widget .quick-input-title');
  await title.filter({ hasText: 'targets' }).waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await title
    .filter({ hasText: /targets/ })
    .waitFor({ state: 'hidden', timeout: 10_000 })
    .catch(() => undefined);
  // The folder dialog: its input holds the folder (…/diabetes/); accepting it picks that folder.
  await page.waitForFunction(
    () => (document.querySelector<HTMLInputElement>('.quick-input-widget input')?.value ?? '').includes('diabetes'),
    undefined,
    { timeout: 30_000 },
  );
  for (let attempt = 0; attempt < 3 && (await input.isVisible()); attempt++) {
    const ok = page.locator('.quick-input-widget .monaco-button', { hasText: 'Export here' });
    if (await ok.isVisible().catch(() => false)) await ok.click();
    else await page.keyboard.press('Enter');
    await page.waitForTimeout(1_500);
  }
}
