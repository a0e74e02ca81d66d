/**
 * The prediction fast path: `POST /v2/models/{model}/infer`, `POST /v1/models/{model}:predict` and
 * `POST /invocations` answered straight from the node:http request, before Hono. Per request Hono and
 * its Node adapter build a Request, a Context, a middleware chain of promises (metrics, CORS and token,
 * Host, Origin) and convert the Response back; for a one-row prediction that was about a tenth of the
 * server's own time.
 *
 * It takes only the requests for which every middleware in front of these routes would simply pass:
 * POST to exactly one of the three paths (no query string, no percent-encoding, no dot segment), no
 * `Origin` and no `Authorization` header (so no CORS headers and no token to classify), share mode off,
 * and a `Host` the Host check accepts (written in the form the Node adapter takes without rebuilding the
 * URL). Anything else — and every refusal — goes to Hono, which answers as always. The route handlers,
 * the error answers (`errorAnswer` in app.ts) and the metrics are the app's own, so both paths answer
 * alike; test/serve/fast-path.test.ts sends the same good and bad requests to both and compares.
 *
 * @example
 * const fast = fastPathOf(app);
 * createServer(withFastPath(fast, getRequestListener(app.fetch)));
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { JsonResponseParts, RouteContext } from './routes/common';
import { OIP_INFER_ROUTE } from './routes/oip';
import { V1_POST_ROUTE } from './routes/v1';

/** A prediction route's handler: its 200 answer's text and headers (written as they are), or a throw. */
type Handler = (c: Context) => Promise<JsonResponseParts>;

export interface FastPathOptions {
  ctx: RouteContext;
  /** True while requests need a token (auth.ts): then everything goes through Hono's token check. */
  shareMode: () => boolean;
  /** The Host check's verdict on a `Host` header value (middleware/host-check). */
  hostAccepted: (header: string | undefined) => boolean;
  /** The app's answer to an error (the same as `app.onError`'s). */
  answerError: (err: Error, method: string, path: string) => { status: ContentfulStatusCode; body: { error: string } };
  /** The app's handlers of the three routes. */
  routes: { oip: Handler; v1: Handler; mlflow: Handler };
}

/** Answers the request and returns true, or returns false (having touched nothing) to leave it to Hono. */
export type FastPath = (req: IncomingMessage, res: ServerResponse) => boolean;

/** A path segment the Node adapter and Hono leave as it is: no `%`, `/`, `?`, `#`, and not `.` or `..`. */
const SEGMENT = /^[A-Za-z0-9_~!$&'()*+,;=@:.-]+$/;
/** Hosts @hono/node-server puts into the request URL without parsing it (its `reValidHost`). */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

const OIP_PREFIX = '/v2/models/';
const OIP_SUFFIX = '/infer';
const V1_PREFIX = '/v1/models/';

/** Which route a request line's target is, and its path parameter; undefined → not one of the three. */
function routeOf(url: string): { route: string; handler: keyof FastPathOptions['routes']; param?: [string, string] } | undefined {
  if (url === '/invocations') return { route: '/invocations', handler: 'mlflow' };
  if (url.startsWith(OIP_PREFIX) && url.endsWith(OIP_SUFFIX)) {
    const model = url.slice(OIP_PREFIX.length, url.length - OIP_SUFFIX.length);
    if (!SEGMENT.test(model) || model === '.' || model === '..') return undefined;
    return { route: OIP_INFER_ROUTE, handler: 'oip', param: ['model', model] };
  }
  if (url.startsWith(V1_PREFIX)) {
    const target = url.slice(V1_PREFIX.length);
    if (!SEGMENT.test(target) || target === '.' || target === '..') return undefined;
    return { route: V1_POST_ROUTE, handler: 'v1', param: ['target', target] };
  }
  return undefined;
}

const isHttpWhitespace = (code: number): boolean => code === 9 || code === 10 || code === 13 || code === 32;

/** Tab, LF, CR and space off both ends (what the Node adapter trims; String.prototype.trim takes more). */
function trimHttpWhitespace(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isHttpWhitespace(value.charCodeAt(start))) start++;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** True when a raw header name, in any case, is `lower` (compared without making a lower-case copy when the lengths differ). */
const isField = (field: string, lower: string): boolean => field.length === lower.length && field.toLowerCase() === lower;

/**
 * A header as Hono's `c.req.header(name)` reads it through the Node adapter: every field of that name
 * (any case), outer whitespace trimmed, joined with ", "; undefined when absent.
 */
function headerOf(raw: string[], name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i];
    if (isField(field, name)) {
      const v = trimHttpWhitespace(raw[i + 1]);
      value = value === undefined ? v : `${value}, ${v}`;
    }
  }
  return value;
}

/** What the route handlers read of a Hono Context's request: headers, the path parameter, the path (methods, not closures per request). */
class FastRequest {
  readonly method = 'POST';
  constructor(
    private readonly raw: string[],
    readonly path: string,
    private readonly paramName: string | undefined,
    private readonly paramValue: string | undefined,
  ) {}

  header(name: string): string | undefined {
    return headerOf(this.raw, name.toLowerCase());
  }

  param(name: string): string | undefined {
    return name === this.paramName ? this.paramValue : undefined;
  }
}

/** The part of a Hono Context the three route handlers use. */
function contextFor(req: IncomingMessage, path: string, param: [string, string] | undefined): Context {
  return { req: new FastRequest(req.rawHeaders, path, param?.[0], param?.[1]), env: { incoming: req } } as unknown as Context;
}

export function createFastPath(options: FastPathOptions): FastPath {
  const { ctx, routes } = options;
  return (req, res) => {
    if (req.method !== 'POST') return false;
    const url = req.url ?? '';
    const found = routeOf(url);
    if (!found || options.shareMode()) return false;
    const raw = req.rawHeaders;
    let host: string | undefined;
    let hosts = 0;
    for (let i = 0; i < raw.length; i += 2) {
      const field = raw[i];
      if (isField(field, 'origin') || isField(field, 'authorization')) return false;
      if (isField(field, 'host')) {
        host = raw[i + 1];
        hosts++;
      }
    }
    if (hosts !== 1 || host === undefined || !PLAIN_HOST.test(host) || !options.hostAccepted(host)) return false;
    answer(res, found.route, routes[found.handler], contextFor(req, url, found.param)).catch(() => {
      // Only writing can fail here (every handler error became an answer): the connection is unusable.
      res.destroy();
    });
    return true;
  };

  async function answer(res: ServerResponse, route: string, handler: Handler, c: Context): Promise<void> {
    const started = performance.now();
    let status = 200;
    let text: string;
    let headers: Record<string, string>;
    let binary: Uint8Array | undefined;
    try {
      ({ text, headers, binary } = await handler(c));
    } catch (err) {
      const answer = options.answerError(err instanceof Error ? err : new Error(String(err)), 'POST', c.req.path);
      status = answer.status;
      text = JSON.stringify(answer.body);
      headers = { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' };
    }
    const labels = { route, method: 'POST', status: String(status) };
    ctx.metrics.httpRequests.child(labels).value++;
    ctx.metrics.httpSeconds.child(labels).observe((performance.now() - started) / 1000);
    if (res.headersSent || res.destroyed) return;
    headers['Content-Length'] = String(Buffer.byteLength(text) + (binary?.length ?? 0));
    res.writeHead(status, headers);
    if (binary) {
      res.write(text);
      res.end(binary);
    } else res.end(text);
  }
}

/** A node:http listener: the fast path first, then Hono's listener for everything it leaves. */
export function withFastPath(
  fast: FastPath | undefined,
  listener: (req: IncomingMessage, res: ServerResponse) => unknown,
): (req: IncomingMessage, res: ServerResponse) => void {
  if (!fast) return listener;
  return (req, res) => {
    if (!fast(req, res)) void listener(req, res);
  };
}
