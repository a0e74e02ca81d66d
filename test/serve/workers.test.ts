/**
 * `model-lab serve --workers 2` (the built CLI, a real child process): both workers answer OIP infer on the
 * one port, /metrics sums them, share links are refused (per-process state), a killed worker is replaced,
 * and SIGTERM stops the primary and every worker.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { repoPath } from '../helpers/server';

const MODEL = repoPath('samples/iris/iris.onnx');
const BODY = JSON.stringify({ inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [5.1, 3.5, 1.4, 0.2] }] });

/** One POST on a fresh connection (round robin hands out connections, not requests). */
function post(url: string, body: string): Promise<{ status: number; worker: string | undefined; json: { outputs?: unknown[] } }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, worker: res.headers['x-model-lab-worker'] as string, json: JSON.parse(text) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Child pids of `pid` (Linux /proc), to see that the workers are gone after a stop. */
function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('serve --workers 2: both workers answer, /metrics sums them, a killed worker is replaced, SIGTERM stops all', async () => {
  const child = spawn(process.execPath, [repoPath('bin/model-lab.js'), 'serve', MODEL, '--port', '0', '--no-watch', '--workers', '2'], {
    cwd: repoPath(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stderr: string[] = [];
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
  let workers: number[] = [];
  try {
    const readyLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', () => reject(new Error(`serve exited before its ready line:\n${stderr.join('\n')}`)));
    });
    const ready = JSON.parse(readyLine) as { url: string; pid: number; workers: number };
    assert.equal(ready.workers, 2);
    assert.equal(ready.pid, child.pid, 'the ready line names the primary');
    workers = childPids(child.pid!);
    assert.equal(workers.length, 2, `two worker processes, got ${workers.join(', ')}`);

    const url = `${ready.url}/v2/models/iris/infer`;
    const seen = new Set<string>();
    for (let i = 0; i < 8; i++) {
      const res = await post(url, BODY);
      assert.equal(res.status, 200);
      assert.equal(res.json.outputs?.length, 2, 'label and probabilities');
      seen.add(res.worker ?? '(none)');
    }
    assert.ok(seen.size >= 2 && !seen.has('(none)'), `answers from ≥ 2 workers, saw ${[...seen].join(', ')}`);

    // One scrape, whichever worker takes it, counts the requests of both.
    const metrics = await (await fetch(`${ready.url}/metrics`)).text();
    const served = Number(
      /^http_requests_total\{route="\/v2\/models\/:model\/infer",method="POST",status="200"\} (\d+)$/m.exec(metrics)?.[1],
    );
    assert.equal(served, 8);

    const share = await fetch(`${ready.url}/api/share`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(share.status, 501);
    assert.match(((await share.json()) as { error: string }).error, /single server process/);

    // A worker that dies is logged and replaced; the port keeps answering.
    process.kill(workers[0], 'SIGKILL');
    for (let i = 0; i < 100 && !stderr.some((l) => /worker \d+ \(pid \d+\) was killed by SIGKILL; starting a new one/.test(l)); i++)
      await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 200 && !stderr.some((l) => /worker \d+ \(pid \d+\) serving/.test(l)); i++)
      await new Promise((r) => setTimeout(r, 50));
    workers = childPids(child.pid!);
    assert.equal(workers.length, 2, 'the dead worker was replaced');
    for (let i = 0; i < 4; i++) assert.equal((await post(url, BODY)).status, 200);
  } finally {
    child.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0, `primary exit code; stderr:\n${stderr.join('\n')}`);
  }
  for (const pid of workers) assert.equal(alive(pid), false, `worker ${pid} stopped with the primary`);
});
