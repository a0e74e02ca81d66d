/**
 * What the UI keeps between reloads of its panel (VS Code webview state) or tab (sessionStorage):
 * the predict form's values and its history. Browser-bundle only; the page config is in `server/protocol/ui-page-config.ts`.
 */

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
