/**
 * Runs sorted-walk.c (pair.ts's walk over two sorted samples, compiled to WebAssembly; the same
 * results, bit for bit): the samples are copied into the module's memory a chunk at a time (~0.2 ns a
 * value), the walk goes on where it stopped. One instance per thread, made on first use; its memory is
 * fixed at 2 MiB and never grows.
 */
import { SORTED_WALK_WASM } from './sorted-walk-wasm';

interface Exports {
  memory: WebAssembly.Memory;
  begin(first: number, runs: number): void;
  refill_u(): void;
  refill_v(): void;
  walk(u: number, un: number, uLast: number, v: number, vn: number, vLast: number, nu: number, nv: number): number;
  runs(): number;
  total(): number;
  u_nv(): number;
}

/** Values of each side per chunk (+1 for v's sentinel), after the module's own first MiB. */
const CHUNK = 1 << 15;
const U = 1 << 20;
const V = U + (CHUNK + 1) * 8;

interface Loaded {
  wasm: Exports;
  u: Float64Array;
  v: Float64Array;
}

let module: Loaded | null | undefined;
let enabled = true;

/** Turns the module off (or on again) in this thread: tests run the JavaScript it stands in for. */
export function setWasmWalk(on: boolean): void {
  enabled = on;
}

/** Walks done in the module, in this thread (tests check it does the work). */
export const wasmWalkStats = { calls: 0 };

function load(): Loaded | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    const wasm = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(SORTED_WALK_WASM, 'base64')), {})
      .exports as unknown as Exports;
    return { wasm, u: new Float64Array(wasm.memory.buffer, U, CHUNK + 1), v: new Float64Array(wasm.memory.buffer, V, CHUNK + 1) };
  } catch {
    return null;
  }
}

/**
 * The distinct values of u ∪ v and the Wasserstein-1 distance, as pair.ts's walkSorted computes them
 * (`first` and `runs`: its starting values), or null when the module cannot run (then it walks itself).
 */
export function wasmWalk(u: Float64Array, v: Float64Array, first: number, runs: number): { distinct: number; wasserstein1: number } | null {
  if (!enabled) return null;
  if (module === undefined) module = load();
  if (module === null) return null;
  const { wasm, u: uChunk, v: vChunk } = module;
  const nu = u.length;
  const nv = v.length;
  let uAt = 0;
  let vAt = 0;
  let un = 0;
  let vn = 0;
  const loadU = () => {
    un = Math.min(CHUNK, nu - uAt);
    uChunk.set(u.subarray(uAt, uAt + un));
  };
  const loadV = () => {
    vn = Math.min(CHUNK, nv - vAt);
    vChunk.set(v.subarray(vAt, vAt + vn));
    vChunk[vn] = Infinity; // the sentinel: read only once v is done
  };
  loadU();
  loadV();
  wasm.begin(first, runs);
  for (;;) {
    const code = wasm.walk(U, un, uAt + un >= nu ? 1 : 0, V, vn, vAt + vn >= nv ? 1 : 0, nu, nv);
    if (code === 0) break;
    if (code === 1) {
      uAt += un;
      loadU();
      wasm.refill_u();
    } else {
      vAt += vn;
      loadV();
      wasm.refill_v();
    }
  }
  wasmWalkStats.calls++;
  return { distinct: wasm.runs(), wasserstein1: nu && nv ? wasm.total() / wasm.u_nv() : 0 };
}
