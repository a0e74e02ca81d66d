/**
 * The read-only custom editor for `*.onnx`: the model overview from `model-lab info --json`, run in a
 * child process (the overview needs no onnxruntime session, but parsing a large model still should not
 * block the extension host), refreshed when the file changes, with a button to start the server and
 * open the lab panel.
 */
import { randomBytes } from 'node:crypto';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from '../command-ids';
import { cliErrorMessage, runCli } from '../cli-run';
import type { Shell } from '../shell';
import { renderOverviewPage, type ModelOverview } from './overview-html';

export const ONNX_EDITOR_VIEW_TYPE = 'modelLab.onnxEditor';

export class OnnxEditorProvider implements vscode.CustomReadonlyEditorProvider {
  private readonly open = new Map<vscode.WebviewPanel, string>();

  constructor(private readonly shell: Shell) {}

  /** The model of the overview in front, if one is. */
  activeModel(): string | undefined {
    return [...this.open].find(([panel]) => panel.active)?.[1];
  }

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  async resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): Promise<void> {
    const modelPath = document.uri.fsPath;
    this.open.set(panel, modelPath);
    panel.webview.options = { enableScripts: true, localResourceRoots: [] };
    const render = async () => {
      const nonce = randomBytes(18).toString('base64');
      const { overview, error } = await this.describe(modelPath);
      panel.webview.html = renderOverviewPage(overview, { nonce, cspSource: panel.webview.cspSource, error });
    };
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.file(dirname(modelPath)), basename(modelPath)),
    );
    let pending: NodeJS.Timeout | undefined;
    // Exporters write in steps: wait for the file to settle before re-reading it.
    const onChange = () => {
      clearTimeout(pending);
      pending = setTimeout(() => void render(), 500);
    };
    panel.onDidDispose(() => {
      this.open.delete(panel);
      watcher.dispose();
      clearTimeout(pending);
    });
    watcher.onDidChange(onChange);
    watcher.onDidCreate(onChange);
    panel.webview.onDidReceiveMessage((message: { type?: string }) => {
      if (message?.type === 'open-lab') void vscode.commands.executeCommand(CommandId.openModel, document.uri);
      if (message?.type === 'refresh') void render();
    });
    await render();
  }

  private async describe(modelPath: string): Promise<{ overview?: ModelOverview; error?: string }> {
    const args = ['info', modelPath, '--json'];
    const reference = this.shell.referenceFor(modelPath);
    if (reference) args.push('--reference', reference);
    try {
      const result = await runCli(args, { nodePath: this.shell.nodePath, cliPath: this.shell.cliPath });
      if (result.code !== 0) return { error: cliErrorMessage(result) };
      return { overview: JSON.parse(result.stdout) as ModelOverview };
    } catch (err) {
      return { error: (err as Error).message };
    }
  }
}
