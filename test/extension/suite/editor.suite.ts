/** Opening a sample .onnx shows the read-only custom editor (model overview) rather than a binary/text editor. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'mocha';
import * as vscode from 'vscode';
import { CommandId } from '../../../extension/command-ids';
import { waitFor, workspaceFile } from './model-lab';

const VIEW_TYPE = 'modelLab.onnxEditor';

function customTabFor(uri: vscode.Uri): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((tab) => tab.input instanceof vscode.TabInputCustom && tab.input.uri.toString() === uri.toString());
}

describe('custom editor for .onnx', () => {
  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens iris.onnx (a plain "open", as a double-click does) in the Model Lab overview editor', async () => {
    const model = workspaceFile('iris', 'iris.onnx');
    await vscode.commands.executeCommand('vscode.open', model);
    const tab = await waitFor(`a custom editor tab for ${model.fsPath}`, () => customTabFor(model));
    assert.equal((tab.input as vscode.TabInputCustom).viewType, VIEW_TYPE);
    assert.equal(tab.isActive, true);
  });

  it('opens it through the "Show Model Overview" command too', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const model = workspaceFile('breast-cancer', 'breast_cancer.onnx');
    await vscode.commands.executeCommand(CommandId.showOverview, model);
    const tab = await waitFor(`a custom editor tab for ${model.fsPath}`, () => customTabFor(model));
    assert.equal((tab.input as vscode.TabInputCustom).viewType, VIEW_TYPE);
  });
});
