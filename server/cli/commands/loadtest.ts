/**
 * `model-lab loadtest <url-or-model>`: how much traffic the model takes on this machine — a concurrency
 * sweep (or fixed request rates) from a generator process, per-step latency and throughput, the knee, the
 * highest rate under a p99 target; optionally the capacity & cost plan for a target machine.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { formatLoadTest, runLoadTest, type LoadTestOptions } from '../../loadtest/index';
import { formatPlan, planCapacity, savePlan } from '../../capacity/index';
import type { ModelDescription } from '../../protocol/api';
import { ModelLabError, UsageError } from '../../protocol/errors';
import { DEFAULT_P99_TARGET_MS, DEFAULT_STEP_SECONDS, type CapacityInput } from '../../protocol/loadtest';
import { intOption, numberOption, parseCommandLine, requireFile } from '../args';
import type { Command } from '../command';

const usage = `Usage: model-lab loadtest <url-or-model> [--concurrency 1,2,4,… | --rate R[,R…]] [options]

Loads a Model Lab server with OIP infer requests made from rows of its reference CSV, from a load
generator in its own process, one step per concurrency (closed loop: each client sends when its answer
came) or per request rate (open loop: latency counted from when a request was due). Prints per step:
requests/s, rows/s, p50/p90/p99 latency and errors; the knee (where more clients stop adding
throughput); the highest rate whose p99 stays within the target. The generator shares this machine's
cores with the server: the figures describe this machine under this load.

<url-or-model>: a running server (http://127.0.0.1:8080, or the …/?token=… URL 'serve' prints), or a
model file, which is served on 127.0.0.1 for the test (give --reference).

Options:
  --concurrency <list>     clients per step (default 1,2,4,8,16,32,64)
  --rate <list>            fixed request rates per step instead, requests/s (e.g. 200,400,800)
  --step-seconds <s>       seconds per step (default ${DEFAULT_STEP_SECONDS})
  --p99-target-ms <ms>     p99 latency target for the sustainable rate (default ${DEFAULT_P99_TARGET_MS})
  --rows-per-request <n>   reference rows per request (default 1)
  --reference <csv>        reference CSV when serving a model file
  --token <token>          owner token of a running server (or put ?token=… in the URL)
  --json <file>            also write the report as JSON (schema: server/loadtest/REPORT_SCHEMA.md)
  Capacity & cost plan (all four to get one; figures scale by core count only approximately):
  --avg-tps <n> --peak-tps <n> --vcpus <n> --hourly-price <price> [--price-per-1000 <price>] [--currency EUR]
  --save-plan              save the report and plan beside the model as <model>.capacity-plan.json, where
                           'model-lab export' (k8s, kserve) sizes replicas, autoscaling and CPU from it

Exit code 0 with a report, 1 when the server refuses the requests or cannot be reached, 2 for a bad
command line. Example:
  model-lab loadtest samples/breast-cancer/breast_cancer.onnx --reference samples/breast-cancer/reference.csv --concurrency 1,4,16`;

function listOption(value: string | boolean | undefined, flag: string, parse: (part: string) => number): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = String(value)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!parts.length || parts.length > 16) throw new UsageError(`${flag} needs a comma-separated list of 1 to 16 numbers`);
  return parts.map(parse);
}

const positive = (flag: string, max: number) => (part: string) => {
  const n = numberOption(part, flag, max)!;
  if (n <= 0) throw new UsageError(`${flag} must be greater than 0, got '${part}'`);
  return n;
};

/** The model, signature and sample rows of a running server (`GET /api/model`). */
async function describeServer(base: URL, token: string | undefined): Promise<ModelDescription> {
  let res: Response;
  try {
    res = await fetch(new URL('/api/model', base), { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    throw new ModelLabError(`no server answers at ${base.origin}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new ModelLabError(`${base.origin}/api/model answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return (await res.json()) as ModelDescription;
}

const loadtest: Command = {
  name: 'loadtest',
  summary: 'how much traffic a model takes on this machine: concurrency sweep, knee, rate under a p99 target, capacity & cost',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'loadtest',
      args,
      {
        concurrency: { type: 'string' },
        rate: { type: 'string' },
        'step-seconds': { type: 'string' },
        'p99-target-ms': { type: 'string' },
        'rows-per-request': { type: 'string' },
        reference: { type: 'string' },
        token: { type: 'string' },
        json: { type: 'string' },
        'avg-tps': { type: 'string' },
        'peak-tps': { type: 'string' },
        vcpus: { type: 'string' },
        'hourly-price': { type: 'string' },
        'price-per-1000': { type: 'string' },
        currency: { type: 'string' },
        'save-plan': { type: 'boolean' },
      },
      ['url-or-model'],
    );
    if (values.concurrency !== undefined && values.rate !== undefined)
      throw new UsageError('loadtest: use either --concurrency or --rate, not both');
    const concurrency = listOption(values.concurrency, '--concurrency', (p) => intOption(p, '--concurrency', 1, 1024)!);
    const rates = listOption(values.rate, '--rate', positive('--rate', 200_000));
    const stepSeconds = numberOption(values['step-seconds'], '--step-seconds', 120);
    if (stepSeconds !== undefined && stepSeconds < 0.5) throw new UsageError('--step-seconds must be at least 0.5');
    const p99TargetMs =
      values['p99-target-ms'] === undefined ? undefined : positive('--p99-target-ms', 600_000)(String(values['p99-target-ms']));
    const rowsPerRequest = intOption(values['rows-per-request'], '--rows-per-request', 1, 1024);
    const plan = capacityInput(values, p99TargetMs ?? DEFAULT_P99_TARGET_MS);
    if (values['save-plan'] && !plan)
      throw new UsageError('--save-plan needs a plan: give --avg-tps, --peak-tps, --vcpus and --hourly-price');

    const target = positionals[0];
    const onProgress: LoadTestOptions['onProgress'] = (p) => process.stderr.write(`[${p.done}/${p.total}] ${p.step}\n`);
    const common = { concurrency, rates, stepSeconds, p99TargetMs, rowsPerRequest, onProgress };
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    let server: { close(): Promise<void> } | undefined;
    try {
      let options: LoadTestOptions;
      /** Where the plan is saved: beside the model file (served here, or the running server's when it is on this disk). */
      let modelPath: string | undefined;
      if (/^https?:\/\//i.test(target)) {
        const base = new URL(target);
        const token = typeof values.token === 'string' ? values.token : (base.searchParams.get('token') ?? undefined);
        const d = await describeServer(base, token);
        modelPath = existsSync(d.info.path) ? d.info.path : undefined;
        if (!d.reference?.rows.length) {
          throw new ModelLabError(
            `the server at ${base.origin} has no reference CSV to take rows from; start it with --reference data.csv`,
          );
        }
        options = {
          url: base.origin,
          model: d.info.name,
          signature: d.signature,
          rows: d.reference.rows,
          headers: token ? { authorization: `Bearer ${token}` } : {},
          ...common,
        };
      } else {
        modelPath = requireFile(target, 'model file');
        const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;
        const { startServer } = await import('../../serve/start');
        const started = await startServer({ modelPath, referenceCsv, port: 0, watch: false, printReadyLine: false, log: () => undefined });
        server = started;
        const model = started.host.current();
        options = { url: started.url, model: model.info.name, signature: model.signature, rows: model.reference?.rows ?? [], ...common };
      }
      const report = await runLoadTest({ ...options, signal: controller.signal });
      process.stdout.write(`${formatLoadTest(report)}\n`);
      const capacity = plan ? planCapacity(plan, report) : undefined;
      if (capacity) process.stdout.write(`\n${formatPlan(capacity)}\n`);
      if (capacity && values['save-plan']) {
        if (!modelPath) throw new ModelLabError(`--save-plan: the server's model file is not on this machine; run the load test there`);
        process.stderr.write(`plan saved: ${await savePlan(modelPath, options.model, report, capacity)}\n`);
      }
      if (typeof values.json === 'string') {
        writeFileSync(values.json, `${JSON.stringify(capacity ? { ...report, plan: capacity } : report, null, 2)}\n`);
        process.stderr.write(`written ${values.json}\n`);
      }
      return 0;
    } finally {
      process.off('SIGINT', onSigint);
      await server?.close();
    }
  },
};

/** The planner's inputs when the four required ones were given; a UsageError when only some were. */
function capacityInput(values: Record<string, string | boolean | undefined>, p99TargetMs: number): CapacityInput | undefined {
  const keys = ['avg-tps', 'peak-tps', 'vcpus', 'hourly-price'] as const;
  const given = keys.filter((k) => values[k] !== undefined);
  if (given.length === 0) return undefined;
  if (given.length < keys.length) {
    throw new UsageError(
      `a capacity plan needs ${keys.map((k) => `--${k}`).join(', ')}; missing ${keys
        .filter((k) => !given.includes(k))
        .map((k) => `--${k}`)
        .join(', ')}`,
    );
  }
  const averageTps = positive('--avg-tps', 1e9)(String(values['avg-tps']));
  const peakTps = positive('--peak-tps', 1e9)(String(values['peak-tps']));
  if (peakTps < averageTps) throw new UsageError('--peak-tps must be at least --avg-tps');
  return {
    averageTps,
    peakTps,
    p99TargetMs,
    targetVcpus: positive('--vcpus', 1024)(String(values.vcpus)),
    hourlyPrice: numberOption(values['hourly-price'], '--hourly-price', 1e6)!,
    ...(values['price-per-1000'] !== undefined
      ? { pricePer1000Predictions: numberOption(values['price-per-1000'], '--price-per-1000', 1e6)! }
      : {}),
    ...(typeof values.currency === 'string' ? { currency: values.currency } : {}),
  };
}

export default loadtest;
