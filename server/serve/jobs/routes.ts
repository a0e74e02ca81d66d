/**
 * The job routes, the same for every kind (see server/protocol/jobs.ts for the protocol):
 *
 *   POST   /api/jobs/{kind}        → 202 JobState
 *   GET    /api/jobs?kind=         → {jobs}
 *   GET    /api/jobs/{id}          → JobState
 *   GET    /api/jobs/{id}/events   → SSE `progress`…, then `finished`
 *   DELETE /api/jobs/{id}          → 202 JobState
 *
 * The caller mounts the owner-only check in front of `/api/jobs*` (jobs read and write files here).
 */
import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { ModelLabError } from '../../protocol/errors';
import type { JobEvent, JobKind, JobState } from '../../protocol/jobs';
import { readJsonBody } from '../routes/common';
import type { JobRunner } from './runner';

const DEFAULT_BODY_LIMIT = 256 * 1024;

function requireJob(runner: JobRunner, id: string): JobState {
  const state = runner.get(id);
  if (!state)
    throw new ModelLabError(`no job '${id.slice(0, 60)}' (finished jobs are kept until ten newer ones of their kind exist)`, {
      status: 404,
    });
  return state;
}

/**
 * @example
 * const runner = createJobRunner();
 * runner.register(driftJobSpec(...));
 * app.use('/api/jobs', ownerOnly()); app.use('/api/jobs/*', ownerOnly());
 * mountJobRoutes(app, runner);
 */
export function mountJobRoutes(app: Hono, runner: JobRunner): void {
  app.post('/api/jobs/:kind', async (c) => {
    const kind = c.req.param('kind');
    const spec = runner.spec(kind);
    if (!spec) throw new ModelLabError(`no job kind '${kind.slice(0, 40)}'`, { status: 404 });
    const body = await readJsonBody(c, spec.bodyLimitBytes ?? DEFAULT_BODY_LIMIT);
    return c.json(await runner.start(kind, body), 202);
  });

  app.get('/api/jobs', (c) => {
    const kind = c.req.query('kind');
    if (kind !== undefined && !runner.spec(kind))
      throw new ModelLabError(`no job kind '${kind.slice(0, 40)}'`, { status: 404, field: 'kind' });
    return c.json({ jobs: runner.list(kind as JobKind | undefined) });
  });

  app.get('/api/jobs/:id', (c) => c.json(requireJob(runner, c.req.param('id'))));

  app.delete('/api/jobs/:id', (c) => {
    const id = c.req.param('id');
    requireJob(runner, id);
    return c.json(runner.cancel(id)!, 202);
  });

  app.get('/api/jobs/:id/events', (c) => {
    const id = c.req.param('id');
    const initial = requireJob(runner, id);
    return streamSSE(c, async (stream) => {
      const queue: JobEvent[] = [];
      let wake: (() => void) | undefined;
      let closed = false;
      const unsubscribe = runner.subscribe(id, (event) => {
        queue.push(event);
        wake?.();
      });
      stream.onAbort(() => {
        closed = true;
        wake?.();
      });
      try {
        // Subscribed before reading the state: a job that finishes in between is seen either way.
        const now = runner.get(id) ?? initial;
        if (now.status !== 'running') {
          await stream.writeSSE({ event: 'finished', data: JSON.stringify({ type: 'finished', state: now } satisfies JobEvent) });
          return;
        }
        await stream.writeSSE({
          event: 'progress',
          data: JSON.stringify({ type: 'progress', id, progress: now.progress } satisfies JobEvent),
        });
        while (!closed) {
          const event = queue.shift();
          if (event) {
            await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
            if (event.type === 'finished') break;
          } else {
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            wake = undefined;
          }
        }
      } finally {
        unsubscribe();
      }
    });
  });
}
