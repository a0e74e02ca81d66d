/**
 * What the page hands the UI bundle, and what the UI keeps between reloads of its panel/tab.
 *
 * Shared by `page.ts` (runs in Node, inside the server or the extension host) and the browser bundle,
 * so both sides agree on the config's shape. Everything else the UI needs comes over HTTP and is typed
 * in `server/protocol/api.ts`.
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

/** A field's value as the form holds it: the text typed, a checkbox state, or a JSON text for raw tensors. */
export type FieldValue = string | boolean;

/** One finished prediction in the history list. */
export interface HistoryEntry {
  /** ISO time of the prediction. */
  at: string;
  /** Form values that produced it (images are not kept: too large for webview state). */
  values: Record<string, FieldValue>;
  /** Short "feature=value, …" text shown in the list. */
  inputsSummary: string;
  /** Predicted label or value, as shown. */
  outcome: string;
  /** Client round trip in milliseconds. */
  latencyMs: number;
}

/** What survives a reload of the webview (VS Code state) or of the tab (sessionStorage). */
export interface PersistedState {
  /** Model the values belong to; values of another model are not restored. */
  modelName: string;
  values: Record<string, FieldValue>;
  history: HistoryEntry[];
}
