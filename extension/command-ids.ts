/**
 * The `modelLab.*` command ids, defined once. `package.json` `contributes.commands` must list exactly
 * these (test/extension-shell/command-ids.test.ts checks it, and that menus, activation events and
 * walkthrough links name only these); extension.ts fails to compile unless each has a handler.
 */
export const CommandId = {
  openModel: 'modelLab.openModel',
  showOverview: 'modelLab.showOverview',
  startServer: 'modelLab.startServer',
  stopServer: 'modelLab.stopServer',
  restartServer: 'modelLab.restartServer',
  shareUrl: 'modelLab.shareUrl',
  revokeShares: 'modelLab.revokeShares',
  compare: 'modelLab.compare',
  checkDrift: 'modelLab.checkDrift',
  exportBundle: 'modelLab.exportBundle',
  showLog: 'modelLab.showLog',
  setReference: 'modelLab.setReference',
  batchPredict: 'modelLab.batchPredict',
  serveInBrowser: 'modelLab.serveInBrowser',
  /** The status bar item's quick pick; hidden from the palette (`commandPalette` `when: false`). */
  serverMenu: 'modelLab.serverMenu',
  trySample: 'modelLab.trySample',
  explainModel: 'modelLab.explainModel',
} as const;

export type CommandId = (typeof CommandId)[keyof typeof CommandId];

export const COMMAND_IDS: readonly CommandId[] = Object.values(CommandId);

/** A command's handler, as `vscode.commands.registerCommand` takes it (arguments typed per command). */
export type CommandHandler = (...args: never[]) => unknown;

/** A set of handlers keyed by command id, as each `commands/*.ts` module returns it. */
export type CommandHandlers = Partial<Record<CommandId, CommandHandler>>;
