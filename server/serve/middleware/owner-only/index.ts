/**
 * Routes that read or write files on this machine or start jobs (performance, drift, export, share
 * admin, and any later `/api/*` job) are the owner's, in every mode: only the owner credential (the
 * admin token, or a token minted with `role: "owner"` for the editor's own panel) passes. No token → 401
 * saying where the owner's URL is; a share link's token → 403 (a share link is for trying the model).
 *
 * Relies on `caller`, set for every request by the token check in auth.ts (mounted before this).
 *
 * @example
 * app.use('/api/*', ownerOnly({ except: ['/api/model', '/api/events'] }));
 * // GET /api/perf without a token → 401; with a share token → 403; with the owner token → next()
 */
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Caller } from '../../auth';

export interface OwnerOnlyOptions {
  /** Exact paths under the mounted prefix that anyone may call (what the UI needs to show the model). */
  except?: readonly string[];
}

export function ownerOnly(options: OwnerOnlyOptions = {}): MiddlewareHandler {
  const except = new Set(options.except ?? []);
  return async (c, next) => {
    if (c.req.method === 'OPTIONS' || except.has(c.req.path)) return next();
    // No route here at all (only middleware matched): let it be the app's 404, as for everyone. An exported
    // bundle compiles the lab routes out and says so with 404s.
    if (!matchedRoutes(c).some((r) => r.method !== 'ALL')) return next();
    const caller: Caller = c.get('caller') ?? 'anonymous';
    if (caller === 'owner') return next();
    if (caller === 'share') {
      return c.json(
        { error: 'this route reads or writes files on the server or runs jobs there: it is for the server owner, not for shared links' },
        403,
      );
    }
    return c.json(
      {
        error:
          'this route reads or writes files on the server or runs jobs there, so it needs the owner token: open the URL ' +
          '`model-lab serve` printed (…/?token=…) or send Authorization: Bearer <token>',
      },
      401,
    );
  };
}
