/**
 * The lab panel: a webview hosting the same UI bundle the server serves at `/` (dist/webview), talking
 * to that model's server over HTTP with a token of its own.
 *
 * - CSP from `renderUiPage` (server/protocol/ui-page.ts): nonce'd script, `connect-src` only the server origin.
 * - `portMapping` maps the server port, so the panel also works in remote windows; in VS Code for the
 *   web (code-server, Codespaces) the origin comes from `asExternalUri` instead.
 * - The UI keeps its form values and history with `getState/setState`; after a window reload the
 *   `WebviewPanelSerializer` finds the model again (by the `modelName` in that state and the panels
 *   remembered in workspace state), restarts its server and re-renders.
 * - When the server restarts (crash → supervisor, or a new reference CSV) the panel is re-rendered with
 *   a token minted on the new process.
 */
import { randomBytes } from 'node:crypto';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import {
  ExplainShownCommand,
  isLabMessage,
  labMessage,
  ReadyCommand,
  ShowTabNotification,
  type LabNotification,
  type LabNotificationType,
  type LabTabId,
} from '../../webview/lab-panel-messages';
import { renderUiPage } from '../../server/protocol/ui-page';
import type { ModelServer } from '../model-server/supervisor';
import type { Shell } from '../shell';
import { escapeHtml } from '../../server/protocol/html';

export const LAB_VIEW_TYPE = 'modelLab.lab';
const OPEN_PANELS_KEY = 'modelLab.labPanels';

interface LabEntry {
  modelPath: string;
  panel: vscode.WebviewPanel;
  serverOrigin: string | undefined;
  /** Server generation the page was rendered for. */
  generation: number;
  /** Whether the page's UI has said it listens (`ReadyCommand`); notifications wait in `pending` until then. */
  ready: boolean;
  pending: LabNotification[];
  /** Id of the owner token the current page carries; revoked when a new page replaces it. */
  tokenId?: string;
  /** What the Explain tab said about the last job "Explain Model…" asked it to show. */
  explainShown?: { jobId: string; ok: boolean; error?: string };
}

export class LabPanels implements vscode.WebviewPanelSerializer {
  private readonly entries = new Map<string, LabEntry>();

  constructor(private readonly shell: Shell) {
    shell.supervisor.on('ready', (snapshot: { modelPath: string }) => {
      const entry = this.entries.get(snapshot.modelPath);
      const server = shell.supervisor.get(snapshot.modelPath);
      if (entry && server && server.generation !== entry.generation) void this.render(entry, server);
    });
  }

  list(): {
    modelPath: string;
    serverOrigin: string | undefined;
    visible: boolean;
    explainShown?: { jobId: string; ok: boolean; error?: string };
  }[] {
    return [...this.entries.values()].map((e) => ({
      modelPath: e.modelPath,
      serverOrigin: e.serverOrigin,
      visible: e.panel.visible,
      ...(e.explainShown ? { explainShown: e.explainShown } : {}),
    }));
  }

  /** The model of the lab panel in front, if one is. */
  activeModel(): string | undefined {
    return [...this.entries.values()].find((e) => e.panel.active)?.modelPath;
  }

  /**
   * Opens (or reveals) the panel of a model whose server runs, and selects `tab` (e.g. `perf`) with a
   * `ShowTabNotification`.
   */
  async open(modelPath: string, server: ModelServer, tab?: LabTabId): Promise<vscode.WebviewPanel> {
    const existing = this.entries.get(modelPath);
    let panel: vscode.WebviewPanel;
    if (existing) {
      panel = existing.panel;
      panel.reveal();
      if (existing.generation !== server.generation) await this.render(existing, server);
    } else {
      panel = vscode.window.createWebviewPanel(
        LAB_VIEW_TYPE,
        `${basename(modelPath)} — Model Lab`,
        vscode.ViewColumn.Active,
        this.webviewOptions(server),
      );
      await this.adopt(panel, modelPath, server);
    }
    if (tab) this.notify(modelPath, ShowTabNotification, { id: tab });
    return panel;
  }

  /**
   * Sends a notification to a model's panel UI, waiting until the page has loaded and said it listens: a
   * message posted to a page that is still loading would be lost.
   */
  notify<M extends LabNotification['method'], P>(modelPath: string, type: LabNotificationType<M, P>, params: P): void {
    const entry = this.entries.get(modelPath);
    if (!entry) return;
    const message = labMessage(type, params) as LabNotification;
    if (entry.ready) void entry.panel.webview.postMessage(message);
    else entry.pending.push(message);
  }

  /** Window reload: the panel comes back empty; find its model, start the server, render. */
  async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const modelName = (state as { modelName?: unknown } | undefined)?.modelName;
    const remembered = this.shell.context.workspaceState.get<string[]>(OPEN_PANELS_KEY, []).filter((p) => !this.entries.has(p));
    const modelPath = remembered.find((p) => typeof modelName === 'string' && basename(p, '.onnx') === modelName) ?? remembered[0];
    if (!modelPath) {
      panel.webview.html =
        '<!DOCTYPE html><html><body><p>This Model Lab panel lost ' +
        'track of its model. Close it and run “Model Lab: Open Model…”.</p></body></html>';
      return;
    }
    try {
      const server = await this.shell.ensureServer(modelPath);
      panel.webview.options = this.webviewOptions(server);
      await this.adopt(panel, modelPath, server);
    } catch (err) {
      panel.webview.html =
        `<!DOCTYPE html><html><body><p>Could not restart the Model Lab server for ` +
        `${escapeHtml(basename(modelPath))}: ${escapeHtml((err as Error).message)}</p></body></html>`;
    }
  }

  private webviewOptions(server: ModelServer): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.file(join(this.shell.context.extensionPath, 'dist', 'webview'))],
      portMapping: server.port ? [{ webviewPort: server.port, extensionHostPort: server.port }] : [],
    };
  }

  private async adopt(panel: vscode.WebviewPanel, modelPath: string, server: ModelServer): Promise<void> {
    const entry: LabEntry = { modelPath, panel, serverOrigin: undefined, generation: -1, ready: false, pending: [] };
    this.entries.set(modelPath, entry);
    await this.remember();
    panel.onDidDispose(() => {
      this.entries.delete(modelPath);
      void this.remember();
    });
    panel.webview.onDidReceiveMessage((message: unknown) => {
      if (isLabMessage(ExplainShownCommand, message)) {
        const { jobId, ok, error } = message.params;
        entry.explainShown = { jobId, ok, ...(error ? { error: error.slice(0, 500) } : {}) };
        if (!ok) this.shell.log.appendLine(`[explain] the Explain tab could not show job ${jobId}: ${error ?? 'unknown reason'}`);
        return;
      }
      if (!isLabMessage(ReadyCommand, message)) return;
      entry.ready = true;
      for (const queued of entry.pending.splice(0)) void panel.webview.postMessage(queued);
    });
    await this.render(entry, server);
  }

  private async render(entry: LabEntry, server: ModelServer): Promise<void> {
    const { webview } = entry.panel;
    try {
      const origin = await serverOriginForWebview(server);
      const { token, id } = await server.mintToken(null, 'vscode-lab-panel', 'owner');
      // The old page's token would otherwise be handed to every later process of the server.
      if (entry.tokenId) void server.revokeToken(entry.tokenId).catch(() => undefined);
      entry.tokenId = id;
      webview.options = this.webviewOptions(server);
      const assets = vscode.Uri.file(join(this.shell.context.extensionPath, 'dist', 'webview'));
      entry.serverOrigin = origin;
      entry.generation = server.generation;
      entry.ready = false; // a new page: wait for its UI to say it listens again
      webview.html = renderUiPage({
        scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(assets, 'main.js')).toString(),
        styleUri: webview.asWebviewUri(vscode.Uri.joinPath(assets, 'main.css')).toString(),
        nonce: randomBytes(18).toString('base64'),
        cspSource: webview.cspSource,
        serverOrigin: origin,
        token,
        title: `${basename(entry.modelPath)} — Model Lab`,
      });
    } catch (err) {
      await this.shell.showError(`Model Lab: cannot show the lab panel for ${basename(entry.modelPath)}: ${(err as Error).message}`);
    }
  }

  /**
   * The models of the open panels first, then those of recently closed ones: VS Code also revives a
   * closed panel ("Reopen Closed Editor") through the serializer.
   */
  private remember(): Thenable<void> {
    const open = [...this.entries.keys()];
    const earlier = this.shell.context.workspaceState.get<string[]>(OPEN_PANELS_KEY, []).filter((p) => !open.includes(p));
    return this.shell.context.workspaceState.update(OPEN_PANELS_KEY, [...open, ...earlier].slice(0, 20));
  }
}

/**
 * The origin the webview fetches from. Desktop (local or remote window): the loopback URL, which
 * `portMapping` routes to the server. VS Code for the web: what `asExternalUri` makes of it (a
 * forwarded or proxied URL), kept with a trailing slash so it works as a CSP path prefix too.
 */
export async function serverOriginForWebview(server: ModelServer): Promise<string> {
  const local = `http://127.0.0.1:${server.port}`;
  if (vscode.env.uiKind !== vscode.UIKind.Web) return local;
  const external = await vscode.env.asExternalUri(vscode.Uri.parse(`${local}/`));
  const text = external.toString(true);
  return text.endsWith('/') ? text : `${text}/`;
}
