/**
 * Limits on Node's HTTP server, so slow or idle clients are cut and cannot starve others. One function
 * for every entry point (`model-lab serve`, the exported bundle's `node server/index.js`, tests), all of
 * which start through `startServer`.
 *
 * `requestTimeout` runs only until the request (headers and body) has been received: long-lived
 * responses such as the SSE streams of `/api/events` and drift jobs are not cut by it.
 */
import type { Server, ServerOptions } from 'node:http';

export interface HttpLimits {
  /** Time to receive the request headers, ms. A client that never finishes its headers is cut (408). */
  headersTimeoutMs: number;
  /** Time to receive the whole request (headers and body), ms; a body trickled slower is cut (408). */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests, ms. */
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are refused until some close. SSE streams count. */
  maxConnections: number;
  /** Request headers (lines) at most; the rest are ignored. */
  maxHeadersCount: number;
  /** Bytes of request headers at most (431 above). */
  maxHeaderSize: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  // Generous for a 32 MiB body on a slow link, short enough that a trickling client cannot hold a slot.
  requestTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 1024,
  maxHeadersCount: 100,
  maxHeaderSize: 16 * 1024,
};

export function resolveHttpLimits(overrides: Partial<HttpLimits> = {}): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS, ...overrides };
  // Node insists headersTimeout ≤ requestTimeout.
  return { ...limits, headersTimeoutMs: Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) };
}

/** Options for `http.createServer`: the ones Node only takes at construction. */
export function httpServerOptions(limits: HttpLimits): ServerOptions {
  return {
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxHeaderSize: limits.maxHeaderSize,
    // Node checks the two timeouts on this interval (default 30 s), so a short timeout needs a short check.
    connectionsCheckingInterval: Math.max(100, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

/** The limits Node takes as properties of a created server. */
export function applyHttpLimits(server: Server, limits: HttpLimits): void {
  server.requestTimeout = limits.requestTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxHeadersCount = limits.maxHeadersCount;
  server.maxConnections = limits.maxConnections;
}
