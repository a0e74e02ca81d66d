/**
 * The UI's only way to the server: typed HTTP calls plus the server-sent event stream.
 * Adds the bearer token to every request (and as `?token=` to the event stream, which cannot send headers).
 */
import type { ModelDescription, OipInferRequest, OipInferResponse, ServerEvent } from '../../server/protocol/api';
import { EVENTS_READY, type UiConfig } from '../../server/protocol/ui-page-config';

/** A request the server refused or could not answer, with the server's own message when it sent one. */
export class ServerError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'ServerError';
    this.status = status;
  }
}

export type ConnectionStatus = 'connecting' | 'live' | 'disconnected';

export interface ServerClient {
  /** Absolute origin requests go to, for display in the curl command. */
  readonly origin: string;
  readonly token: string | undefined;
  describeModel(): Promise<ModelDescription>;
  /** Any JSON route of the server (the lab tabs' job APIs), with the token; errors as ServerError. */
  json<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T>;
  infer(inferPath: string, request: OipInferRequest): Promise<OipInferResponse>;
  /**
   * Follows `/api/events`; returns a function that closes the stream. `live` is false for the events the
   * server replays when the page first connects (they happened before it opened), true for the rest.
   * The status turns `live` once that replay is over.
   */
  subscribe(onEvent: (event: ServerEvent, live: boolean) => void, onStatus: (status: ConnectionStatus) => void): () => void;
}

const EVENT_TYPES: ServerEvent['type'][] = ['model-loaded', 'model-reload-failed', 'differential-check', 'file-removed', 'error'];

async function readError(response: Response): Promise<ServerError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const text = await response.text();
    try {
      const body = JSON.parse(text) as { error?: unknown };
      if (typeof body.error === 'string') message = body.error;
      else if (body.error && typeof body.error === 'object' && 'message' in body.error) message = String(body.error.message);
    } catch {
      if (text.trim()) message = `${message}: ${text.trim().slice(0, 300)}`;
    }
  } catch {
    /* body unreadable: keep the status line */
  }
  // 401 is the page's key: missing, or minted by a server that has since restarted. A 403 carries the
  // server's own reason (a path outside the model's folder, a share link asking for an owner's page), already in words to act on.
  if (response.status === 401) {
    message +=
      " — this page's access key is missing or no longer valid (did the server restart?). " +
      'Open the address `model-lab serve` printed again, or ask whoever shared the link for a fresh one.';
  }
  return new ServerError(response.status, message);
}

export function createServerClient(config: UiConfig): ServerClient {
  // Same-origin pages resolve against the page's own folder, not the host root, so the UI also works
  // behind a path-based proxy (code-server's /proxy/PORT/, a reverse proxy's /model-lab/).
  const base = (config.serverOrigin || new URL('.', window.location.href).href).replace(/\/$/, '');
  const origin = base;
  const headers = (extra: Record<string, string> = {}): Record<string, string> =>
    config.token ? { ...extra, Authorization: `Bearer ${config.token}` } : extra;

  async function request<T>(path: string, init: RequestInit = {}): Promise<T> {
    let response: Response;
    try {
      response = await fetch(base + path, { ...init, headers: headers(init.headers as Record<string, string>) });
    } catch (err) {
      throw new ServerError(0, `cannot reach the Model Lab server at ${origin} (${(err as Error).message}); is it still running?`);
    }
    if (!response.ok) throw await readError(response);
    return (await response.json()) as T;
  }

  return {
    origin,
    token: config.token,
    describeModel: () => request<ModelDescription>('/api/model'),
    json: <T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) =>
      request<T>(
        path,
        body === undefined
          ? { method }
          : {
              method,
              headers: { 'Content-Type': 'application/json' },
              body: JSON.stringify(body),
            },
      ),
    infer: (inferPath, body) =>
      request<OipInferResponse>(inferPath, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      }),
    subscribe(onEvent, onStatus) {
      const url = base + '/api/events' + (config.token ? `?token=${encodeURIComponent(config.token)}` : '');
      const source = new EventSource(url);
      // Until the first replay is over, events are history. A reconnect sends the last event's id, so the
      // server then replays only what was missed meanwhile: news, not history.
      let caughtUp = false;
      onStatus('connecting');
      source.addEventListener(EVENTS_READY, () => {
        caughtUp = true;
        onStatus('live');
      });
      for (const type of EVENT_TYPES) {
        source.addEventListener(type, (e) => {
          // `error` is also what EventSource fires on a broken connection; only server events carry data.
          if (!(e instanceof MessageEvent) || typeof e.data !== 'string') {
            if (type === 'error') onStatus(source.readyState === EventSource.CLOSED ? 'disconnected' : 'connecting');
            return;
          }
          try {
            onEvent(JSON.parse(e.data) as ServerEvent, caughtUp);
          } catch {
            /* not ours: ignore malformed events */
          }
        });
      }
      return () => source.close();
    },
  };
}
