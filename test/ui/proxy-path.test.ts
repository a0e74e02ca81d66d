// The UI behind a path-based proxy (code-server's /proxy/PORT/, a reverse proxy's /model-lab/): assets,
// API calls, events and predictions must resolve against the page's folder, not the host root.
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { labMessage, ShowTabNotification } from '../../webview/lab-panel-messages';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

/** Forwards /sub/<path> to the target's /<path>; anything else is a 404, as a real path proxy would do. */
function startPathProxy(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    if (!req.url?.startsWith('/sub/')) {
      res.writeHead(404).end('not under /sub/');
      return;
    }
    const forward = request(
      { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url.slice(4), headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forward.on('error', () => res.writeHead(502).end());
    req.pipe(forward);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sub/`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      }),
    ),
  );
}

describe('UI behind a path-based proxy', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let proxy: Awaited<ReturnType<typeof startPathProxy>>;
  let browser: TestBrowser;
  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/iris/iris.onnx', { referenceCsv: 'samples/iris/reference.csv', uiAssetsDir: bundle.dir });
    proxy = await startPathProxy(server.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await bundle?.remove();
  });

  it('loads, goes live and predicts with every request under /sub/', async () => {
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    const outsideSub: string[] = [];
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (!u.pathname.startsWith('/sub/')) outsideSub.push(u.pathname);
    });
    await page.goto(`${proxy.url}?token=${server.ownerToken}`);
    await page.locator('.feature-form').waitFor();
    await page.getByText('Live').waitFor();
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    await page.locator('.history-item').first().waitFor();
    assert.match(await page.locator('.history-item').first().innerText(), /setosa|versicolor|virginica/);
    assert.deepEqual(outsideSub, [], 'no request escaped the proxy prefix');
    // The VS Code host selects a tab by message ("Compare Latency & Compression" → Performance).
    const activeTab = () => page.locator('vscode-panels').evaluate((el) => (el as HTMLElement & { activeid: string }).activeid);
    // An id the UI does not know is dropped (not an error); then a real one selects its tab.
    const unknownTab = { method: ShowTabNotification.method, params: { id: 'no-such-tab' } };
    await page.evaluate((message) => window.postMessage(message, '*'), unknownTab);
    await page.evaluate((message) => window.postMessage(message, '*'), labMessage(ShowTabNotification, { id: 'perf' }));
    await page.waitForFunction(
      () => (document.querySelector('vscode-panels') as HTMLElement & { activeid: string }).activeid === 'tab-perf',
    );
    assert.equal(await activeTab(), 'tab-perf');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
