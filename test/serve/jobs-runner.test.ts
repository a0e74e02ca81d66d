/**
 * The one job runner and its routes, with a job kind made for the test (a counter that waits on a
 * promise the test controls): start, progress, finish, fail, cancel, limits, validation, SSE.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import { z } from 'zod';
import { ModelLabError } from '../../server/protocol/errors';
import type { JobEvent, JobState } from '../../server/protocol/jobs';
import { mountJobRoutes } from '../../server/serve/jobs/routes';
import { createJobRunner, type JobControl } from '../../server/serve/jobs/runner';

const CountSchema = z.object({ steps: z.number().int().min(1).max(100), fail: z.enum(['input', 'bug']).optional() }).strict();

/** A 'perf'-kind job that counts to `steps`, waiting for the test between steps. */
function countingRunner() {
  const gates: (() => void)[] = [];
  const next = () => new Promise<void>((resolve) => gates.push(resolve));
  const runner = createJobRunner({ log: () => undefined });
  let cleanups = 0;
  runner.register({
    kind: 'perf',
    schema: CountSchema,
    maxRunning: 1,
    keep: 2,
    prepare: (req) => {
      if (req.steps === 13) throw new ModelLabError('steps: 13 is unlucky', { field: 'steps' });
      return {
        summary: `count to ${req.steps}`,
        cleanup: async () => {
          cleanups++;
        },
        run: async (ctl: JobControl) => {
          for (let i = 0; i < req.steps; i++) {
            await next();
            if (ctl.signal.aborted) throw new Error('aborted by the test');
            ctl.progress({ done: i + 1, total: req.steps, step: `step ${i + 1}` });
          }
          if (req.fail === 'input') throw new ModelLabError('row 3, x: not a number', { field: 'x' });
          if (req.fail === 'bug') throw new TypeError('cannot read properties of undefined (reading /secret/path)');
          return { counted: req.steps };
        },
      };
    },
  });
  const release = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { runner, release, cleanups: () => cleanups };
}

describe('job runner', () => {
  it('runs a job to done with progress, keeps the result, and cleans up', async () => {
    const { runner, release, cleanups } = countingRunner();
    const state = await runner.start('perf', { steps: 2 });
    assert.equal(state.status, 'running');
    assert.equal(state.summary, 'count to 2');
    const events: JobEvent[] = [];
    runner.subscribe(state.id, (e) => events.push(e));
    await release();
    await release();
    await runner.settled(state.id);
    const done = runner.get(state.id)!;
    assert.equal(done.status, 'done');
    assert.deepEqual(done.result, { counted: 2 });
    assert.ok(done.finishedAt);
    assert.equal(cleanups(), 1);
    assert.deepEqual(
      events.filter((e) => e.type === 'progress').map((e) => e.type === 'progress' && e.progress.step),
      ['step 1', 'step 2'],
    );
    assert.equal(events.at(-1)!.type, 'finished');
    assert.equal(runner.list('perf')[0].result, null, 'lists carry no results');
  });

  it('refuses a bad request before starting, naming the field', async () => {
    const { runner } = countingRunner();
    await assert.rejects(runner.start('perf', { steps: 'many' }), (err: ModelLabError) => err.status === 400 && /steps/.test(err.message));
    await assert.rejects(runner.start('perf', { steps: 13 }), (err: ModelLabError) => err.status === 400 && err.field === 'steps');
    await assert.rejects(runner.start('drift', {}), (err: ModelLabError) => err.status === 404);
    assert.equal(runner.list().length, 0);
  });

  it('answers 409 past maxRunning and lets the next one start once the first finished', async () => {
    const { runner, release } = countingRunner();
    const first = await runner.start('perf', { steps: 1 });
    await assert.rejects(runner.start('perf', { steps: 1 }), (err: ModelLabError) => err.status === 409);
    await release();
    await runner.settled(first.id);
    const second = await runner.start('perf', { steps: 1 });
    runner.cancel(second.id);
    await release();
    await runner.settled(second.id);
  });

  it('reports input errors as they are and hides the internals of our own faults', async () => {
    const { runner, release } = countingRunner();
    const bad = await runner.start('perf', { steps: 1, fail: 'input' });
    await release();
    await runner.settled(bad.id);
    assert.deepEqual(runner.get(bad.id)!.error, { message: 'row 3, x: not a number', status: 400, field: 'x' });
    const bug = await runner.start('perf', { steps: 1, fail: 'bug' });
    await release();
    await runner.settled(bug.id);
    const error = runner.get(bug.id)!.error!;
    assert.equal(error.status, 500);
    assert.doesNotMatch(error.message, /secret|undefined/);
  });

  it('cancels: the job ends cancelled, not failed', async () => {
    const { runner, release } = countingRunner();
    const state = await runner.start('perf', { steps: 3 });
    runner.cancel(state.id);
    await release();
    await runner.settled(state.id);
    assert.equal(runner.get(state.id)!.status, 'cancelled');
  });

  it('keeps only the newest finished jobs of a kind', async () => {
    const { runner, release } = countingRunner();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const s = await runner.start('perf', { steps: 1 });
      ids.push(s.id);
      await release();
      await runner.settled(s.id);
    }
    assert.equal(runner.get(ids[0]), undefined);
    assert.equal(runner.get(ids[1]), undefined);
    assert.ok(runner.get(ids[3]));
  });
});

describe('job routes', () => {
  function appWith(runner: ReturnType<typeof countingRunner>['runner']): Hono {
    const app = new Hono();
    app.onError((err, c) => c.json({ error: err.message }, err instanceof ModelLabError ? (err.status as 400) : 500));
    mountJobRoutes(app, runner);
    return app;
  }
  const post = (app: Hono, path: string, body: unknown, type = 'application/json') =>
    app.request(path, { method: 'POST', headers: { 'Content-Type': type }, body: JSON.stringify(body) });

  it('starts, lists, reads, streams and cancels over HTTP', async () => {
    const { runner, release } = countingRunner();
    const app = appWith(runner);
    const started = await post(app, '/api/jobs/perf', { steps: 2 });
    assert.equal(started.status, 202);
    const state = (await started.json()) as JobState;
    const list = (await (await app.request('/api/jobs?kind=perf')).json()) as { jobs: JobState[] };
    assert.deepEqual(
      list.jobs.map((j) => j.id),
      [state.id],
    );
    const events = await app.request(`/api/jobs/${state.id}/events`);
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    await release();
    await release();
    const text = await events.text();
    assert.match(text, /event: progress/);
    assert.match(text, /event: finished\ndata: .*"status":"done"/);
    const final = (await (await app.request(`/api/jobs/${state.id}`)).json()) as JobState;
    assert.deepEqual(final.result, { counted: 2 });
    assert.equal((await app.request(`/api/jobs/${state.id}`, { method: 'DELETE' })).status, 202);
  });

  it('answers 400 naming the field, 404 for unknown jobs and kinds, 415 for a non-JSON body', async () => {
    const { runner } = countingRunner();
    const app = appWith(runner);
    const bad = await post(app, '/api/jobs/perf', { steps: -1 });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /steps/);
    assert.equal((await app.request('/api/jobs/nope')).status, 404);
    assert.equal((await post(app, '/api/jobs/teleport', {})).status, 404);
    assert.equal((await post(app, '/api/jobs/perf', { steps: 1 }, 'text/plain')).status, 415);
  });
});
