/**
 * Requests with a body (POST, PUT, PATCH) to the JSON job routes must say `Content-Type: application/json`
 * (or `…+json`), else 415 JSON. A web page can only send a cross-origin request without a CORS preflight
 * when its type is form-encoded, multipart or text/plain, or when it sends none: refusing those here
 * means no page can reach these routes without the browser asking first (and the CORS check refusing).
 *
 * @example
 * app.use('/api/*', requireJsonBody());
 * // POST /api/export with no Content-Type → 415 {"error": "…"}
 */
import type { MiddlewareHandler } from 'hono';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** True for `application/json` and `application/<anything>+json`, parameters ignored; false when absent. */
export function isStrictJsonType(contentType: string | undefined): boolean {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

export function requireJsonBody(): MiddlewareHandler {
  return async (c, next) => {
    if (!BODY_METHODS.has(c.req.method) || isStrictJsonType(c.req.header('content-type'))) return next();
    const sent = c.req.header('content-type');
    return c.json(
      {
        error:
          `${sent ? `Content-Type '${sent.slice(0, 100)}'` : 'a missing Content-Type'} is not accepted here; ` +
          "send the body as JSON with 'Content-Type: application/json'",
      },
      415,
    );
  };
}
