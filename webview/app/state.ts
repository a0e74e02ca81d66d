/**
 * Persistence of form values and history: VS Code's webview state when running inside VS Code
 * (survives the panel being hidden and restored), else the tab's sessionStorage.
 */
import type { LabCommand } from '../lab-panel-messages';
import type { PersistedState } from './persisted-state';

interface VsCodeApi {
  getState(): unknown;
  setState(state: unknown): void;
  postMessage(message: LabCommand): void;
}

declare const acquireVsCodeApi: undefined | (() => VsCodeApi);

const STORAGE_KEY = 'model-lab.ui-state';

export interface StateStore {
  load(): PersistedState | null;
  save(state: PersistedState): void;
  /** Sends a command to the VS Code host (e.g. that the UI listens for its notifications); no-op in a browser. */
  notifyHost(message: LabCommand): void;
}

function isPersistedState(value: unknown): value is PersistedState {
  const v = value as PersistedState | null;
  return (
    !!v &&
    typeof v === 'object' &&
    typeof v.modelName === 'string' &&
    !!v.values &&
    typeof v.values === 'object' &&
    Array.isArray(v.history)
  );
}

/** `acquireVsCodeApi` may only be called once per webview, so the store is created once, at start-up. */
export function createStateStore(): StateStore {
  if (typeof acquireVsCodeApi === 'function') {
    const vscode = acquireVsCodeApi();
    return {
      load: () => {
        const s = vscode.getState();
        return isPersistedState(s) ? s : null;
      },
      save: (state) => vscode.setState(state),
      notifyHost: (message) => vscode.postMessage(message),
    };
  }
  return {
    load() {
      try {
        const raw = sessionStorage.getItem(STORAGE_KEY);
        const parsed: unknown = raw ? JSON.parse(raw) : null;
        return isPersistedState(parsed) ? parsed : null;
      } catch {
        return null;
      }
    },
    save(state) {
      // Storage can be full or disabled (private mode); losing history is better than failing a prediction.
      try {
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify(state));
      } catch {
        /* ignore */
      }
    },
    notifyHost() {
      /* no host outside VS Code */
    },
  };
}
