/**
 * The browser face: `GET /` (the UI page, nonce-based CSP), `GET /assets/{file}` (the built bundle, and
 * the page's icon `favicon.svg`), `GET /api/model` (ModelDescription) and `GET /api/events` (server-sent lifecycle events).
 */
import { randomBytes } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ModelDescription, ServerEvent } from '../../protocol/api';
import { renderUiPage, uiContentSecurityPolicy } from '../../protocol/ui-page';
import { EVENTS_READY } from '../../protocol/ui-page-config';
import { shareSafeDescription, shareSafeEvent } from '../share-view';
import { HttpError, type RouteContext } from './common';
import { escapeHtml } from '../../protocol/html';
import { FAVICON_FILE, FAVICON_SVG } from './ui-favicon';

/** Extensions the asset route serves, with their content types; anything else is 404. */
const ASSET_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.json': 'application/json; charset=utf-8',
};

/** A plain file name: no separators, no leading dot (so no `..`, no dotfiles). */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

export interface UiRouteOptions {
  /** Folder of the built UI bundle (`dist/webview`): `main.js`, `main.css`. May not exist. */
  uiAssetsDir: string | undefined;
  /** When each model generation started serving (filled by the app from `model-loaded` events). */
  loadedAt(generation: number): string;
  /** False when the app has no lab routes (the exported server): no owner sees the lab tabs. Default true. */
  labTabs?: boolean;
}

/** The page shown when the UI bundle was not built: says how to build it, and where the API is. */
function missingBundlePage(nonce: string, name: string, dir: string | undefined): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(name)} — Model Lab</title>
<link rel="icon" type="image/svg+xml" href="assets/${FAVICON_FILE}">
<style nonce="${nonce}">body{font:15px/1.5 system-ui,sans-serif;max-width:44rem;margin:3rem auto;padding:0 1rem}
code{background:#8882;padding:0 .3em}</style></head>
<body><h1>Model Lab is serving <code>${escapeHtml(name)}</code></h1>
<p>The web UI bundle was not found${dir ? ` in <code>${escapeHtml(dir)}</code>` : ''}. Build it with <code>npm run build</code>
(it writes <code>dist/webview/main.js</code> and <code>main.css</code>), then reload this page.</p>
<p>The prediction API works without it: see <a href="/docs">/docs</a> and <a href="/openapi.json">/openapi.json</a>.</p></body></html>`;
}

async function fileExists(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

export function uiRoutes(ctx: RouteContext, options: UiRouteOptions): Hono {
  const app = new Hono();

  app.get('/', async (c) => {
    const nonce = randomBytes(18).toString('base64');
    const name = ctx.host.current().info.name;
    const csp = uiContentSecurityPolicy({ nonce, cspSource: "'self'", serverOrigin: '' });
    c.header('Content-Security-Policy', csp);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'no-store');
    const dir = options.uiAssetsDir;
    if (!dir || !(await fileExists(join(dir, 'main.js')))) return c.html(missingBundlePage(nonce, name, dir));
    return c.html(
      renderUiPage({
        // The valid token the page was opened with (a share link's, or the owner's from the URL
        // `model-lab serve` printed): the UI sends it on every call, so the owner's lab tabs work.
        scriptUri: 'assets/main.js',
        styleUri: 'assets/main.css',
        nonce,
        cspSource: "'self'",
        serverOrigin: '',
        token: c.get('token'),
        labTabs: options.labTabs !== false && c.get('caller') === 'owner',
        title: `${name} — Model Lab`,
        // Relative, like the bundle's URLs: it resolves under a proxy's path prefix too.
        faviconUri: `assets/${FAVICON_FILE}`,
      }),
    );
  });

  app.get('/assets/:file', async (c) => {
    const file = c.req.param('file');
    if (file === FAVICON_FILE) {
      c.header('Content-Type', ASSET_TYPES['.svg']);
      c.header('X-Content-Type-Options', 'nosniff');
      c.header('Cache-Control', 'public, max-age=86400');
      return c.body(FAVICON_SVG);
    }
    const type = ASSET_TYPES[extname(file).toLowerCase()];
    const dir = options.uiAssetsDir;
    const notFound = () => new HttpError(404, `asset '${file}' not found; assets are the files of the built UI bundle (npm run build)`);
    if (!dir || !ASSET_NAME.test(file) || !type) throw notFound();
    // realpath on both sides: a symlink inside the folder must not lead outside it.
    const [root, path] = await Promise.all([realpath(dir).catch(() => null), realpath(join(dir, file)).catch(() => null)]);
    if (!root || !path || path !== join(root, file) || !(await fileExists(path))) throw notFound();
    c.header('Content-Type', type);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-cache');
    return c.body(new Uint8Array(await readFile(path)));
  });

  app.get('/api/model', (c) => {
    const model = ctx.host.current();
    const generation = ctx.host.generation();
    const description: ModelDescription = {
      info: model.info,
      signature: model.signature,
      reference: model.reference,
      inferPath: `/v2/models/${encodeURIComponent(model.info.name)}/infer`,
      batching: ctx.host.batching(),
      loadedAt: options.loadedAt(generation),
      generation,
    };
    return c.json(c.get('caller') === 'share' ? shareSafeDescription(description) : description);
  });

  app.get('/api/events', (c) =>
    withNoTransform(
      streamSSE(c, async (stream) => {
        const shown = c.get('caller') === 'share' ? shareSafeEvent : (event: ServerEvent) => event;
        // Queue live events while the replay is written, so none is lost or reordered.
        const queue: ServerEvent[] = [];
        let wake: (() => void) | undefined;
        const unsubscribe = ctx.host.onEvent((event) => {
          queue.push(event);
          wake?.();
        });
        const heartbeat = setInterval(() => {
          stream.write(': heartbeat\n\n').catch(() => undefined);
        }, ctx.sseHeartbeatMs);
        let closed = false;
        stream.onAbort(() => {
          closed = true;
          wake?.();
        });
        const write = (event: ServerEvent) => stream.writeSSE({ event: event.type, id: event.at, data: JSON.stringify(shown(event)) });
        try {
          // A reconnecting EventSource sends the id (time) of the last event it got: replay only what it missed.
          const lastSeen = c.req.header('Last-Event-ID') ?? '';
          for (const event of ctx.host.recentEvents()) if (event.at > lastSeen) await write(event);
          // Everything before this marker happened before the page connected (history, not news).
          await stream.writeSSE({ event: EVENTS_READY, data: '{}' });
          while (!closed) {
            const event = queue.shift();
            if (event) await write(event);
            else
              await new Promise<void>((resolve) => {
                wake = resolve;
              });
            wake = undefined;
          }
        } finally {
          clearInterval(heartbeat);
          unsubscribe();
        }
      }),
    ),
  );
  return app;
}

/**
 * `no-transform` keeps compressing proxies from buffering the event stream: code-server's port proxy
 * (which VS Code for the web uses for the lab panel) gzips whatever it may, and would hold every event
 * back until a compression block fills. streamSSE sets `no-cache` itself, so this is set afterwards.
 */
function withNoTransform(response: Response): Response {
  response.headers.set('Cache-Control', 'no-cache, no-transform');
  return response;
}
