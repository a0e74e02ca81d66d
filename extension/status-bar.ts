/**
 * The status bar item: the model in focus (or how many servers run), its port and request count
 * (polled from `/metrics` every 3 s while a server runs; polling stops when none does). A click offers
 * open panel / share / restart / stop / log for that server.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { CommandId } from './command-ids';
import type { ModelServer } from './model-server/supervisor';
import type { Shell } from './shell';

const POLL_MS = 3000;

export class ServerStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('modelLab.server', vscode.StatusBarAlignment.Left, 50);
  private timer: NodeJS.Timeout | undefined;
  private requests = new Map<string, number>();

  constructor(private readonly shell: Shell) {
    this.item.name = 'Model Lab server';
    this.item.command = CommandId.serverMenu;
    const refresh = () => {
      this.update();
      this.schedule();
    };
    shell.supervisor.on('change', refresh);
    shell.supervisor.on('ready', refresh);
  }

  /** The server the item describes: the one in focus, else the most recent. */
  current(): ModelServer | undefined {
    const focused = this.shell.activeModel?.();
    const server = focused ? this.shell.supervisor.get(focused) : undefined;
    return server && server.state !== 'stopped' ? server : (this.shell.supervisor.mostRecent() ?? this.shell.supervisor.running()[0]);
  }

  update(): void {
    const server = this.current();
    const running = this.shell.supervisor.running();
    if (!server || !running.length) {
      this.item.hide();
      return;
    }
    const name = basename(server.modelPath, '.onnx');
    const count = this.requests.get(server.modelPath);
    const icon = server.state === 'running' ? '$(server-process)' : server.state === 'failed' ? '$(error)' : '$(sync~spin)';
    const more = running.length > 1 ? ` +${running.length - 1}` : '';
    this.item.text = `${icon} ${name}${server.port ? ` :${server.port}` : ''}${count !== undefined ? ` · ${count} req` : ''}${more}`;
    this.item.tooltip =
      `Model Lab: ${server.modelPath}\n${server.state}${server.url ? ` at ${server.url}` : ''}` +
      `${server.settings.host === '0.0.0.0' ? ' (listening on the LAN)' : ''}\nClick for actions`;
    this.item.show();
  }

  private schedule(): void {
    const anyRunning = this.shell.supervisor.running().some((s) => s.state === 'running');
    if (anyRunning && !this.timer) this.timer = setInterval(() => void this.poll(), POLL_MS);
    if (!anyRunning && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private async poll(): Promise<void> {
    for (const server of this.shell.supervisor.running()) {
      if (server.state !== 'running') continue;
      try {
        this.requests.set(server.modelPath, await server.requestCount());
      } catch {
        /* a restart is under way */
      }
    }
    this.update();
  }

  /** The click: actions for the current server. */
  async showMenu(): Promise<void> {
    const server = this.current();
    if (!server) {
      await vscode.commands.executeCommand(CommandId.openModel);
      return;
    }
    const uri = vscode.Uri.file(server.modelPath);
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(window) Open Lab Panel', command: CommandId.openModel },
        { label: '$(link) Share Prototype URL…', command: CommandId.shareUrl },
        { label: '$(debug-restart) Restart Server', command: CommandId.restartServer },
        { label: '$(debug-stop) Stop Server', command: CommandId.stopServer },
        { label: '$(output) Show Server Log', command: CommandId.showLog },
      ],
      { title: `Model Lab: ${basename(server.modelPath)} (${server.state}${server.url ? `, ${server.url}` : ''})` },
    );
    if (pick) await vscode.commands.executeCommand(pick.command, uri);
  }

  dispose(): void {
    clearInterval(this.timer);
    this.item.dispose();
  }
}
