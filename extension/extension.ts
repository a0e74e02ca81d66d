/**
 * The VS Code shell of Model Lab: commands, Explorer menus, the `.onnx` custom editor, the lab panel
 * (the same UI bundle the server serves), a status bar item, and a supervisor that runs one server
 * child process per model (`dist/server/cli.js serve`, the CLI's own build; onnxruntime never loads in
 * the extension host). `server/` knows nothing of VS Code.
 *
 * Activation is lazy (commands, the custom editor, the panel serializer) and cheap: no server, no
 * onnxruntime, no file reads; its duration is logged and returned in the API.
 */
import { resolve } from 'node:path';
import * as vscode from 'vscode';
import type { ModelLabApi } from './api';
import type { CommandHandler, CommandId } from './command-ids';
import { csvCommands } from './commands/csv-commands';
import { explainCommands } from './commands/explain-command';
import { modelCommands } from './commands/model-commands';
import { sampleCommands } from './commands/sample-commands';
import { createShare } from './share';
import { Shell } from './shell';
import { ServerStatusBar } from './status-bar';
import { LAB_VIEW_TYPE, LabPanels } from './views/lab-panel';
import { ONNX_EDITOR_VIEW_TYPE, OnnxEditorProvider } from './views/onnx-editor';

let shell: Shell | undefined;

export function activate(context: vscode.ExtensionContext): ModelLabApi {
  const started = performance.now();
  shell = new Shell(context);
  const s = shell;
  const panels = new LabPanels(s);
  const editors = new OnnxEditorProvider(s);
  const statusBar = new ServerStatusBar(s);
  s.activeModel = () => panels.activeModel() ?? editors.activeModel();

  context.subscriptions.push(
    s.log,
    statusBar,
    vscode.window.registerWebviewPanelSerializer(LAB_VIEW_TYPE, panels),
    vscode.window.registerCustomEditorProvider(ONNX_EDITOR_VIEW_TYPE, editors, {
      webviewOptions: { retainContextWhenHidden: false },
      supportsMultipleEditorsPerDocument: true,
    }),
    vscode.window.onDidChangeActiveTextEditor(() => statusBar.update()),
    vscode.window.tabGroups.onDidChangeTabs(() => statusBar.update()),
  );
  // Every contributed command has exactly one handler: this fails to compile when one is missing.
  const handlers = {
    ...modelCommands(s, panels, statusBar),
    ...csvCommands(s, panels),
    ...sampleCommands(s),
    ...explainCommands(s, panels),
  } satisfies Record<CommandId, CommandHandler>;
  for (const [id, handler] of Object.entries(handlers)) {
    context.subscriptions.push(vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown));
  }
  s.supervisor.on('change', (snapshot: { modelPath: string; state: string }) => {
    if (snapshot.state === 'failed')
      void s.showError(
        `Model Lab: the server for ${snapshot.modelPath} keeps exiting; it was not restarted ` +
          `again. See the log, then use "Model Lab: Restart Server".`,
      );
  });

  const activationMs = performance.now() - started;
  s.log.appendLine(`Model Lab activated in ${activationMs.toFixed(1)} ms`);

  const serverOf = (modelPath: string) => {
    const server = s.supervisor.get(resolve(modelPath));
    if (!server) throw new Error(`no Model Lab server was started for ${modelPath}`);
    return server;
  };
  return {
    activationMs,
    servers: {
      list: () => s.supervisor.list(),
      start: async (modelPath) => (await s.supervisor.ensure(resolve(modelPath), () => s.settingsFor(resolve(modelPath)))).snapshot(),
      stop: (modelPath) => serverOf(modelPath).stop(),
      waitForState: (modelPath, state, timeoutMs) => serverOf(modelPath).waitForState(state, timeoutMs),
    },
    share: {
      create: (modelPath, options) => createShare(serverOf(modelPath), options),
      revoke: (modelPath, id) => serverOf(modelPath).revokeToken(id),
    },
    panels: { list: () => panels.list(), revive: (panel, state) => panels.deserializeWebviewPanel(panel, state) },
  };
}

/** Stops every server child; VS Code waits for the returned promise (briefly) on shutdown. */
export function deactivate(): Promise<void> | undefined {
  return shell?.supervisor.stopAll();
}
