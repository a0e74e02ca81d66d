/**
 * What every part of the extension shares: the output channel, the server supervisor, the settings
 * read per model, and the two helpers nearly every command needs — "which model?" and "make sure its
 * server runs" (with cancellable progress).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';
import { ServerSupervisor, type ModelServer, type ServerSettings } from './model-server/supervisor';

const REFERENCES_KEY = 'modelLab.references';

export class Shell {
  readonly log: vscode.OutputChannel;
  readonly supervisor: ServerSupervisor;
  readonly cliPath: string;
  readonly nodePath = process.execPath;
  /** Models the user allowed on the LAN in this session (after the modal confirmation). */
  readonly lanModels = new Set<string>();
  /** Set by the lab panels and the custom editor: the model the user is looking at. */
  activeModel: (() => string | undefined) | undefined;

  constructor(readonly context: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Model Lab');
    this.cliPath = join(context.extensionPath, 'dist', 'server', 'cli.js');
    this.supervisor = new ServerSupervisor({
      cliPath: this.cliPath,
      nodePath: this.nodePath,
      log: (line) => this.log.appendLine(line),
      maxRestarts: config().get<number>('server.maxRestarts', 3),
    });
  }

  /** Server settings for a model from `modelLab.*`, its reference CSV and the LAN opt-in. */
  settingsFor(modelPath: string): ServerSettings {
    const c = config();
    return {
      port: c.get<number>('server.port', 0),
      host: this.lanModels.has(modelPath) ? '0.0.0.0' : '127.0.0.1',
      referenceCsv: this.referenceFor(modelPath),
      batching: {
        enabled: c.get<boolean>('server.batching', true),
        maxBatchSize: c.get<number>('server.batchMax', 64),
        maxDelayMs: c.get<number>('server.batchDelayMs', 2),
      },
      shareExpiryMinutes: c.get<number>('share.expiryMinutes', 60),
      corsOrigins: c.get<string[]>('server.corsOrigins', []),
    };
  }

  /**
   * The reference CSV of a model: the one set with "Set as Reference" (workspace state), else the
   * `modelLab.referenceCsv` setting (keys: absolute path, workspace-relative path or file name),
   * else a `reference.csv` beside the model.
   */
  referenceFor(modelPath: string): string | undefined {
    const remembered = this.context.workspaceState.get<Record<string, string>>(REFERENCES_KEY, {})[modelPath];
    if (remembered && existsSync(remembered)) return remembered;
    const map = config().get<Record<string, string>>('referenceCsv', {});
    const relative = vscode.workspace.asRelativePath(modelPath, false);
    const configured = map[modelPath] ?? map[relative] ?? map[basename(modelPath)];
    if (configured) {
      const folder = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(modelPath))?.uri.fsPath ?? dirname(modelPath);
      const path = isAbsolute(configured) ? configured : join(folder, configured);
      if (existsSync(path)) return path;
      this.log.appendLine(`modelLab.referenceCsv names ${path} for ${modelPath}, but it does not exist; ignoring it`);
    }
    const beside = join(dirname(modelPath), 'reference.csv');
    return existsSync(beside) ? beside : undefined;
  }

  async setReference(modelPath: string, csvPath: string): Promise<void> {
    const map = { ...this.context.workspaceState.get<Record<string, string>>(REFERENCES_KEY, {}), [modelPath]: csvPath };
    await this.context.workspaceState.update(REFERENCES_KEY, map);
  }

  /**
   * The model a command acts on: its argument, else the lab panel / overview in front, else the most
   * recently started server, else one the user picks.
   */
  async pickModel(uri?: vscode.Uri, purpose = 'Open'): Promise<string | undefined> {
    if (uri instanceof vscode.Uri && uri.fsPath.toLowerCase().endsWith('.onnx')) return uri.fsPath;
    const known = this.activeModel?.() ?? this.supervisor.mostRecent()?.modelPath;
    if (known) return known;
    const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'ONNX model': ['onnx'] }, openLabel: purpose });
    return picked?.[0]?.fsPath;
  }

  /** The model's server, started if needed, with a cancellable progress notification while it loads. */
  async ensureServer(modelPath: string): Promise<ModelServer> {
    const existing = this.supervisor.get(modelPath);
    if (existing?.state === 'running') return existing;
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Model Lab: starting the server for ${basename(modelPath)}`,
        cancellable: true,
      },
      async (_progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          return await this.supervisor.ensure(modelPath, () => this.settingsFor(modelPath), abort.signal);
        } finally {
          sub.dispose();
        }
      },
    );
  }

  /** Shows an error the user can act on, with the log one click away. */
  async showError(message: string): Promise<void> {
    this.log.appendLine(`error: ${message}`);
    const choice = await vscode.window.showErrorMessage(message, 'Show Log');
    if (choice === 'Show Log') this.log.show(true);
  }
}

export function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration('modelLab');
}
