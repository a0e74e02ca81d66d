/**
 * The HTML shell of the UI, shared by the server (`GET /`) and the VS Code extension (webview panel).
 * It lives in server/protocol/ because both hosts render it: server/ must not import webview/, and
 * server/protocol/ is the one folder every face may import.
 *
 * Runs in Node: no DOM. The page carries no inline script or style besides the nonce'd bundle, so the
 * CSP can forbid everything else; the bundle reads its config from a `<meta>` tag rather than a global.
 * The toolkit's FAST utilities probe `:focus-visible` support with a `<style>` element and take its nonce
 * from `<meta property="csp-nonce">`; that is why `style-src` carries the nonce.
 *
 * @example
 * renderUiPage({ scriptUri: '/assets/main.js', styleUri: '/assets/main.css', nonce: randomNonce(),
 *   cspSource: "'self'", serverOrigin: '', title: 'flights — Model Lab' });
 */
import { CONFIG_META_NAME, type UiConfig } from './ui-page-config';
import { escapeHtml } from './html';

export interface UiPageOptions {
  /** URL of `dist/webview/main.js` as the page can load it (`/assets/main.js`, or an `asWebviewUri`). */
  scriptUri: string;
  /** URL of `dist/webview/main.css`. */
  styleUri: string;
  /** Fresh random value per response; only the script carrying it may run. */
  nonce: string;
  /** Where stylesheets, images and fonts may come from: `webview.cspSource`, or `'self'` on the server. */
  cspSource: string;
  /** Origin the UI fetches from; `''` means same origin. */
  serverOrigin: string;
  /** Bearer token to send with every request, when the server requires one. */
  token?: string;
  /** False to leave out the lab tabs (performance, drift, export): the caller is not the owner. Default true. */
  labTabs?: boolean;
  /** URL of the page's icon (the server's `assets/favicon.svg`); left out when absent (the VS Code panel has its own). */
  faviconUri?: string;
  title: string;
}

/** Escapes text for a text node or a double-quoted attribute (every attribute here is double-quoted). */

/** Nonces go inside CSP source expressions; only base64 characters are meaningful there. */
function checkNonce(nonce: string): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) {
    throw new Error('renderUiPage: nonce must be at least 16 base64/url-safe characters (e.g. randomBytes(16).toString("base64"))');
  }
  return nonce;
}

/** Builds the Content-Security-Policy for the page. */
export function uiContentSecurityPolicy(options: Pick<UiPageOptions, 'nonce' | 'cspSource' | 'serverOrigin'>): string {
  const nonce = checkNonce(options.nonce);
  const { cspSource } = options;
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `img-src ${cspSource} data: blob:`,
    `font-src ${cspSource}`,
    `connect-src ${options.serverOrigin || "'self'"}`,
  ].join('; ');
}

/** The full HTML document for the UI. */
export function renderUiPage(options: UiPageOptions): string {
  const csp = uiContentSecurityPolicy(options);
  const config: UiConfig = { serverOrigin: options.serverOrigin };
  if (options.token) config.token = options.token;
  if (options.labTabs === false) config.labTabs = false;
  const nonce = escapeHtml(options.nonce);
  const icon = options.faviconUri ? `<link rel="icon" type="image/svg+xml" href="${escapeHtml(options.faviconUri)}">\n` : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="${CONFIG_META_NAME}" content="${escapeHtml(JSON.stringify(config))}">
<meta property="csp-nonce" content="${nonce}">
<title>${escapeHtml(options.title)}</title>
${icon}<link rel="stylesheet" href="${escapeHtml(options.styleUri)}" nonce="${nonce}">
</head>
<body>
<div id="app" class="app"><p class="boot-message">Loading Model Lab…</p></div>
<noscript>Model Lab needs JavaScript to show the prediction form.</noscript>
<script nonce="${nonce}" src="${escapeHtml(options.scriptUri)}"></script>
</body>
</html>
`;
}
