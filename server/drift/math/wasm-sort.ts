/**
 * Runs radix-sort.c (the LSD radix sort on 64-bit keys, compiled to WebAssembly): arrays of up to
 * WASM_SORT_MAX doubles are copied into the module's memory, sorted there and copied back. The copies
 * cost ~0.2 ns a value; the sort saves ~15 (see radix-sort.c). One instance per thread, made on first
 * use; its memory is fixed at 5 MiB and never grows.
 */
import { RADIX_SORT_WASM } from './radix-sort-wasm';

const MiB = 1 << 20;
/** Most values one call sorts: the values and the scratch, 2 MiB each, after the module's own first MiB. */
export const WASM_SORT_MAX = 1 << 18;
const VALUES = 1 * MiB;
const SCRATCH = VALUES + WASM_SORT_MAX * 8;

interface Sorter {
  sort(values: number, scratch: number, n: number): void;
  view: Float64Array;
}

let sorter: Sorter | null | undefined;
let enabled = true;

/** Turns the module off (or on again) in this thread: tests run the JavaScript sorts it stands in for. */
export function setWasmSort(on: boolean): void {
  enabled = on;
}

/** Calls that sorted in the module, in this thread (tests check the module does the work). */
export const wasmSortStats = { calls: 0 };

function load(): Sorter | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(RADIX_SORT_WASM, 'base64')), {});
    const exports = instance.exports as unknown as { memory: WebAssembly.Memory; sort: Sorter['sort'] };
    return { sort: exports.sort, view: new Float64Array(exports.memory.buffer, VALUES, WASM_SORT_MAX) };
  } catch {
    return null;
  }
}

/**
 * Sorts `values` ascending in place in the order of TypedArray.prototype.sort (-0 before 0; no NaN
 * expected), or returns false — leaving them as they were — when there are more than WASM_SORT_MAX
 * or WebAssembly is not available.
 */
export function wasmRadixSort(values: Float64Array): boolean {
  const n = values.length;
  if (n > WASM_SORT_MAX || !enabled) return false;
  if (sorter === undefined) sorter = load();
  if (sorter === null) return false;
  const view = sorter.view.subarray(0, n);
  view.set(values);
  sorter.sort(VALUES, SCRATCH, n);
  values.set(view);
  wasmSortStats.calls++;
  return true;
}
