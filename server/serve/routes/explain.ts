/**
 * The Explain tab's download beside its job (server/serve/jobs/explain-job.ts):
 *
 *   GET /api/explain/reports/{job id}?format=html|json|text   a finished explanation, as a download
 *
 * The same renderers as `model-lab explain --format …`, so the file a reviewer keeps is the CLI's report.
 * Owner-only like every `/api/*` route (middleware/owner-only).
 */
import type { Hono } from 'hono';
import { REPORT_FORMATS, renderReport, type ReportFormat } from '../../explain/report/index';
import { ModelLabError } from '../../protocol/errors';
import type { ExplainReport } from '../../protocol/explain';
import type { JobRunner } from '../jobs/runner';

const TYPES: Record<ReportFormat, { ext: string; type: string }> = {
  html: { ext: 'html', type: 'text/html' },
  json: { ext: 'json', type: 'application/json' },
  text: { ext: 'txt', type: 'text/plain' },
};

export function registerExplainRoutes(app: Hono, jobs: JobRunner): void {
  app.get('/api/explain/reports/:id', (c) => {
    const job = jobs.get(c.req.param('id'));
    if (job?.kind !== 'explain' || job.status !== 'done' || !job.result)
      throw new ModelLabError('no finished explanation with this id (the server keeps the last 10): run it again', { status: 404 });
    const format = (c.req.query('format') ?? 'html') as ReportFormat;
    if (!REPORT_FORMATS.includes(format)) throw new ModelLabError(`format: one of ${REPORT_FORMATS.join(', ')}`, { field: 'format' });
    const { ext, type } = TYPES[format];
    // An attachment: the HTML never renders on this origin (it is self-contained and script-free anyway).
    return c.body(renderReport(job.result as ExplainReport, format), 200, {
      'Content-Type': `${type}; charset=utf-8`,
      'Content-Disposition': `attachment; filename="explain-report-${job.id}.${ext}"`,
      'X-Content-Type-Options': 'nosniff',
    });
  });
}
