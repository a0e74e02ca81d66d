/**
 * Hono's SmartRouter keeps its fast RegExpRouter only while every route shape is one it can compile; one
 * awkward route (a static path beside a parameter at the same place, e.g. '/api/jobs/loadtest' next to
 * '/api/jobs/:kind') silently moves every request — predictions included — to the slower TrieRouter.
 * This checks the dev server's whole app (lab routes mounted) and the exported bundle's (predictions only).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createApp } from '../../server/serve/app';
import { createModelHost, type ModelHostImpl } from '../../server/serve/host-impl';
import { mountLabRoutes } from '../../server/serve/lab-routes';
import { repoPath } from '../helpers/server';

describe('router choice', () => {
  let host: ModelHostImpl;
  before(async () => {
    host = await createModelHost(repoPath('samples/breast-cancer/breast_cancer.onnx'), { log: () => undefined });
  });
  after(() => host.close());

  for (const [label, labRoutes] of [
    ['the dev server (lab routes mounted)', mountLabRoutes],
    ['the exported bundle (predictions only)', undefined],
  ] as const) {
    test(`${label} routes with Hono's RegExpRouter`, async () => {
      const app = createApp(host, { logError: () => undefined, labRoutes });
      // SmartRouter picks its router on the first match.
      const res = await app.request('http://127.0.0.1/v2/models/breast_cancer/ready', { headers: { host: '127.0.0.1' } });
      assert.equal(res.status, 200);
      assert.match((app.router as { name: string }).name, /RegExpRouter/);
    });
  }
});
