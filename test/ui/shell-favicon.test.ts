/**
 * The page's icon: served by the app at `assets/favicon.svg` (200, image/svg+xml, no script in it), linked
 * by the page relative to its folder, so it also loads behind a path-based proxy — checked in chromium as
 * an image under the page's CSP (`img-src`), the way the browser loads a favicon.
 */
import assert from 'node:assert/strict';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { buildUiBundle, launchBrowser, startUiServer, watchPageProblems, type TestBrowser, type TestServer } from '../helpers/browser';

/** Forwards /sub/<path> to the target's /<path>, as code-server's /proxy/PORT/ does. */
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

describe('favicon', () => {
  let bundle: Awaited<ReturnType<typeof buildUiBundle>>;
  let server: TestServer;
  let unbuilt: TestServer;
  let proxy: Awaited<ReturnType<typeof startPathProxy>>;
  let browser: TestBrowser;
  before(async () => {
    bundle = await buildUiBundle();
    server = await startUiServer('samples/iris/iris.onnx', { referenceCsv: 'samples/iris/reference.csv', uiAssetsDir: bundle.dir });
    unbuilt = await startUiServer('samples/iris/iris.onnx', { uiAssetsDir: join(tmpdir(), 'model-lab-no-such-bundle') });
    proxy = await startPathProxy(server.url);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await proxy?.close();
    await server?.close();
    await unbuilt?.close();
    await bundle?.remove();
  });

  it('is served as an SVG image without a token, and holds no script', async () => {
    for (const base of [server.url, unbuilt.url]) {
      const res = await fetch(`${base}/assets/favicon.svg`);
      assert.equal(res.status, 200, base);
      assert.equal(res.headers.get('content-type'), 'image/svg+xml');
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      const svg = await res.text();
      assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.doesNotMatch(svg, /<script|href=|url\(/i);
    }
  });

  it('is linked by the UI page and by the page shown when the bundle is not built', async () => {
    for (const base of [server.url, unbuilt.url]) {
      const html = await (await fetch(`${base}/`)).text();
      assert.match(html, /<link rel="icon" type="image\/svg\+xml" href="assets\/favicon\.svg">/, base);
    }
  });

  it('loads in chromium under the page CSP, behind a path prefix', async () => {
    const page = await browser.context.newPage();
    const problems = watchPageProblems(page);
    await page.goto(`${proxy.url}?token=${server.ownerToken}`);
    await page.locator('.feature-form').waitFor();
    const icon = await page.evaluate<{ href: string; width: number }>(`(async () => {
      const href = document.querySelector('link[rel="icon"]').href;
      const img = new Image();
      img.src = href;
      await img.decode();
      return { href, width: img.naturalWidth };
    })()`);
    assert.equal(icon.href, `${proxy.url}assets/favicon.svg`);
    assert.equal(icon.width, 32);
    assert.deepEqual(problems, []);
    await page.close();
  });
});
