/**
 * `Host` header allowlist against DNS rebinding: a hostile name that resolves to 127.0.0.1 makes the
 * browser treat this server as that name's own origin (no CORS in the way), but the browser still sends
 * the hostile name in `Host`. So only names that can only mean this machine pass — `localhost` (and
 * `*.localhost`), any `127.x.y.z`, `[::1]` — plus what the owner opted into (the LAN address when the
 * server listens on 0.0.0.0, a name given with `--allow-host`). Any port. Anything else → 403 JSON.
 *
 * Two exceptions, both harmless under DNS rebinding:
 * - requests `trusted(c)` accepts — the app passes "carries a valid token": the attacking page has none,
 *   while a share link or the lab panel reached through a proxy or a forwarded port (which keep their
 *   own name in `Host`) does;
 * - `/assets/*`, the public UI bundle (a `<script src>` cannot carry a token, and it holds no secret).
 *
 * @example
 * app.use('*', hostCheck({ allowedHosts: ['192.168.1.20'], trusted: (c) => c.get('caller') !== 'anonymous' }));
 * // Host: localhost:8080 → next(); Host: evil.example:8080 → 403 {"error": "…"}
 */
import type { Context, MiddlewareHandler } from 'hono';

export interface HostCheckOptions {
  /**
   * Extra host names or addresses accepted besides loopback (no port; IPv6 with or without brackets),
   * or `'any'` to turn the check off (an exported bundle behind a Service or an ingress whose names
   * cannot be known in advance). Default: loopback only.
   */
  allowedHosts?: readonly string[] | 'any';
  /** Requests that pass whatever their `Host` (e.g. ones carrying a valid token). Default: none. */
  trusted?: (c: Context) => boolean;
}

const LOOPBACK_V4 = /^127(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The host name of a `Host` header value, lower-case, without port, brackets or a trailing dot. */
export function hostnameOf(hostHeader: string): string {
  const value = hostHeader.trim().toLowerCase();
  const name = value.startsWith('[')
    ? value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'))
    : value.replace(/:\d*$/, '');
  return name.replace(/\.$/, '');
}

/** True for names that only ever mean this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || LOOPBACK_V4.test(hostname) || hostname === '::1';
}

const normalizeAllowed = (name: string): string => hostnameOf(name.includes(':') && !name.startsWith('[') ? `[${name}]` : name);

/**
 * The check itself: true when a `Host` header value (undefined when absent) names this machine or an
 * allowed name. Also used by the prediction fast path (server/serve/fast-path.ts), which must accept
 * exactly what this middleware accepts.
 */
export function hostAccepted(allowedHosts: HostCheckOptions['allowedHosts']): (header: string | undefined) => boolean {
  if (allowedHosts === 'any') return () => true;
  const extra = new Set((allowedHosts ?? []).map(normalizeAllowed));
  return (header) => {
    const hostname = header === undefined ? '' : hostnameOf(header);
    return hostname !== '' && (isLoopbackHost(hostname) || extra.has(hostname));
  };
}

export function hostCheck(options: HostCheckOptions = {}): MiddlewareHandler {
  const any = options.allowedHosts === 'any';
  const accepted = hostAccepted(options.allowedHosts);
  return async (c, next) => {
    if (any || c.req.path.startsWith('/assets/') || options.trusted?.(c)) return next();
    const header = c.req.header('host');
    if (accepted(header)) return next();
    return c.json(
      {
        // The names accepted besides loopback are not listed: the page that sent this must not learn the LAN address.
        error:
          'this server only answers requests addressed to this machine (localhost, 127.0.0.1, [::1]) or to a name its owner allowed; ' +
          (`the Host header '${(header ?? '(none)').slice(0, 100)}' is not one of them. Start the ` +
            `server with --allow-host <name> to accept another name`),
      },
      403,
    );
  };
}
