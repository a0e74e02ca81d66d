/**
 * The Performance tab's load test and capacity & cost planner, beside the `loadtest` job
 * (server/serve/jobs/loadtest-job.ts: `POST /api/jobs/loadtest`, followed and cancelled through
 * `/api/jobs/{id}`):
 *
 *   GET    /api/perf/loadtest/report/{id}   a finished load test as a JSON download (REPORT_SCHEMA.md)
 *   GET    /api/perf/capacity               the plan saved beside the model, if any
 *   POST   /api/perf/capacity               {id?, input} → the plan (server/capacity) from that load test
 *   POST   /api/perf/capacity/save          {id?, input} → the plan, saved as `<model>.capacity-plan.json`
 *
 * Without `id` the planner uses the load test of the saved plan, so it still works after a reload. The
 * file's path comes from the served model's, never from the client. Every `/api/*` route is the owner's
 * (middleware/owner-only): a share link may not run a load test, plan or save.
 */
import { basename } from 'node:path';
import { Hono, type Context } from 'hono';
import { loadSavedPlan, planCapacity, planPathBeside, savePlan } from '../../capacity/index';
import { CapacityRequestSchema, type CapacityRequest, type LoadTestReport, type SavedPlanInfo } from '../../protocol/loadtest';
import { describeZodError } from '../../protocol/schemas';
import type { JobRunner } from '../jobs/runner';
import { HttpError, readJsonBody, type RouteContext } from './common';

export function loadtestRoutes(ctx: RouteContext, jobs: JobRunner): Hono {
  const app = new Hono();
  // Plans belong to the model the server started with (as the perf routes' saved variants do).
  const original = ctx.host.current();
  const modelPath = original.info.path;

  const finishedReport = (id: string): LoadTestReport => {
    const job = jobs.get(id);
    const report = job?.kind === 'loadtest' && job.status === 'done' ? (job.result as LoadTestReport | null) : null;
    if (!report) throw new HttpError(404, `no finished load test '${id.slice(0, 60)}' (the last five are kept); run the load test again`);
    return report;
  };

  /** The load test a planner request names, or the saved plan's. */
  const reportFor = async (request: CapacityRequest): Promise<LoadTestReport> => {
    if (request.id !== undefined) return finishedReport(request.id);
    const { saved } = await loadSavedPlan(modelPath);
    if (!saved) throw new HttpError(404, 'no load test to plan from: run the load test first');
    return saved.report;
  };

  const readRequest = async (c: Context): Promise<CapacityRequest> => {
    const parsed = CapacityRequestSchema.safeParse(await readJsonBody(c, 16 * 1024));
    if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
    return parsed.data;
  };

  app.get('/api/perf/loadtest/report/:id', (c) => {
    const report = finishedReport(c.req.param('id'));
    const file = `${original.info.name}-loadtest-${report.date.replace(/[-:]/g, '').replace(/\..*$/, '')}`.replace(/[^A-Za-z0-9._-]/g, '_');
    c.header('Content-Disposition', `attachment; filename="${file}.json"`);
    c.header('X-Content-Type-Options', 'nosniff');
    return c.body(`${JSON.stringify(report, null, 2)}\n`, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  app.get('/api/perf/capacity', async (c) => {
    const { saved, problem } = await loadSavedPlan(modelPath);
    const info: SavedPlanInfo = { file: basename(planPathBeside(modelPath)), saved, problem };
    return c.json(info);
  });

  // planCapacity throws a ModelLabError (400, naming the field) for input it cannot plan: app.onError answers it.
  app.post('/api/perf/capacity', async (c) => {
    const request = await readRequest(c);
    return c.json({ plan: planCapacity(request.input, await reportFor(request)) });
  });

  app.post('/api/perf/capacity/save', async (c) => {
    const request = await readRequest(c);
    const report = await reportFor(request);
    const plan = planCapacity(request.input, report);
    const path = await savePlan(modelPath, original.info.name, report, plan);
    return c.json({ plan, file: basename(path) });
  });

  return app;
}
