/**
 * The in-host test runner, in the `run()` contract of `@vscode/test-electron`: VS Code loads this module
 * in the extension host (code-server's here, an Electron VS Code's under `npm run test:electron`) and
 * awaits `run()`; a rejection makes the host exit with code 1. Mocha runs every `*.suite.js` bundled
 * beside this file (`harness/suite-bundle.ts`), one file per feature.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // Colours would reach the log as escape codes; the spec reporter prints with console.log, which the
  // workbench forwards to `codeAutomationLog` (and test-electron to the terminal).
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, slow: 10_000 });
  const grep = process.env.MODEL_LAB_SUITE_GREP;
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(__dirname)
    .filter((f) => f.endsWith('.suite.js'))
    .sort())
    mocha.addFile(join(__dirname, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
