/**
 * What `activate()` returns: a small API over the extension's real state, for the in-host test suites
 * (extension/TESTING.md) and for other extensions. Nothing here is test-only behaviour.
 */
import type { SharedLink } from './share';
import type { ServerSnapshot, ServerState } from './model-server/supervisor';

export type { ServerSnapshot, ServerState, SharedLink };

export interface ModelLabApi {
  /** Wall time of `activate()` in milliseconds. */
  readonly activationMs: number;
  servers: {
    list(): ServerSnapshot[];
    /** Starts (or returns) the model's server; resolves when its ready line arrived. */
    start(modelPath: string): Promise<ServerSnapshot>;
    /** Stops it; resolves when the child has exited. */
    stop(modelPath: string): Promise<void>;
    /** Resolves when the model's server reaches `state`; rejects after `timeoutMs`. */
    waitForState(modelPath: string, state: ServerState, timeoutMs: number): Promise<ServerSnapshot>;
  };
  share: {
    /** Mints a share token, or with `role: 'owner'` an owner token (no clipboard, no dialogs). */
    create(modelPath: string, options?: { expiresInMinutes?: number; role?: 'share' | 'owner' }): Promise<SharedLink>;
    revoke(modelPath: string, id: string): Promise<boolean>;
  };
  panels: {
    /** `explainShown`: the last explain job the panel's Explain tab drew (or failed to) after "Explain Model…". */
    list(): {
      modelPath: string;
      serverOrigin: string | undefined;
      visible: boolean;
      explainShown?: { jobId: string; ok: boolean; error?: string };
    }[];
    /**
     * The panel serializer's entry point (what VS Code calls after a window reload): finds the panel's
     * model from its saved UI state and the remembered panels, restarts its server and renders it.
     */
    revive(panel: import('vscode').WebviewPanel, state: unknown): Promise<void>;
  };
}
