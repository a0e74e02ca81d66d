/**
 * The order of the checks every request passes before a route, once auth.ts has classified its caller:
 *
 * 1. `Host` allowlist (DNS rebinding) — every route but the public `/assets/*`;
 * 2. `Origin` check on state-changing methods (cross-site requests from web pages);
 * 3. under `/api/*` (the job, file and share-admin routes): bodies must be JSON (415), and only the
 *    owner passes (401 / 403), except what the UI needs to show the model (`/api/model`, `/api/events`).
 *
 * Requests carrying a valid token skip 1 and 2: those checks stop pages that ride on the user's network
 * position, and such a page has no token.
 *
 * @example
 * mountShareAuth(app, auth, (a) => mountRequestGuards(a, { allowedHosts: ['192.168.1.20'] }));
 */
import type { Context, Hono } from 'hono';
import { hostCheck } from './middleware/host-check/index';
import { requireJsonBody } from './middleware/json-body/index';
import { originCheck } from './middleware/origin-check/index';
import { ownerOnly } from './middleware/owner-only/index';

export interface RequestGuardOptions {
  /** Host names accepted besides loopback, or 'any' (see middleware/host-check). */
  allowedHosts?: readonly string[] | 'any';
  /** Extra origins allowed to send state-changing requests (the CORS list). */
  corsOrigins?: readonly string[];
}

/** `/api/*` paths anyone who may use the model may call: the UI's model description and its event stream. */
export const PUBLIC_API_PATHS = ['/api/model', '/api/events'] as const;

const hasValidToken = (c: Context): boolean => c.get('caller') !== 'anonymous';

export function mountRequestGuards(app: Hono, options: RequestGuardOptions = {}): void {
  app.use('*', hostCheck({ allowedHosts: options.allowedHosts, trusted: hasValidToken }));
  app.use('*', originCheck({ corsOrigins: options.corsOrigins, trusted: hasValidToken }));
  app.use('/api/*', requireJsonBody());
  app.use('/api/*', ownerOnly({ except: PUBLIC_API_PATHS }));
}
