/**
 * What the page hands the UI bundle: the config `<meta>` tag's name and shape.
 *
 * Shared by `ui-page.ts` (runs in Node, inside the server or the extension host) and the browser bundle,
 * so both sides agree on the config's shape. What the UI keeps between reloads is in
 * `webview/app/persisted-state.ts`; everything else it needs comes over HTTP, typed in `api.ts`.
 * Also the one control message of the UI's event stream (`GET /api/events`), which both sides name.
 */

/** Name of the `<meta>` tag whose `content` is the JSON-encoded {@link UiConfig}. */
export const CONFIG_META_NAME = 'model-lab-config';

/** Where the UI finds the server and how it proves it may talk to it. */
export interface UiConfig {
  /**
   * Origin of the prediction server, e.g. `http://127.0.0.1:8080`; `''` means the page's own origin
   * (the page was served by the server itself).
   */
  serverOrigin: string;
  /** Bearer token for shared links / the extension's private server; sent on every request when set. */
  token?: string;
  /**
   * False when the caller may not use the lab's job routes (a share link, or a page opened without the
   * owner token): the UI then shows only the prediction form instead of tabs that answer 401/403.
   * Absent = true (the extension's panel carries an owner token).
   */
  labTabs?: boolean;
}

/**
 * Name of the SSE event `GET /api/events` sends once it has replayed the recent events (data `{}`):
 * what came before it happened before the page connected — history the UI shows as state, not as news;
 * what follows happens live. Not a `ServerEvent`: other readers of the stream can ignore it.
 */
export const EVENTS_READY = 'ready';
