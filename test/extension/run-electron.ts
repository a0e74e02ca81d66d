/**
 * The same in-host suite under `@vscode/test-electron` (a desktop VS Code it downloads), for machines
 * with internet access: `npm run test:electron`. CI here cannot download VS Code and uses code-server
 * instead (host.test.ts, see ../shared/notes/vscode-host.md); the suite and its `run()` are identical.
 * Set VSCODE_TEST_VERSION to pin a version (default: stable).
 */
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from './harness/code-server';
import { buildProjectIfNeeded } from './harness/route-a';
import { bundleSuite } from './harness/suite-bundle';
import { makeWorkspace } from './harness/workspace';

async function main(): Promise<void> {
  buildProjectIfNeeded();
  const extensionTestsPath = await bundleSuite();
  const workspace = await makeWorkspace();
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION,
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath,
      launchArgs: [workspace.dir, '--disable-extensions', '--skip-welcome', '--skip-release-notes', '--disable-workspace-trust'],
    });
  } finally {
    await workspace.remove();
  }
}

main().catch((err: unknown) => {
  console.error(`extension tests failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
