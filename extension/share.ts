/**
 * Share Prototype URL: a link to the model's UI carrying a fresh token (256 bits, expiring, revocable;
 * minted by the server through the admin credential only this extension holds).
 *
 * - Default: loopback, passed through `vscode.env.asExternalUri`, so from a remote window or a
 *   Codespace the link is the forwarded one that works on the user's machine.
 * - LAN: only when `modelLab.share.allowLan` is on AND the user confirms a modal naming the address;
 *   the server is then restarted on 0.0.0.0 (tokens are always required).
 */
import { networkInterfaces } from 'node:os';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { ModelServer } from './model-server/supervisor';
import { config, type Shell } from './shell';

export interface SharedLink {
  /** The link to hand out. */
  url: string;
  /** The same on this machine's loopback. */
  localUrl: string;
  token: string;
  id: string;
  expiresAt: string | null;
}

/** First non-internal IPv4 address of this machine, if any. */
export function lanAddress(): string | undefined {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const a of addresses ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

/**
 * Mints a token and builds the links (no UI; the API and the command both use it). `role: 'owner'` gives
 * the link the lab (jobs, metrics) as the editor's own panel has it; only the API offers that.
 */
export async function createShare(
  server: ModelServer,
  options: { expiresInMinutes?: number; lan?: boolean; role?: 'share' | 'owner' } = {},
): Promise<SharedLink> {
  const minutes = options.expiresInMinutes ?? config().get<number>('share.expiryMinutes', 60);
  const minted = await server.mintToken(minutes, options.role === 'owner' ? 'owner link' : 'shared link', options.role ?? 'share');
  const query = `?token=${encodeURIComponent(minted.token)}`;
  const localUrl = `http://127.0.0.1:${server.port}/${query}`;
  let base: string;
  if (options.lan) {
    const address = lanAddress();
    if (!address) throw new Error('this machine has no LAN address (no non-internal IPv4 interface)');
    base = `http://${address}:${server.port}/`;
  } else {
    base = (await vscode.env.asExternalUri(vscode.Uri.parse(`http://127.0.0.1:${server.port}/`))).toString(true);
    if (!base.endsWith('/')) base += '/';
  }
  return { url: base + query, localUrl, token: minted.token, id: minted.id, expiresAt: minted.expiresAt };
}

/** The command: choose loopback or LAN, mint, copy, offer to open or revoke. Returns the URL. */
export async function shareCommand(shell: Shell, modelPath: string): Promise<string | undefined> {
  let lan = false;
  if (config().get<boolean>('share.allowLan', false)) {
    const address = lanAddress();
    const choice = await vscode.window.showQuickPick(
      [
        { label: 'This machine (or the forwarded port of a remote window)', lan: false },
        { label: `Local network: http://${address ?? '?'}:…`, description: 'anyone on the network with the link', lan: true },
      ],
      { title: 'Share the prototype with…' },
    );
    if (!choice) return undefined;
    if (choice.lan) {
      const confirm = await vscode.window.showWarningMessage(
        `Listen on the local network?\n\nThe server for ${basename(modelPath)} will accept ` +
          `connections on ${address ?? 'all interfaces'} (0.0.0.0). ` +
          "Every request still needs the link's token, which expires and can be revoked. Only do this on a network you trust.",
        { modal: true },
        'Listen on the LAN',
      );
      if (confirm !== 'Listen on the LAN') return undefined;
      lan = true;
    }
  }
  let server = await shell.ensureServer(modelPath);
  if (lan && server.settings.host !== '0.0.0.0') {
    shell.lanModels.add(modelPath);
    shell.log.appendLine(`[${basename(modelPath)}] restarting on 0.0.0.0 for LAN sharing (user confirmed)`);
    await server.restart({ host: '0.0.0.0' });
    server = shell.supervisor.get(modelPath)!;
  }
  const link = await createShare(server, { lan });
  await vscode.env.clipboard.writeText(link.url);
  shell.log.appendLine(`[${basename(modelPath)}] shared link ${link.id} (expires ${link.expiresAt ?? 'never'})${lan ? ' on the LAN' : ''}`);
  const expires = link.expiresAt ? ` It expires at ${new Date(link.expiresAt).toLocaleTimeString()}.` : '';
  void vscode.window
    .showInformationMessage(
      `Copied a link to ${basename(modelPath)}${lan ? ` on the LAN (${new URL(link.url).host})` : ''}.${expires}`,
      'Open',
      'Revoke',
    )
    .then(async (action) => {
      if (action === 'Open') await vscode.env.openExternal(vscode.Uri.parse(link.url));
      if (action === 'Revoke' && (await server.revokeToken(link.id))) void vscode.window.showInformationMessage('The link was revoked.');
    });
  return link.url;
}

/** Revokes every shared link of the model (the lab panel's own token stays). */
export async function revokeAll(server: ModelServer): Promise<number> {
  const shares = (await server.listTokens()).filter((s) => s.label !== 'vscode-lab-panel');
  for (const s of shares) await server.revokeToken(s.id);
  return shares.length;
}
