/**
 * The VS Code shell. For now (foundation issue) one real command: serve a model with the same server
 * build the CLI uses, in a child process (native onnxruntime code must never run inside the extension
 * host), and open its UI. Commands, custom editor, lab panel and supervision arrive with the extension
 * issue; `server/` stays free of VS Code either way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import * as vscode from 'vscode';

const servers = new Set<ChildProcess>();

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Model Lab');
  context.subscriptions.push(log, vscode.commands.registerCommand('modelLab.serveInBrowser', async (uri?: vscode.Uri) => {
    const model = uri ?? (await vscode.window.showOpenDialog({ filters: { 'ONNX model': ['onnx'] }, canSelectMany: false }))?.[0];
    if (!model) return;
    const cli = join(context.extensionPath, 'dist', 'server', 'cli.js');
    const child = spawn(process.execPath, [cli, 'serve', model.fsPath, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    servers.add(child);
    child.on('exit', (code) => { servers.delete(child); log.appendLine(`server for ${model.fsPath} exited (${code})`); });
    child.stderr!.on('data', (chunk: Buffer) => log.append(chunk.toString()));
    for await (const line of createInterface({ input: child.stdout! })) {
      log.appendLine(line);
      try {
        const ready = JSON.parse(line) as { event?: string; url?: string };
        if (ready.event === 'ready' && ready.url) { await vscode.env.openExternal(vscode.Uri.parse(ready.url)); break; }
      } catch { /* not the ready line */ }
    }
  }));
}

export function deactivate(): void {
  for (const child of servers) child.kill('SIGTERM');
}
