/**
 * Dynamic batching: concurrent `infer` calls become one `session.run` over the rows of all of them.
 *
 * Semantics (Triton's `dynamic_batching`, one model instance):
 * - A request arriving while nothing runs and nothing waits runs at once. A lone request gains nothing
 *   by waiting, and under load the queue fills by itself while the previous batch runs, so batching
 *   happens exactly when there is concurrency and costs an idle server no latency at all.
 * - Otherwise it queues. When the model is free, the oldest request's group (same input names, dtypes
 *   and non-batch dims, same output selection) is taken in arrival order up to `maxBatchSize` rows; it
 *   runs when full, or when its oldest member has waited `maxDelayMs` — never waiting while a full
 *   batch can be formed. With the default delay of 0 (adaptive batching) what queued while the previous
 *   run went is the next batch, dispatched the moment the model is free: the batch size follows the
 *   load by itself, and the model never idles while requests wait.
 * - One batch runs at a time: onnxruntime already spreads one run over its intra-op threads, and
 *   letting runs pile up concurrently would defeat the coalescing.
 * - If a batched run fails, its members are retried one by one, so a bad request fails alone.
 *
 * Under 64 keep-alive clients (breast-cancer MLP, 2 cores, `npm run bench:serving -- --compare . . --clients 64
 * --serve-args-b "--batch-max 32"`) runs average ~29 rows — about two per round of the clients — and a cap
 * of 32 changes neither the batches nor the tail: `session.run` is a few percent of the server's time there,
 * and the 64-client p99 comes from the event loop's HTTP work and the young-generation scavenges it causes.
 */
import { allocate, type PlainTensor, type TensorData } from '../protocol/codec';

/** Runs the model on some inputs (a LoadedModel's `run`). */
export type RunFn = (inputs: PlainTensor[], outputNames?: string[]) => Promise<PlainTensor[]>;

/** What one dispatched run looked like, for metrics. */
export interface BatchStats {
  /** Requests coalesced into this run (1 = ran alone). */
  requests: number;
  /** Total rows along the batch axis. */
  rows: number;
  /** How long the oldest member waited in the queue, in ms. */
  queueMs: number;
  /** Wall time of the run (including per-request retries after a failure), in ms. */
  runMs: number;
  /** True when the batched run failed or returned non-row outputs and members were re-run one by one. */
  retriedAlone: boolean;
}

export interface BatcherOptions {
  run: RunFn;
  /** Largest number of rows per run (a single bigger request still runs, alone). Default 64. */
  maxBatchSize?: number;
  /**
   * Longest time the oldest queued request waits for company once the model is free, in ms. Default 0:
   * measured with 64 wrk clients on the breast-cancer MLP (`npm run bench:serving`), any wait leaves the
   * model idle while requests sit in the queue, and the queue fills by itself while a batch runs. A
   * positive value (Triton's `max_queue_delay_microseconds`) trades latency for fuller batches when
   * one run costs much more than the requests' own handling.
   */
  maxDelayMs?: number;
  onBatch?: (stats: BatchStats) => void;
}

export interface Batcher {
  infer(inputs: PlainTensor[], outputNames?: string[]): Promise<PlainTensor[]>;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  /** Requests waiting in the queue (not counting the running batch). */
  queued(): number;
}

export const DEFAULT_MAX_BATCH_SIZE = 64;
export const DEFAULT_MAX_DELAY_MS = 0;

interface Pending {
  key: string;
  inputs: PlainTensor[];
  outputNames: string[] | undefined;
  rows: number;
  /** Runs by itself (a full batch already, or not batchable), in its turn. */
  alone?: boolean;
  enqueuedAt: number;
  resolve: (outputs: PlainTensor[]) => void;
  reject: (err: unknown) => void;
}

/** Raised inside the batcher when outputs cannot be split by rows; members are then re-run alone. */
class NotRowAligned extends Error {}

/**
 * @example
 * const batcher = createBatcher({ run: (inputs, names) => model.run(inputs, names), maxBatchSize: 32 });
 * const outputs = await batcher.infer([{ name: 'x', dtype: 'float32', dims: [1, 4], data }]);
 */
export function createBatcher(options: BatcherOptions): Batcher {
  const maxBatchSize = Math.max(1, options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE);
  const maxDelayMs = Math.max(0, options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS);
  const queue: Pending[] = [];
  let running = false;
  let timer: NodeJS.Timeout | null = null;
  let idleWaiters: (() => void)[] = [];

  const report = (stats: BatchStats): void => {
    try {
      options.onBatch?.(stats);
    } catch {
      /* metrics must never fail a prediction */
    }
  };

  function schedule(): void {
    if (running || queue.length === 0) {
      if (!running && queue.length === 0) {
        const w = idleWaiters;
        idleWaiters = [];
        w.forEach((f) => f());
      }
      return;
    }
    const oldest = queue[0];
    const group: Pending[] = [];
    let rows = 0;
    let full = false;
    for (const p of oldest.alone ? [oldest] : queue) {
      if (p.key !== oldest.key || (p.alone && p !== oldest)) continue;
      if (group.length > 0 && rows + p.rows > maxBatchSize) {
        full = true;
        break;
      }
      group.push(p);
      rows += p.rows;
    }
    full ||= rows >= maxBatchSize || oldest.alone === true;
    const waited = performance.now() - oldest.enqueuedAt;
    if (full || waited >= maxDelayMs) {
      void dispatch(group);
    } else if (!timer) {
      timer = setTimeout(
        () => {
          timer = null;
          schedule();
        },
        Math.max(0, maxDelayMs - waited),
      );
    }
  }

  async function dispatch(group: Pending[]): Promise<void> {
    running = true;
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    for (const p of group) queue.splice(queue.indexOf(p), 1);
    const started = performance.now();
    const queueMs = started - group[0].enqueuedAt;
    const rows = group.reduce((n, p) => n + p.rows, 0);
    let retriedAlone = false;
    try {
      if (group.length === 1) {
        await settle(group[0]);
      } else {
        try {
          const merged = group[0].inputs.map((t, i) => concatRows(group.map((p) => p.inputs[i])));
          const outputs = await options.run(merged, group[0].outputNames);
          const parts = splitOutputs(
            outputs,
            group.map((p) => p.rows),
          );
          group.forEach((p, i) => p.resolve(parts[i]));
        } catch {
          // Someone in the batch is bad (or the model's outputs are not per row): re-run each member
          // alone, so only the culprit sees an error, and it sees its own error.
          retriedAlone = true;
          for (const p of group) await settle(p);
        }
      }
    } finally {
      report({ requests: group.length, rows, queueMs, runMs: performance.now() - started, retriedAlone });
      running = false;
      schedule();
    }
  }

  /** A request that found the batcher idle: the batch of one it would have been, run now. */
  async function runIdle(inputs: PlainTensor[], outputNames: string[] | undefined, rows: number): Promise<PlainTensor[]> {
    running = true;
    const started = performance.now();
    try {
      return await options.run(inputs, outputNames);
    } finally {
      report({ requests: 1, rows, queueMs: 0, runMs: performance.now() - started, retriedAlone: false });
      running = false;
      schedule();
    }
  }

  async function settle(p: Pending): Promise<void> {
    try {
      p.resolve(await options.run(p.inputs, p.outputNames));
    } catch (err) {
      p.reject(err);
    }
  }

  return {
    infer(inputs, outputNames) {
      const rows = batchRows(inputs);
      if (rows === null || rows >= maxBatchSize) {
        // Nothing to coalesce with (scalars, mismatched batch dims, or already a full batch): run alone, but
        // in its turn — run concurrently, 64 large requests piled onto the session at once and some waited
        // seconds (wrk timeouts at 64 clients with 256-row bodies).
        if (!running && queue.length === 0) return runIdle(inputs, outputNames, rows ?? 1);
        return new Promise<PlainTensor[]>((resolve, reject) => {
          queue.push({ key: '', alone: true, inputs, outputNames, rows: rows ?? 1, enqueuedAt: performance.now(), resolve, reject });
          schedule();
        });
      }
      // Nothing running or waiting (every request at one client): run it at once, without the group key,
      // the sorted copy, a Pending and the dispatch chain. `running` makes requests arriving meanwhile queue.
      if (!running && queue.length === 0) return runIdle(inputs, outputNames, rows);
      // Inputs go to the session by name, so a canonical order lets members be concatenated pairwise.
      const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      return new Promise<PlainTensor[]>((resolve, reject) => {
        const pending: Pending = {
          key: groupKey(sorted, outputNames),
          inputs: sorted,
          outputNames,
          rows,
          enqueuedAt: performance.now(),
          resolve,
          reject,
        };
        queue.push(pending);
        schedule();
      });
    },
    idle() {
      if (!running && queue.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    queued: () => queue.length,
  };
}

/** Rows along axis 0 shared by every input, or null when the request cannot be batched. */
export function batchRows(inputs: PlainTensor[]): number | null {
  if (inputs.length === 0) return null;
  const rows = inputs[0].dims[0];
  if (rows === undefined || rows < 1) return null;
  return inputs.every((t) => t.dims.length > 0 && t.dims[0] === rows) ? rows : null;
}

/** Requests with the same key can share a run: same inputs (names, dtypes, non-batch dims), same outputs. */
function groupKey(sortedInputs: PlainTensor[], outputNames: string[] | undefined): string {
  const inputs = sortedInputs.map((t) => `${t.name}:${t.dtype}:${t.dims.slice(1).join('x')}`).join('|');
  return `${inputs}=>${outputNames ? [...outputNames].sort().join('|') : '*'}`;
}

/** Concatenates tensors of one input along axis 0 (they share name, dtype and non-batch dims). */
export function concatRows(parts: PlainTensor[]): PlainTensor {
  const first = parts[0];
  const rows = parts.reduce((n, t) => n + t.dims[0], 0);
  const total = parts.reduce((n, t) => n + t.data.length, 0);
  let data: TensorData;
  if (first.dtype === 'string') {
    data = ([] as string[]).concat(...parts.map((t) => t.data as string[]));
  } else {
    const out = allocate(first.dtype, total) as Exclude<TensorData, string[]>;
    let offset = 0;
    for (const t of parts) {
      (out as Float32Array).set(t.data as Float32Array, offset);
      offset += t.data.length;
    }
    data = out;
  }
  return { name: first.name, dtype: first.dtype, dims: [rows, ...first.dims.slice(1)], data };
}

/**
 * Splits each output back into per-request tensors by row counts. Copies (rather than views) so a
 * route that serialises `data.buffer` sees only its own rows.
 */
export function splitOutputs(outputs: PlainTensor[], rowCounts: number[]): PlainTensor[][] {
  const total = rowCounts.reduce((a, b) => a + b, 0);
  const result: PlainTensor[][] = rowCounts.map(() => []);
  for (const t of outputs) {
    if (t.dims.length === 0 || t.dims[0] !== total) {
      throw new NotRowAligned(`output ${t.name} has shape [${t.dims.join(', ')}], not ${total} rows`);
    }
    const per = t.dims.slice(1).reduce((a, b) => a * b, 1);
    let row = 0;
    rowCounts.forEach((n, i) => {
      const data = t.data.slice(row * per, (row + n) * per) as TensorData;
      result[i].push({ name: t.name, dtype: t.dtype, dims: [n, ...t.dims.slice(1)], data });
      row += n;
    });
  }
  return result;
}
