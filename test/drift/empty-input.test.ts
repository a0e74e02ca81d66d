/**
 * An empty side is bad input, never a passing gate: `model-lab drift ref.csv current.csv --fail-on-drift`
 * with a header-only or zero-byte file (either side) exits 2 naming the file (it used to exit 0 with
 * "0 of 0 columns drifted"), and an HTTP drift job on such a file ends `failed` with that message.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const dir = mkdtempSync(join(tmpdir(), 'model-lab-empty-drift-'));
const reference = join(dir, 'reference.csv');
const headerOnly = join(dir, 'header-only.csv');
const zeroBytes = join(dir, 'zero-bytes.csv');
const blankRows = join(dir, 'blank-rows.csv');
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => {
  copyFileSync(repoPath('samples/flights/reference.csv'), reference);
  copyFileSync(repoPath('samples/flights/flights.onnx'), join(dir, 'flights.onnx'));
  const header = readFileSync(reference, 'utf8').split('\n')[0];
  writeFileSync(headerOnly, `${header}\n`);
  writeFileSync(zeroBytes, '');
  writeFileSync(blankRows, `${header}\n\n\n`);
});

function cliDrift(...args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', repoPath('server/cli/main.ts'), 'drift', ...args, '--quiet', '--fail-on-drift'],
    { cwd: repoPath(), encoding: 'utf8', timeout: 60_000 },
  );
  return { status: r.status, stderr: r.stderr };
}

describe('drift with an empty file', () => {
  for (const [name, file, what] of [
    ['header-only', headerOnly, 'a header and no data rows'],
    ['zero-byte', zeroBytes, 'zero bytes'],
    ['blank-lines-only', blankRows, 'a header and no data rows'],
  ] as const) {
    test(`CLI: ${name} current file → exit 2, naming the file`, () => {
      const r = cliDrift(reference, file);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.includes(`the current CSV ${file} has no data rows (${what})`), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'one clear line, no stack trace');
    });
    test(`CLI: ${name} reference file → exit 2, naming the file`, () => {
      const r = cliDrift(file, reference);
      assert.equal(r.status, 2, r.stderr);
      assert.ok(r.stderr.includes(`the reference CSV ${file} has no data rows (${what})`), r.stderr);
    });
  }

  describe('HTTP drift job', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer(join(dir, 'flights.onnx'), { host: { referenceCsv: reference } });
    });
    after(async () => {
      await server?.close();
    });

    for (const [side, body] of [
      ['current', { source: 'files', reference, current: headerOnly }],
      ['reference', { source: 'files', reference: zeroBytes, current: reference }],
    ] as const) {
      test(`an empty ${side} file: the job fails with the message, never "done"`, async () => {
        const started = await postJson(`${server.url}/api/jobs/drift`, body, server.ownerHeaders);
        let job: { status: string; error: { message: string } | null; result: unknown } | undefined;
        if (started.status === 202) {
          const deadline = Date.now() + 30_000;
          do {
            await new Promise((r) => setTimeout(r, 50));
            job = (await (await fetch(`${server.url}/api/jobs/${started.json.id}`, { headers: server.ownerHeaders })).json()) as typeof job;
          } while (job!.status === 'running' && Date.now() < deadline);
          assert.equal(job!.status, 'failed', JSON.stringify(job));
          assert.equal(job!.result, null);
          assert.match(job!.error!.message, new RegExp(`the ${side} CSV .* has no data rows`));
        } else {
          // Refusing it up front (4xx) is as good as a failed job: what matters is no passing report.
          assert.ok(started.status >= 400 && started.status < 500, JSON.stringify(started));
          assert.match(JSON.stringify(started.json), /has no data rows/);
        }
      });
    }
  });
});
