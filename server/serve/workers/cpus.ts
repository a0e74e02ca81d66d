/**
 * How many worker processes and onnxruntime threads this machine (or container) has room for. Kept apart
 * from cluster.ts so the CLI can resolve `--workers auto` without loading the server.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Most workers `auto` picks: each holds a copy of the model in memory. */
export const MAX_AUTO_WORKERS = 8;

/**
 * CPUs this process may use: the cgroup CPU quota when there is one (a container limited to 2 CPUs on a
 * 64-core node sees 64 cores), else the cores it may run on.
 */
export function usableCpus(): number {
  const cores = availableParallelism();
  try {
    const [quota, period] = readFileSync('/sys/fs/cgroup/cpu.max', 'utf8').trim().split(/\s+/);
    if (quota !== 'max' && Number(period) > 0) return Math.max(1, Math.min(cores, Math.floor(Number(quota) / Number(period))));
  } catch {
    /* no cgroup v2 quota: all cores */
  }
  return cores;
}

/**
 * `auto` → one worker per usable CPU but one (at least 1, at most {@link MAX_AUTO_WORKERS}); a number is
 * taken as is. One CPU is left for what runs beside the event loops — onnxruntime's runs, the kernel's
 * loopback/network work: measured on 2 cores with `npm run bench:serving` (64 wrk clients), 2 workers
 * served 0.6–0.7× the requests of one, so `auto` there is 1. That figure swings with what else runs, since
 * wrk shares the two cores: interleaved runs on a busy shared machine (`npm run bench:serving -- --compare . .
 * --clients 64 --serve-args-b "--workers 2"`) gave 2 workers 1.27× the requests (p50 3.1 vs 4.6 ms, p99 alike);
 * re-measure on a quiet machine before changing `auto`.
 */
export function resolveWorkers(value: number | 'auto'): number {
  return value === 'auto' ? Math.max(1, Math.min(MAX_AUTO_WORKERS, usableCpus() - 1)) : value;
}

/** onnxruntime intra-op threads per worker when none were asked for: the CPUs shared out, at least 1. */
export function threadsPerWorker(workers: number): number {
  return Math.max(1, Math.floor(usableCpus() / workers));
}
