/**
 * The walk over both sorted samples of a numerical column (pair.ts: the distinct values of the union,
 * for the default test choice, and the Wasserstein-1 distance) costs ~0.2 s per column at 10M rows a
 * side. In a multi-pass check this thread did every walk of a pass while the worker, done loading and
 * sorting its side, waited. Now the worker walks the later half of a pass's big columns while this
 * thread tests the earlier half: the sorted values are transferred to the worker and back (no copy).
 */
import type { ColumnData } from './csv/column';
import { rebuildError } from './csv/parallel';
import { abortError } from './csv/read';
import { mergeSorted, type MergedWalk, type WalkResult } from './pair';
import { runInWorker } from './threads';

/** Below this many values (both sides together) a walk takes milliseconds: not worth a message. */
export const WALK_IN_WORKER_MIN_VALUES = 1_000_000;

/** Worker side: one walk per pair (the arrays go back with the answer). */
export function walkPairs(pairs: { ref: Float64Array; cur: Float64Array }[]): WalkResult {
  return { walked: pairs.map((p) => mergeSorted(p.ref, p.cur)), pairs };
}

/**
 * The columns of `group` whose walk goes to the worker: the later half of those that will need one
 * (numerical on both sides, values on both, many of them, tested by Wasserstein — chosen, or the
 * default with more than five distinct values).
 */
export function walksForWorker(
  group: string[],
  ref: Map<string, ColumnData>,
  cur: Map<string, ColumnData>,
  chosenTest: (name: string) => string | undefined,
): string[] {
  const eligible = group.filter((name) => {
    const r = ref.get(name);
    const c = cur.get(name);
    if (!r || !c || r.kind !== 'numerical' || c.kind !== 'numerical' || !r.sorted || !c.sorted) return false;
    if (r.count === 0 || c.count === 0 || r.count + c.count < WALK_IN_WORKER_MIN_VALUES) return false;
    const test = chosenTest(name);
    if (test === 'wasserstein') return true;
    if (test !== undefined) return false;
    // The default test walks unless both sides' few distinct values say it will be Jensen–Shannon or chi-square.
    return !(r.distinct && c.distinct && new Set([...r.distinct, ...c.distinct]).size <= 5);
  });
  return eligible.slice(Math.ceil(eligible.length / 2));
}

/**
 * Walks `names`' sorted samples in the worker. Their buffers are away meanwhile: nothing may read the
 * columns' values until this resolves; then each ColumnData's `values` is the same view again, on the
 * buffer that came back. Without a worker the walks run here.
 */
export async function walkInWorker(
  names: string[],
  ref: Map<string, ColumnData>,
  cur: Map<string, ColumnData>,
  signal?: AbortSignal,
): Promise<Map<string, MergedWalk>> {
  const columns = names.map((name) => ({ r: ref.get(name)!, c: cur.get(name)! }));
  const pairs = columns.map(({ r, c }) => ({ ref: r.values.subarray(0, r.count), cur: c.values.subarray(0, c.count) }));
  const views = columns.map(({ r, c }) => ({ ref: [r.values.byteOffset, r.values.length], cur: [c.values.byteOffset, c.values.length] }));
  const buffers = [...new Set(pairs.flatMap((p) => [p.ref.buffer as ArrayBuffer, p.cur.buffer as ArrayBuffer]))];
  const result = await runInWorker<WalkResult>({ type: 'walk', pairs }, buffers, () => Promise.resolve(walkPairs(pairs)), {
    signal,
    rebuild: rebuildError,
    abortError: () => abortError(signal!),
  });
  const walks = new Map<string, MergedWalk>();
  columns.forEach(({ r, c }, i) => {
    const back = result.pairs[i];
    r.values = new Float64Array(back.ref.buffer, views[i].ref[0], views[i].ref[1]);
    c.values = new Float64Array(back.cur.buffer, views[i].cur[0], views[i].cur[1]);
    walks.set(names[i], result.walked[i]);
  });
  return walks;
}
