/**
 * The `loadtest` job: load this server's model from a generator process (server/loadtest) with rows of
 * its reference CSV. One at a time — two load tests would share the cores and measure each other.
 * Cancel aborts the job's signal, which kills the generator process at once.
 */
import { runLoadTest } from '../../loadtest/index';
import { ModelLabError } from '../../protocol/errors';
import type { JobRequest, JobResult } from '../../protocol/jobs';
import { DEFAULT_CONCURRENCY, LoadTestRequestSchema } from '../../protocol/loadtest';
import type { ModelHost } from '../host';
import type { JobSpec } from './runner';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * `selfOrigin`: this server's own loopback address (from the socket the job request came in on), which the
 * generator loads when the request names no URL — so a page reached through a proxy (code-server's
 * `/proxy/PORT/`, a forwarded port) still loads this server, not the proxy.
 */
export function loadtestJob(host: ModelHost, selfOrigin: () => string | null): JobSpec<JobRequest<'loadtest'>, JobResult<'loadtest'>> {
  return {
    kind: 'loadtest',
    schema: LoadTestRequestSchema,
    maxRunning: 1,
    keep: 5,
    bodyLimitBytes: 16 * 1024,
    prepare(request) {
      const own = selfOrigin();
      if (!request.url && !own) throw new ModelLabError("url: this server's own address is not known yet; give the URL", { field: 'url' });
      const url = new URL(request.url ?? own!);
      if (!LOOPBACK.has(url.hostname) || !/^https?:$/.test(url.protocol)) {
        throw new ModelLabError(`the load test only runs against this machine: use the server's http://127.0.0.1:<port> address`, {
          field: 'url',
        });
      }
      if (request.concurrency && request.rate !== undefined) {
        throw new ModelLabError('choose either clients per step or a fixed request rate, not both', { field: 'rate' });
      }
      const model = host.current();
      const rows = model.reference?.rows ?? [];
      if (rows.length === 0) {
        throw new ModelLabError(
          'the load test sends rows of the reference CSV, and this server has none: start it with --reference data.csv',
          {
            field: 'reference',
          },
        );
      }
      const rates = request.rate !== undefined ? [request.rate] : undefined;
      const steps = rates ? `${request.rate} requests/s` : `${(request.concurrency ?? DEFAULT_CONCURRENCY).join(', ')} clients`;
      return {
        summary: `${model.info.name}: ${steps}`,
        run: (control) =>
          runLoadTest({
            url: url.origin,
            model: model.info.name,
            signature: model.signature,
            rows,
            concurrency: request.concurrency,
            rates,
            stepSeconds: request.stepSeconds,
            p99TargetMs: request.p99TargetMs,
            rowsPerRequest: request.rowsPerRequest,
            signal: control.signal,
            onProgress: (p) =>
              control.progress({ done: p.done, total: p.total, step: p.step, ...(p.last ? { detail: { last: p.last } } : {}) }),
          }),
      };
    },
  };
}
