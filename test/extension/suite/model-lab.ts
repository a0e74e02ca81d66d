/**
 * Shared by the suite files: the extension under test, its test API (see extension/TESTING.md) and the
 * workspace the runner opened (copies of the samples, so tests may write beside them).
 */
import * as vscode from 'vscode';

export const EXTENSION_ID = 'model-lab.model-lab';

/** The extension's own API type (extension/api.ts); a type-only import, so nothing of it is bundled here. */
export type ModelLabTestApi = import('../../../extension/api').ModelLabApi;
export type ServerSnapshot = import('../../../extension/api').ServerSnapshot;

export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not loaded in this host (extensionDevelopmentPath wrong?)`);
  return ext;
}

export async function activate(): Promise<ModelLabTestApi | undefined> {
  return (await extension().activate()) as ModelLabTestApi | undefined;
}

/** Absolute path of a file in the opened workspace (the runner copies samples/<name>/ there). */
export function workspaceFile(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open; the runner must pass ?folder=');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

/** One line the node:test wrapper picks out of the log to report a figure (e.g. activation time). */
export function reportFigure(name: string, value: number): void {
  console.log(`MODEL_LAB_FIGURE ${JSON.stringify({ name, value })}`);
}

/** Polls `probe` until it returns a value; fails naming `what` after the (generous) timeout. */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Replaces `vscode.window` functions (showQuickPick, showOpenDialog, …) for the duration of a test, so
 * a command's own dialogs are answered here. The suite is loaded from inside the extension's folder, so
 * the extension host gives it the same `vscode` API object as the extension: the extension sees the stub.
 * Returns the function that puts the originals back.
 */
export function stubWindow(stubs: Partial<Record<keyof typeof vscode.window, unknown>>): () => void {
  const window = vscode.window as unknown as Record<string, unknown>;
  const originals = Object.fromEntries(Object.keys(stubs).map((k) => [k, window[k]]));
  for (const [k, v] of Object.entries(stubs)) window[k] = v;
  return () => {
    for (const [k, v] of Object.entries(originals)) window[k] = v;
  };
}
