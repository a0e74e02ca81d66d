/**
 * What "Explain Model…" runs, without VS Code: `runServerJob` (extension/model-server/server-jobs.ts)
 * drives the `explain` job on a real supervised server child (`dist/server/cli.js serve`, tokens
 * required, the admin credential as the owner): progress while it runs, the report at the end, a
 * refusal in the server's words, and a cancel that ends the job `cancelled` on the server.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ServerSettings } from '../../extension/model-server/cli-contract';
import { runServerJob, ServerJobError } from '../../extension/model-server/server-jobs';
import { ServerSupervisor } from '../../extension/model-server/supervisor';
import { CancelledError } from '../../server/protocol/errors';
import type { JobProgress, JobState } from '../../server/protocol/jobs';
import { repoPath } from '../helpers/server';

const settings = (referenceCsv?: string) => (): ServerSettings => ({
  port: 0,
  host: '127.0.0.1',
  referenceCsv,
  batching: { enabled: true, maxBatchSize: 64, maxDelayMs: 2 },
  shareExpiryMinutes: 60,
  corsOrigins: [],
});

describe('runServerJob: the explain job on a supervised server', () => {
  const supervisor = new ServerSupervisor({
    cliPath: repoPath('dist/server/cli.js'),
    nodePath: process.execPath,
    log: () => {},
    maxRestarts: 0,
  });
  after(() => supervisor.stopAll());

  test('flights with its reference: progress while it runs, then the report (the served reference is the default data)', async () => {
    const server = await supervisor.ensure(repoPath('samples/flights/flights.onnx'), settings(repoPath('samples/flights/reference.csv')));
    const seen: JobProgress[] = [];
    const state = await runServerJob(
      server,
      'explain',
      { methods: ['permutation', 'shap'] },
      { onProgress: (p) => seen.push(p), pollMs: 20 },
    );
    assert.equal(state.status, 'done');
    assert.equal(state.kind, 'explain');
    const report = state.result!;
    assert.equal(report.data.target, 'delayed');
    assert.equal(report.permutation?.features.length, 5);
    assert.ok(report.shap?.local, 'SHAP of row 0');
    assert.equal(report.partialDependence, null, 'only the methods asked for');
    assert.ok(seen.length >= 1, 'progress was reported');
    assert.ok(
      seen.every((p) => p.total >= p.done),
      JSON.stringify(seen.slice(0, 3)),
    );
    assert.equal(seen.at(-1)!.done, seen.at(-1)!.total, 'the last progress is complete');
  });

  test("a refusal comes back in the server's words, naming the field", async () => {
    const server = await supervisor.ensure(repoPath('samples/iris/iris.onnx'), settings());
    await assert.rejects(runServerJob(server, 'explain', {}), (err: unknown) => {
      assert.ok(err instanceof ServerJobError);
      assert.equal(err.status, 400);
      assert.match(err.message, /^data: this model was opened without a reference CSV; choose a CSV/);
      return true;
    });
    await assert.rejects(runServerJob(server, 'explain', { data: '/etc/passwd.csv' }), (err: unknown) => {
      assert.ok(err instanceof ServerJobError && err.status >= 400 && err.status < 500, String(err));
      return true;
    });
  });

  test('aborting cancels the job on the server: CancelledError here, status cancelled there', async () => {
    const server = await supervisor.ensure(
      repoPath('samples/breast-cancer/breast_cancer.onnx'),
      settings(repoPath('samples/breast-cancer/reference.csv')),
    );
    const abort = new AbortController();
    const run = runServerJob(
      server,
      'explain',
      { methods: ['shap'], shapMethod: 'kernel', globalRows: 400, kernelSamples: 4000 },
      {
        pollMs: 20,
        signal: abort.signal,
        onProgress: () => abort.abort(),
      },
    );
    await assert.rejects(run, (err: unknown) => err instanceof CancelledError);
    const list = (await (await server.adminFetch('/api/jobs?kind=explain')).json()) as { jobs: JobState[] };
    assert.ok(list.jobs[0]?.id, 'the job is listed');
    assert.equal(list.jobs[0].status, 'cancelled');
  });
});
