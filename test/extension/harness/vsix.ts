/**
 * The packaged extension for the e2e test, made by the project's own packaging (`npm run package`,
 * scripts/package-vsix.mjs: platform-specific VSIX for linux-x64) into .cache/vsix/: the same file a
 * user installs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './code-server';

const VSIX_DIR = join(REPO_ROOT, '.cache', 'vsix');

export function packageVsix(): { path: string; bytes: number; durationMs: number } {
  const started = Date.now();
  mkdirSync(VSIX_DIR, { recursive: true });
  const out = join(VSIX_DIR, 'model-lab-e2e.vsix');
  const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  if (!scripts.package) throw new Error('package.json has no "package" script (npm run package builds the VSIX)');
  const [cmd, args] = ['npm', ['run', '--silent', 'package', '--', '--target', 'linux-x64', '--out', out]];
  const before = existsSync(out) ? statSync(out).mtimeMs : 0;
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 240_000 });
  if (r.status !== 0 || !existsSync(out) || statSync(out).mtimeMs === before) {
    throw new Error(
      `packaging the extension failed (${cmd} ${args.join(' ')}, exit ${r.status}):\n` +
        `${r.stdout?.slice(-4000)}\n${r.stderr?.slice(-4000)}\n` +
        `files in ${VSIX_DIR}: ${readdirSync(VSIX_DIR).join(', ')}`,
    );
  }
  return { path: out, bytes: statSync(out).size, durationMs: Date.now() - started };
}
