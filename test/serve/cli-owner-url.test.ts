/**
 * `model-lab serve` without a token of its own makes an owner token and prints the URL to open with it
 * on stderr, as Jupyter does; the ready line on stdout (which supervisors parse and log) never carries
 * it. That URL's token opens the lab's job routes, which refuse callers without it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { repoPath } from '../helpers/server';

test('serve prints the owner URL (…/?token=…) on stderr, not on stdout; its token opens /api/perf', async () => {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', repoPath('server/cli/main.ts'), 'serve', repoPath('samples/iris/iris.onnx'), '--port', '0', '--no-watch'],
    { cwd: repoPath(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const stderrLines = createInterface({ input: child.stderr });
    const openLine = new Promise<string>((resolve, reject) => {
      stderrLines.on('line', (line) => {
        if (/ open http/.test(line)) resolve(line);
      });
      child.once('exit', () => reject(new Error('serve exited before printing the URL')));
    });
    const readyLine = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
    const ready = JSON.parse(readyLine) as { url: string };
    assert.doesNotMatch(readyLine, /token/i, 'the ready line carries no token');
    const match = / open (http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]{43}) /.exec(await openLine);
    assert.ok(match, await openLine);
    assert.equal(match[1], ready.url);
    assert.equal((await fetch(`${ready.url}/api/perf`)).status, 401);
    assert.equal((await fetch(`${ready.url}/api/perf`, { headers: { authorization: `Bearer ${match[2]}` } })).status, 200);
    assert.equal((await fetch(`${ready.url}/v2/models/iris`)).status, 200, 'metadata needs no token');
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
