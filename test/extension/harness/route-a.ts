/**
 * Route A: the Mocha suite (test/extension/suite/) inside a real extension host. Bundles the suite,
 * starts code-server with the smoke-test driver, opens the workbench in Chromium with the
 * `extensionDevelopmentPath`/`extensionTestsPath` payload, and waits for the host's exit code.
 * Everything started here is stopped in `finally`.
 */
import { spawnSync } from 'node:child_process';
import { REPO_ROOT, startCodeServer } from './code-server';
import { bundleSuite } from './suite-bundle';
import { openWorkbench } from './workbench';
import { makeWorkspace } from './workspace';

export interface SuiteResult {
  exitCode: number;
  /** Mocha's spec output and whatever else the host logged. */
  log: string[];
  /** `MODEL_LAB_FIGURE` lines the suite printed (e.g. activationMs). */
  figures: Record<string, number>;
  durationMs: number;
}

/** Rebuilds dist/ when a source changed: the host loads dist/extension/extension.js and the server build. */
export function buildProjectIfNeeded(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-needed'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function runSuiteInHost(options: { timeoutMs?: number } = {}): Promise<SuiteResult> {
  const started = Date.now();
  buildProjectIfNeeded();
  const testsDir = await bundleSuite();
  const workspace = await makeWorkspace();
  const server = await startCodeServer({ smokeTestDriver: true });
  let workbench: Awaited<ReturnType<typeof openWorkbench>> | undefined;
  try {
    workbench = await openWorkbench(server, {
      folder: workspace.dir,
      extensionTests: { extensionDevelopmentPath: REPO_ROOT, extensionTestsPath: testsDir },
    });
    const timeoutMs = options.timeoutMs ?? 300_000;
    let timer: NodeJS.Timeout | undefined;
    const exitCode = await Promise.race([
      workbench.exitCode,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `the extension host did not finish the suite within ${timeoutMs} ms.\n` +
                  `Host log so far:\n${workbench!.log.join('\n')}\ncode-server output:\n${server.output().slice(-5000)}`,
              ),
            ),
          timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const figures: Record<string, number> = {};
    for (const line of workbench.log) {
      const m = /MODEL_LAB_FIGURE (\{.*\})/.exec(line);
      if (m) {
        const { name, value } = JSON.parse(m[1]) as { name: string; value: number };
        figures[name] = value;
      }
    }
    return { exitCode, log: workbench.log, figures, durationMs: Date.now() - started };
  } finally {
    await workbench?.close();
    await server.close();
    await workspace.remove();
  }
}
