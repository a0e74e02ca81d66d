/**
 * Access control for shared prototype links, and CORS for the VS Code webview.
 *
 * - **Share tokens** are 256-bit random values (`randomBytes(32)`, base64url), kept only as SHA-256
 *   digests, compared with `timingSafeEqual` against every live token (no early exit), each with an
 *   expiry (or none) and an id by which it is revoked.
 * - **Share mode** is on when the server was started with `requireToken`, or as soon as one token has
 *   been minted (a server that was ever shared stays locked). In share mode every request needs
 *   `Authorization: Bearer <token>` or `?token=<token>` (EventSource cannot send headers), except the
 *   health routes (`/v2/health/live|ready`: probes carry no secrets) and `/assets/*` (the public UI
 *   bundle, which a `<script src>` cannot authenticate). Anything else → 401 `{"error": …}`.
 * - **Admin credential** = the owner token: only the process that started the server knows it (the VS
 *   Code extension passes it in the environment, read once and deleted; `createApp` makes a random one
 *   when none is given). It mints and revokes tokens (`POST /api/share`, `GET /api/share`,
 *   `DELETE /api/share/{id}`) and is itself a valid bearer.
 * - **Callers**: every request is classified `owner` / `share` / `anonymous` (`c.get('caller')`) in every
 *   mode, so the owner-only `/api/*` routes (middleware/owner-only) stay closed even when share mode is off.
 * - **CORS**: the lab panel's webview runs on another origin than the server. Allowed origins:
 *   `vscode-webview://…` (desktop VS Code), loopback `http://127.0.0.1|localhost|[::1]:*` (VS Code for
 *   the web / code-server serve webviews from the workbench's own origin), and any configured exactly.
 *   Only GET/POST/DELETE with `Authorization` and `Content-Type`. No cookies are ever used, so CORS is
 *   not the security boundary: the bearer token is.
 *
 * @example
 * const app = new Hono();
 * mountShareAuth(app, { adminToken, requireToken: true });
 * // then the routes; POST /api/share with `Authorization: Bearer <adminToken>` → {id, token, expiresAt}
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import { readSmallBodyText } from './routes/common';

/**
 * Who sent a request, by the token it carried: `owner` (the admin credential, or a token minted with
 * role "owner" for the editor's own panel), `share` (a share link), or `anonymous` (no valid token).
 */
export type Caller = 'owner' | 'share' | 'anonymous';

declare module 'hono' {
  interface ContextVariableMap {
    /** The valid share token the request carried (never the admin credential). */
    shareToken: string | undefined;
    /** Who sent the request (see `Caller`); set for every request by the token check. */
    caller: Caller;
    /** The valid token (owner or share) the request carried; the UI page embeds it so its calls carry it too. */
    token: string | undefined;
  }
}

export interface ShareAuthOptions {
  /** Credential that mints/revokes share tokens; at least 32 characters. Without it the admin routes answer 403. */
  adminToken?: string;
  /** Share mode from the start: every request needs a token (the extension always sets this). */
  requireToken?: boolean;
  /** Expiry of a minted token when the request names none, in minutes. Default 60. */
  defaultExpiryMinutes?: number;
  /** Extra origins allowed by CORS, exactly as browsers send them (`https://example.org`). */
  corsOrigins?: string[];
  /** Clock in ms; tests move it forward instead of waiting. Default `Date.now`. */
  now?: () => number;
}

export interface MintedShare {
  id: string;
  token: string;
  /** ISO time, or null for a token that never expires (only the admin can ask for that). */
  expiresAt: string | null;
}

interface ShareRecord {
  id: string;
  digest: Buffer;
  expiresAt: number | null;
  label: string | undefined;
  /**
   * `share`: a link for somebody else (may use the model and the UI, not start jobs that read or write
   * files on this machine). `owner`: the editor's own lab panel, which may.
   */
  role: 'share' | 'owner';
  createdAt: number;
}

/** A token handed back by the admin after a restart (`POST /api/share/restore`). */
export interface RestoredShare {
  id: string;
  token: string;
  expiresAt: string | null;
  label?: string;
  role?: 'share' | 'owner';
}

export const MIN_ADMIN_TOKEN_LENGTH = 32;
/** Longest expiry a share link may ask for: 30 days. */
const MAX_EXPIRY_MINUTES = 30 * 24 * 60;
/** Routes reachable without a token even in share mode. */
const OPEN_PATHS = new Set(['/v2/health/live', '/v2/health/ready', '/ping', '/health']);
const CORS_METHODS = ['GET', 'POST', 'DELETE'];
const CORS_HEADERS = ['authorization', 'content-type'];
const LOOPBACK_ORIGIN = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$/;

const digestOf = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time equality of two secrets: both are hashed to 32 bytes first, so neither their content
 * nor their lengths show in the comparison time.
 */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digestOf(a), digestOf(b));
}

/** A fresh 256-bit token, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token a request carries: `Authorization: Bearer …`, else `?token=`. */
export function tokenOfRequest(c: Context): string | undefined {
  const header = c.req.header('authorization');
  const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  return bearer ?? (c.req.query('token') || undefined);
}

export function isAllowedOrigin(origin: string, extra: readonly string[] = []): boolean {
  return origin.startsWith('vscode-webview://') || LOOPBACK_ORIGIN.test(origin) || extra.includes(origin);
}

export interface ShareAuth {
  /** True when requests need a token. */
  enabled(): boolean;
  mint(request?: { expiresInMinutes?: number | null; label?: string; role?: 'share' | 'owner' }): MintedShare;
  revoke(id: string): boolean;
  /**
   * Re-installs a token this server did not mint: one the admin minted on an earlier process of the same
   * server (the extension restarts a crashed child and hands its live tokens back). False when expired.
   */
  restore(share: RestoredShare): boolean;
  list(): { id: string; label?: string; expiresAt: string | null; createdAt: string }[];
}

/**
 * Adds CORS + token checks in front of every route registered after this call, then `mountGuards`
 * (middleware that reads `caller`), then the admin routes. Call it before mounting the routes it protects.
 */
export function mountShareAuth(app: Hono, options: ShareAuthOptions = {}, mountGuards?: (app: Hono) => void): ShareAuth {
  const now = options.now ?? Date.now;
  const corsOrigins = options.corsOrigins ?? [];
  const defaultExpiry = options.defaultExpiryMinutes ?? 60;
  if (options.adminToken !== undefined && options.adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    throw new Error(
      `the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (e.g. 43 from ` +
        `randomBytes(32).toString('base64url')); got ${options.adminToken.length}`,
    );
  }
  const adminDigest = options.adminToken === undefined ? undefined : digestOf(options.adminToken);
  const shares = new Map<string, ShareRecord>();
  let everShared = options.requireToken === true;

  const isAdmin = (token: string | undefined): boolean =>
    !!adminDigest && token !== undefined && timingSafeEqual(digestOf(token), adminDigest);

  /** Compares against every live token without stopping at a match, and drops expired ones. */
  function findShare(token: string): ShareRecord | undefined {
    const digest = digestOf(token);
    const t = now();
    let found: ShareRecord | undefined;
    for (const record of [...shares.values()]) {
      if (record.expiresAt !== null && record.expiresAt <= t) {
        shares.delete(record.id);
        continue;
      }
      if (timingSafeEqual(digest, record.digest) && !found) found = record;
    }
    return found;
  }

  const auth: ShareAuth = {
    enabled: () => everShared,
    mint(request = {}) {
      const minutes = request.expiresInMinutes === undefined ? defaultExpiry : request.expiresInMinutes;
      if (minutes !== null && (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_EXPIRY_MINUTES)) {
        throw new RangeError(
          `expiresInMinutes must be a number above 0 and at most ${MAX_EXPIRY_MINUTES} (30 days), ` +
            `or null for no expiry; got ${String(minutes)}`,
        );
      }
      const token = newToken();
      const id = randomBytes(9).toString('base64url');
      const expiresAt = minutes === null ? null : now() + minutes * 60_000;
      shares.set(id, { id, digest: digestOf(token), expiresAt, label: request.label, role: request.role ?? 'share', createdAt: now() });
      everShared = true;
      return { id, token, expiresAt: expiresAt === null ? null : new Date(expiresAt).toISOString() };
    },
    revoke: (id) => shares.delete(id),
    restore(share) {
      const expiresAt = share.expiresAt === null ? null : Date.parse(share.expiresAt);
      if (expiresAt !== null && !(expiresAt > now())) return false;
      shares.set(share.id, {
        id: share.id,
        digest: digestOf(share.token),
        expiresAt,
        label: share.label,
        role: share.role ?? 'share',
        createdAt: now(),
      });
      everShared = true;
      return true;
    },
    list: () =>
      [...shares.values()]
        .filter((r) => r.expiresAt === null || r.expiresAt > now())
        .map((r) => ({
          id: r.id,
          ...(r.label ? { label: r.label } : {}),
          expiresAt: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString(),
          createdAt: new Date(r.createdAt).toISOString(),
        })),
  };

  app.use('*', async (c, next) => {
    const origin = c.req.header('origin');
    const allowed = origin !== undefined && isAllowedOrigin(origin, corsOrigins);
    if (c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- hono types a route's input as `any`; only headers are read
      return preflight(c, origin, allowed);
    }
    if (allowed) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }

    // Every request is classified, in every mode: the owner-only routes (middleware/owner-only) need it
    // even when the rest of the server is open.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-argument -- hono types a route's input as `any`; only headers are read
    const token = tokenOfRequest(c);
    const admin = isAdmin(token);
    const share = !admin && token !== undefined ? findShare(token) : undefined;
    const caller: Caller = admin || share?.role === 'owner' ? 'owner' : share ? 'share' : 'anonymous';
    c.set('caller', caller);
    c.set('token', caller === 'anonymous' ? undefined : token);
    // Owner tokens (the editor's own panel) pass as the owner; only share links are marked as such.
    c.set('shareToken', caller === 'share' ? token : undefined);

    if (everShared && caller === 'anonymous' && !OPEN_PATHS.has(c.req.path) && !c.req.path.startsWith('/assets/')) {
      return c.json(
        {
          error:
            token === undefined
              ? 'this server needs an access token: open the full shared link (…/?token=…) or send Authorization: Bearer <token>'
              : 'the access token is not valid: it expired, was revoked, or was never issued by this server; ask for a fresh link',
        },
        401,
      );
    }
    await next();
    if (allowed && !c.res.headers.has('Access-Control-Allow-Origin')) {
      c.res.headers.set('Access-Control-Allow-Origin', origin);
      c.res.headers.append('Vary', 'Origin');
    }
  });
  // Checks that need to know the caller (Host, Origin, owner-only routes) go here: after the
  // classification above, before the admin routes below.
  mountGuards?.(app);

  const requireAdmin = (c: Context): Response | undefined => {
    if (!adminDigest)
      return c.json(
        {
          error:
            'share links are managed by the process that started this server (start it with --admin-token-file or MODEL_LAB_ADMIN_TOKEN)',
        },
        403,
      );
    return isAdmin(tokenOfRequest(c)) ? undefined : c.json({ error: 'only the admin credential may manage share links' }, 403);
  };

  app.post('/api/share', async (c) => {
    const denied = requireAdmin(c);
    if (denied) return denied;
    let body: { expiresInMinutes?: unknown; label?: unknown; role?: unknown } = {};
    const text = await readSmallBodyText(c, 64 * 1024);
    if (text.trim()) {
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return c.json({ error: 'body must be JSON like {"expiresInMinutes": 60}' }, 400);
      }
      // `null`, a number or a list parse fine but are no options object (found by the fuzz suite: was a 500).
      if (body === null || typeof body !== 'object' || Array.isArray(body))
        return c.json({ error: 'body must be a JSON object like {"expiresInMinutes": 60}' }, 400);
    }
    const expires = body.expiresInMinutes;
    if (expires !== undefined && expires !== null && typeof expires !== 'number') {
      return c.json({ error: `expiresInMinutes must be a number or null, got ${JSON.stringify(expires)}` }, 400);
    }
    if (body.label !== undefined && typeof body.label !== 'string') return c.json({ error: 'label must be a string' }, 400);
    if (body.role !== undefined && body.role !== 'share' && body.role !== 'owner')
      return c.json({ error: `role must be "share" or "owner", got ${JSON.stringify(body.role)}` }, 400);
    try {
      return c.json(
        auth.mint({
          expiresInMinutes: expires,
          label: typeof body.label === 'string' ? body.label.slice(0, 200) : undefined,
          role: body.role,
        }),
        201,
      );
    } catch (err) {
      return c.json({ error: (err as Error).message }, 400);
    }
  });
  app.get('/api/share', (c) => requireAdmin(c) ?? c.json({ shares: auth.list() }));
  app.delete('/api/share/:id', (c) => {
    const denied = requireAdmin(c);
    if (denied) return denied;
    const id = c.req.param('id');
    return auth.revoke(id)
      ? c.json({ revoked: id })
      : c.json({ error: `no share link with id '${id}' (already revoked or expired?)` }, 404);
  });
  // After a restart the process that started this server hands back the tokens it minted on the previous
  // process (a shared link must survive a crash of the server). Admin credential only: anyone else able
  // to choose a token value could make their own link.
  app.post('/api/share/restore', async (c) => {
    const denied = requireAdmin(c);
    if (denied) return denied;
    let body: { shares?: unknown };
    const text = await readSmallBodyText(c, 1024 * 1024); // ≤ 1000 shares
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      return c.json({ error: 'body must be JSON like {"shares": [{"id", "token", "expiresAt", "role"}]}' }, 400);
    }
    const list = Array.isArray(body?.shares) ? (body.shares as Record<string, unknown>[]) : undefined;
    if (!list || list.length > 1000)
      return c.json({ error: 'shares must be an array of at most 1000 {id, token, expiresAt, label?, role?}' }, 400);
    let restored = 0;
    for (const [i, s] of list.entries()) {
      const valid =
        s &&
        typeof s === 'object' &&
        typeof s.id === 'string' &&
        s.id.length > 0 &&
        s.id.length <= 64 &&
        typeof s.token === 'string' &&
        s.token.length >= 32 &&
        s.token.length <= 256 &&
        (s.expiresAt === null || (typeof s.expiresAt === 'string' && !Number.isNaN(Date.parse(s.expiresAt)))) &&
        (s.label === undefined || typeof s.label === 'string') &&
        (s.role === undefined || s.role === 'share' || s.role === 'owner');
      if (!valid)
        return c.json(
          { error: `shares[${i}] must be {id, token (≥ 32 characters), expiresAt (ISO time or null), label?, role?: "share"|"owner"}` },
          400,
        );
      if (
        auth.restore({
          id: s.id as string,
          token: s.token as string,
          expiresAt: s.expiresAt as string | null,
          label: (s.label as string | undefined)?.slice(0, 200),
          role: s.role as 'share' | 'owner' | undefined,
        })
      )
        restored += 1;
    }
    return c.json({ restored });
  });
  return auth;
}

/** Answers a CORS preflight: 204 with the allowed methods/headers, or 403 saying what was refused. */
function preflight(c: Context, origin: string | undefined, allowed: boolean): Response {
  const method = (c.req.header('access-control-request-method') ?? '').toUpperCase();
  const headers = (c.req.header('access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const refused = !allowed
    ? `origin ${origin ?? '(none)'} is not allowed`
    : !CORS_METHODS.includes(method)
      ? `method ${method || '(none)'} is not allowed (only ${CORS_METHODS.join(', ')})`
      : headers.find((h) => !CORS_HEADERS.includes(h))
        ? `header '${headers.find((h) => !CORS_HEADERS.includes(h))}' is not allowed (only Authorization, Content-Type)`
        : undefined;
  if (refused) return c.json({ error: `CORS preflight refused: ${refused}` }, 403);
  c.header('Access-Control-Allow-Origin', origin);
  c.header('Access-Control-Allow-Methods', CORS_METHODS.join(', '));
  c.header('Access-Control-Allow-Headers', 'Authorization, Content-Type');
  c.header('Access-Control-Max-Age', '600');
  c.header('Vary', 'Origin');
  return c.body(null, 204);
}
