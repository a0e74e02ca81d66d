/**
 * `Origin` check on every state-changing request (anything but GET, HEAD, OPTIONS). A web page can send
 * a "simple" cross-origin POST (form-encoded or text/plain, no CORS preflight) to any address, and the
 * browser does not stop the request, only the page's reading of the answer — too late for a request
 * that starts a job or writes a file. Browsers always name the sending page in `Origin` on such
 * requests, so: an `Origin` that is present and is neither an allowed origin (VS Code webviews, loopback
 * pages, configured ones) nor this server's own (same host and port as `Host`) → 403 JSON.
 *
 * No `Origin` (curl, scripts, SDKs) passes: those are not web pages acting for somebody else.
 * Requests `trusted(c)` accepts (the app passes "carries a valid token") pass too: a bearer token is no
 * ambient credential a foreign page could ride on.
 *
 * @example
 * app.use('*', originCheck({ corsOrigins: ['https://notebooks.example.org'] }));
 * // POST /api/export with Origin: https://evil.example → 403 {"error": "…"}
 */
import type { Context, MiddlewareHandler } from 'hono';
import { isAllowedOrigin } from '../../auth';

export interface OriginCheckOptions {
  /** Extra origins allowed exactly as browsers send them (`https://example.org`); the CORS list. */
  corsOrigins?: readonly string[];
  /** Requests that pass whatever their `Origin` (e.g. ones carrying a valid token). Default: none. */
  trusted?: (c: Context) => boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when `origin` names the same host and port the request was addressed to (the page came from here). */
export function isOwnOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (!hostHeader) return false;
  try {
    return new URL(origin).host === new URL(`http://${hostHeader.trim()}`).host;
  } catch {
    return false;
  }
}

export function originCheck(options: OriginCheckOptions = {}): MiddlewareHandler {
  const corsOrigins = options.corsOrigins ?? [];
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || SAFE_METHODS.has(c.req.method)) return next();
    if (isAllowedOrigin(origin, corsOrigins) || isOwnOrigin(origin, c.req.header('host')) || options.trusted?.(c)) return next();
    return c.json(
      {
        error:
          `${c.req.method} requests from web pages of other origins are refused (Origin '${origin.slice(0, 100)}'); ` +
          'call this server from its own UI, from VS Code, or without a browser (curl, a script); ' +
          'start it with --cors-origin <origin> to allow a page you trust',
      },
      403,
    );
  };
}
