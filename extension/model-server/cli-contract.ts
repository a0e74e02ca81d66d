/**
 * The extension's side of the server's command-line contract: the arguments it starts `serve` with,
 * the ready line it waits for, the back-off between restarts and the request count read from
 * `/metrics`. Pure functions, unit-tested without VS Code.
 */

/** How a server is started (from the `modelLab.*` settings plus per-model choices). */
export interface ServerSettings {
  /** 0 = any free port. */
  port: number;
  /** 127.0.0.1, or 0.0.0.0 after the user opted in to LAN sharing. */
  host: string;
  referenceCsv?: string;
  batching: { enabled: boolean; maxBatchSize: number; maxDelayMs: number };
  shareExpiryMinutes: number;
  corsOrigins: string[];
}

/** `serve` arguments after the CLI path. Tokens are always required (see model-server.ts). */
export function serveArguments(modelPath: string, s: ServerSettings): string[] {
  const args = [
    'serve',
    modelPath,
    '--port',
    String(s.port),
    '--host',
    s.host,
    '--require-token',
    '--share-expiry-minutes',
    String(Math.max(1, Math.round(s.shareExpiryMinutes))),
  ];
  if (s.referenceCsv) args.push('--reference', s.referenceCsv);
  if (!s.batching.enabled) args.push('--no-batching');
  else args.push('--batch-max', String(s.batching.maxBatchSize), '--batch-delay-ms', String(s.batching.maxDelayMs));
  for (const origin of s.corsOrigins) args.push('--cors-origin', origin);
  return args;
}

export interface ReadyEvent {
  url: string;
  port: number;
  model: string;
  pid: number;
}

/** The server's ready line (`{"event":"ready","url":"http://127.0.0.1:PORT",…}`), or undefined for any other line. */
export function parseReadyLine(line: string): ReadyEvent | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const event = JSON.parse(line) as { event?: unknown; url?: unknown; model?: unknown; pid?: unknown };
    if (event.event !== 'ready' || typeof event.url !== 'string') return undefined;
    const url = new URL(event.url);
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    if (!Number.isInteger(port) || port <= 0) return undefined;
    // A server bound to 0.0.0.0 reports that address; this machine reaches it on loopback.
    if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
    return { url: url.origin, port, model: typeof event.model === 'string' ? event.model : '', pid: Number(event.pid ?? 0) };
  } catch {
    return undefined;
  }
}

/** Delay before restart number `attempt` (1-based): 1 s, 2 s, 4 s, … at most 30 s. */
export function restartDelayMs(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Sum of `http_requests_total` over every route except `/metrics` itself (the status bar polls it, and
 * its own polling must not count as use).
 */
export function requestCountFromMetrics(text: string): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('http_requests_total')) continue;
    if (line.includes('route="/metrics"')) continue;
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(value)) total += value;
  }
  return total;
}
