/**
 * The command registry loads commands on use: its names and summaries agree with the commands
 * themselves, and the built CLI (dist/server/cli.js, one bundle per command) loads only the bundle of
 * the command it runs, while still mapping that bundle's errors to their exit codes.
 * Needs `node scripts/build.mjs` first (as the other tests that drive dist/).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { COMMANDS } from '../../server/cli/commands/index';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'dist/server/cli.js');

test('every registry entry loads a command of the same name and summary', async () => {
  assert.equal(new Set(COMMANDS.map((c) => c.name)).size, COMMANDS.length);
  for (const entry of COMMANDS) {
    const command = await entry.load();
    assert.equal(command.name, entry.name);
    assert.equal(command.summary, entry.summary, `summary of '${entry.name}' in commands/index.ts`);
    assert.match(command.usage, new RegExp(`model-lab ${entry.name}`));
  }
});

/** Runs the built CLI with a preload that prints, on exit, which dist/server bundles were loaded. */
function builtCli(...args: string[]): { status: number | null; stdout: string; stderr: string; loaded: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-registry-'));
  const preload = join(dir, 'loaded.cjs');
  const record = join(dir, 'loaded.json');
  writeFileSync(
    preload,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(record)}, JSON.stringify(Object.keys(require.cache))));`,
  );
  const r = spawnSync(process.execPath, ['--require', preload, CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const loaded = existsSync(record)
    ? (JSON.parse(readFileSync(record, 'utf8')) as string[])
        .filter((p) => p.startsWith(join(ROOT, 'dist/server')))
        .map((p) => p.slice(join(ROOT, 'dist/server').length + 1))
    : [];
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, loaded: loaded.sort() };
}

test('the built CLI loads only the bundle of the command it runs', { skip: !existsSync(CLI) && 'dist/ not built' }, () => {
  assert.ok(statSync(CLI).size < 200_000, `cli.js is the dispatcher only (${statSync(CLI).size} bytes)`);
  const version = builtCli('--version');
  assert.equal(version.status, 0);
  assert.deepEqual(version.loaded, ['cli.js']);
  const help = builtCli('--help');
  assert.equal(help.status, 0);
  for (const entry of COMMANDS) assert.ok(help.stdout.includes(`  ${entry.name.padEnd(8)}  ${entry.summary}`), entry.name);
  assert.deepEqual(help.loaded, ['cli.js'], '--help lists the commands without loading them');
  const drift = builtCli('drift', join(ROOT, 'samples/iris/reference.csv'), join(ROOT, 'samples/iris/current.csv'), '--quiet', '--no-mmd');
  assert.equal(drift.status, 0, drift.stderr);
  assert.match(drift.stdout, /sepal/);
  assert.deepEqual(drift.loaded, ['cli-drift.js', 'cli.js']);
  const info = builtCli('info', join(ROOT, 'samples/iris/iris.onnx'));
  assert.equal(info.status, 0, info.stderr);
  assert.deepEqual(info.loaded, ['cli-info.js', 'cli.js']);
});

test("the built CLI maps a command bundle's errors to their exit codes", { skip: !existsSync(CLI) && 'dist/ not built' }, () => {
  // UsageError thrown in cli-drift.js (its own copy of the class): exit 2 and the pointer to --help.
  const usage = builtCli('drift', '--bogus');
  assert.equal(usage.status, 2);
  assert.match(usage.stderr, /^model-lab: .*--bogus.*see 'model-lab drift --help'\n$/);
  // A ModelLabError with its own exit code (a missing file is exit 2 for drift).
  const missing = builtCli('drift', join(ROOT, 'no-such.csv'), join(ROOT, 'samples/iris/current.csv'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^model-lab drift: .*no-such\.csv.* does not exist\n$/);
  // help <command> loads that command for its usage.
  const topic = builtCli('help', 'compress');
  assert.equal(topic.status, 0);
  assert.match(topic.stdout, /model-lab compress/);
  assert.deepEqual(topic.loaded, ['cli-compress.js', 'cli.js']);
});
