/**
 * "Model Lab: Try a Sample Model": the samples ship inside the extension (dist/samples/, listed in its
 * index.json by scripts/build.mjs) but an installed extension's folder is read-only and may be replaced by
 * an update, so the chosen sample is copied into a folder the user owns first — the open workspace
 * (`model-lab-samples/<name>/`, visible in the Explorer for the walkthrough's right-click steps), else the
 * extension's global storage — and opened in the lab panel from there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { CommandId, type CommandHandlers } from '../command-ids';
import type { Shell } from '../shell';

/** One entry of dist/samples/index.json. */
export interface SampleEntry {
  name: string;
  description: string;
  model: string;
  files: string[];
}

export function readSampleIndex(extensionPath: string): SampleEntry[] {
  const index = join(extensionPath, 'dist', 'samples', 'index.json');
  if (!existsSync(index)) throw new Error(`this installation has no samples (${index} is missing)`);
  return JSON.parse(readFileSync(index, 'utf8')) as SampleEntry[];
}

/** Where the sample's copy goes: the first workspace folder, else the extension's global storage. */
function samplesHome(shell: Shell): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  return folder?.uri.scheme === 'file'
    ? join(folder.uri.fsPath, 'model-lab-samples')
    : join(shell.context.globalStorageUri.fsPath, 'samples');
}

/** Copies the sample's files that are not there yet (a file the user edited is kept). Returns the model path. */
async function copySample(shell: Shell, sample: SampleEntry): Promise<string> {
  const from = join(shell.context.extensionPath, 'dist', 'samples', sample.name);
  const to = join(samplesHome(shell), sample.name);
  await mkdir(to, { recursive: true });
  for (const file of sample.files) {
    if (!existsSync(join(to, file))) await copyFile(join(from, file), join(to, file));
  }
  return join(to, sample.model);
}

export function sampleCommands(shell: Shell) {
  return {
    /** `name` (optional) skips the quick pick. Returns the copied model's path. */
    [CommandId.trySample]: async (name?: string) => {
      try {
        const samples = readSampleIndex(shell.context.extensionPath);
        let sample = typeof name === 'string' ? samples.find((s) => s.name === name) : undefined;
        if (typeof name === 'string' && !sample)
          throw new Error(`no sample named '${name}' (there are: ${samples.map((s) => s.name).join(', ')})`);
        if (!sample) {
          const picked = await vscode.window.showQuickPick(
            samples.map((s) => ({ label: s.name, detail: s.description, sample: s })),
            { title: 'Model Lab: try a sample model (copied into a folder of yours, then opened in the lab)', matchOnDetail: true },
          );
          if (!picked) return undefined;
          sample = picked.sample;
        }
        const modelPath = await copySample(shell, sample);
        shell.log.appendLine(`[samples] ${sample.name} copied to ${modelPath}`);
        await vscode.commands.executeCommand(CommandId.openModel, vscode.Uri.file(modelPath));
        return modelPath;
      } catch (err) {
        await shell.showError(`Model Lab: cannot open the sample: ${(err as Error).message}`);
        return undefined;
      }
    },
  } satisfies CommandHandlers;
}
