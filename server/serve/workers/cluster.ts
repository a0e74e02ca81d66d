/**
 * Several prediction-server processes on one port (node:cluster), for `model-lab serve --workers N` and
 * the exported bundle's `WORKERS`. The primary process serves nothing: it forks N workers that re-run
 * the same entry with the same arguments; each loads its own onnxruntime session and batcher and listens
 * on the shared port (the primary accepts and hands connections round-robin).
 *
 * State is per worker process — jobs, SSE event streams, share tokens, hot reload, the served-rows log —
 * so only prediction serving runs in workers: the lab (jobs, files) and share links need one process.
 * What is cluster-wide: the owner token (the primary passes one to every worker) and `/metrics` (a worker
 * asks the primary, which sums every worker's registry, so a scrape sees the whole server).
 *
 * Lifecycle: the ready line is printed once every worker listens; a worker that dies is logged and
 * replaced (unless workers keep dying right after starting: then the primary gives up and exits 1);
 * SIGTERM/SIGINT stop every worker gracefully (in-flight requests finish) and then the primary.
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

export { MAX_AUTO_WORKERS, resolveWorkers, threadsPerWorker, usableCpus } from './cpus';

/** A worker that exits within this long of starting counts as a crash loop, not a crash. */
const CRASH_LOOP_MS = 5_000;
const MAX_QUICK_DEATHS = 5;

type ToPrimary = { type: 'model-lab:ready'; url: string; model: string } | { type: 'model-lab:metrics-request'; id: number };
type ToWorker = { type: 'model-lab:metrics'; id: number; text?: string; error?: string };

/** This process's worker number when it is a cluster worker, else null. */
export function workerId(): number | null {
  return cluster.isWorker ? cluster.worker!.id : null;
}

export interface PrimaryOptions {
  workers: number;
  /** Environment added for every worker (e.g. the owner token, which they then remove from theirs). */
  env?: Record<string, string>;
  log: (line: string) => void;
  /** Called once, when every worker listens: print the ready line here. */
  onReady: (ready: { url: string; model: string; pids: number[] }) => void;
  /** How long a stop waits for workers to finish in-flight requests before killing them, in ms. */
  stopGraceMs?: number;
}

/**
 * Runs the primary: forks the workers (re-running this process's entry and arguments), restarts the ones
 * that die, stops them all on SIGTERM/SIGINT. Resolves with the exit code once everything has stopped.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const { log } = options;
  const aggregator = new AggregatorRegistry();
  let ready = false;
  let stopping = false;
  let quickDeaths = 0;
  const started = new Map<Worker, number>();
  const listening = new Set<Worker>();
  let readyInfo: { url: string; model: string } | undefined;

  return new Promise<number>((resolve) => {
    const fork = (): void => {
      const worker = cluster.fork(options.env ?? {});
      started.set(worker, Date.now());
      worker.on('message', (message: ToPrimary) => {
        if (message?.type === 'model-lab:ready') {
          listening.add(worker);
          readyInfo ??= { url: message.url, model: message.model };
          if (ready) log(`worker ${worker.id} (pid ${worker.process.pid}) serving`);
          else if (listening.size === options.workers) {
            ready = true;
            options.onReady({ ...readyInfo, pids: [...listening].map((w) => w.process.pid ?? 0) });
          }
        } else if (message?.type === 'model-lab:metrics-request') {
          aggregator.clusterMetrics().then(
            (text) => send(worker, { type: 'model-lab:metrics', id: message.id, text }),
            (err: Error) => send(worker, { type: 'model-lab:metrics', id: message.id, error: err.message }),
          );
        }
      });
    };

    const finish = (code: number): void => {
      process.removeListener('SIGTERM', onSignal);
      process.removeListener('SIGINT', onSignal);
      resolve(code);
    };

    const stop = (code: number): void => {
      if (stopping) return;
      stopping = true;
      const alive = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w && !w.isDead());
      if (alive.length === 0) return finish(code);
      let left = alive.length;
      const kill = setTimeout(() => alive.forEach((w) => w.isDead() || w.process.kill('SIGKILL')), options.stopGraceMs ?? 10_000);
      kill.unref();
      for (const w of alive) {
        w.once('exit', () => {
          if (--left === 0) {
            clearTimeout(kill);
            finish(code);
          }
        });
        // SIGTERM: the worker's own handler closes its server gracefully, as a single process would.
        w.process.kill('SIGTERM');
      }
    };

    const onSignal = (signal: NodeJS.Signals): void => {
      log(`${signal}: stopping ${options.workers} workers (in-flight requests finish first)`);
      stop(0);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);

    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (started.get(worker) ?? 0);
      started.delete(worker);
      listening.delete(worker);
      if (stopping) return;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      if (!ready) {
        // A worker that cannot start (bad model, port taken) will not start on a second try either.
        log(`worker ${worker.id} ${how} before it was serving; stopping`);
        stop(1);
        return;
      }
      quickDeaths = lived < CRASH_LOOP_MS ? quickDeaths + 1 : 0;
      if (quickDeaths >= MAX_QUICK_DEATHS) {
        log(`worker ${worker.id} ${how}; ${quickDeaths} workers died within ${CRASH_LOOP_MS / 1000} s of starting: giving up`);
        stop(1);
        return;
      }
      log(`worker ${worker.id} (pid ${worker.process.pid}) ${how}; starting a new one`);
      fork();
    });

    for (let i = 0; i < options.workers; i++) fork();
  });
}

function send(worker: Worker, message: ToWorker): void {
  if (worker.isConnected()) worker.send(message);
}

/** In a worker: tells the primary this worker listens (it prints the ready line once all do). */
export function reportReady(url: string, model: string): void {
  process.send?.({ type: 'model-lab:ready', url, model } satisfies ToPrimary);
}

let nextRequest = 0;
const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void; timer: NodeJS.Timeout }>();
let listeningForMetrics = false;

/**
 * In a worker: lets the primary read `registry` (for its sums) and returns a function giving the
 * cluster-wide metrics text, for `/metrics`.
 */
export function clusterMetrics(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  if (!listeningForMetrics) {
    listeningForMetrics = true;
    // Constructing one installs prom-client's worker-side listener that answers the primary's collection.
    new AggregatorRegistry();
    process.on('message', (message: ToWorker) => {
      if (message?.type !== 'model-lab:metrics') return;
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      clearTimeout(waiting.timer);
      if (message.text !== undefined) waiting.resolve(message.text);
      else waiting.reject(new Error(`the primary could not collect the workers' metrics: ${message.error ?? 'no answer'}`));
    });
  }
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = ++nextRequest;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error('the primary did not answer the metrics request within 5 s'));
      }, 5_000);
      pending.set(id, { resolve, reject, timer });
      process.send?.({ type: 'model-lab:metrics-request', id } satisfies ToPrimary);
    });
}

/** In a worker: stop when the primary is gone (killed with SIGKILL, crashed), instead of serving orphaned. */
export function exitWithPrimary(close: () => Promise<void>): void {
  process.once('disconnect', () => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
