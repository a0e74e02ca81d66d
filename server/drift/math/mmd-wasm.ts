/**
 * Runs mmd-kernel.c (the MMD permutation test's arithmetic, compiled to WebAssembly; the same results
 * as mmd.ts's JavaScript, bit for bit). One instance per thread, made on first use; its memory grows
 * to what the largest sample asks for (8 bytes a pair of rows: 2.6 MB at 400 + 400 rows, 64 MB at the
 * largest sample the HTTP API allows, 2,000 + 2,000).
 */
import { MMD_KERNEL_WASM } from './mmd-kernel-wasm';

interface Exports {
  memory: WebAssembly.Memory;
  exp(x: number): number;
  begin(all: number, n: number, width: number, m: number, d2: number, rowSums: number, order: number, xs: number, inX: number): void;
  distances(i0: number, i1: number): void;
  bandwidth(): number;
  kernel(i0: number, i1: number): void;
  observe(seed: number): number;
  permute(count: number): number;
}

/**
 * Rows per `distances`/`kernel` call and permutations per `permute` call: small enough that the first
 * call, run in V8's baseline code, is a small part of the work (see mmd-kernel.c), large enough that
 * calls cost nothing next to it.
 */
const ROWS_PER_CALL = 32;
const PERMUTATIONS_PER_CALL = 8;

/** The module's own data and stack sit below this; the buffers above it. */
const FIRST = 1 << 20;
const PAGE = 1 << 16;
/** Most pooled rows it takes (the sample's bound, 2,000 a side, with room): bounds the memory it grows to. */
export const WASM_MMD_MAX_ROWS = 4096;

let module: Exports | null | undefined;
let enabled = true;

/** Turns the module off (or on again) in this thread: tests run the JavaScript it stands in for. */
export function setWasmMmd(on: boolean): void {
  enabled = on;
}

/** Tests ran in the module, in this thread (tests check it does the work). */
export const wasmMmdStats = { calls: 0 };

function load(): Exports | null {
  if (typeof WebAssembly !== 'object') return null;
  try {
    return new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(MMD_KERNEL_WASM, 'base64')), {}).exports as unknown as Exports;
  } catch {
    return null;
  }
}

function instance(): Exports | null {
  if (module === undefined) module = load();
  return module;
}

export interface WasmMmdResult {
  mmd2: number;
  sigma: number;
  /** Permutations whose MMD² was at least the observed one. */
  exceeding: number;
}

/**
 * The test on `all` (n = all.length / width pooled rows, standardised; the first m the reference) with
 * `permutations` shuffles from mulberry32(`seed`), or null when the module cannot run it (then mmd.ts
 * runs its JavaScript).
 */
export function wasmMmd(all: Float64Array, width: number, m: number, permutations: number, seed: number): WasmMmdResult | null {
  const n = all.length / width;
  if (!enabled || !Number.isInteger(n) || n > WASM_MMD_MAX_ROWS) return null;
  const wasm = instance();
  if (wasm === null) return null;
  const pairs = (n * (n - 1)) / 2;
  // Layout (8-byte aligned): all, d2, rowSums, order, xs, inX.
  const at = { all: FIRST, d2: 0, rowSums: 0, order: 0, xs: 0, inX: 0, end: 0 };
  at.d2 = at.all + all.length * 8;
  at.rowSums = at.d2 + pairs * 8;
  at.order = at.rowSums + n * 8;
  at.xs = at.order + n * 4;
  at.inX = at.xs + n * 4;
  at.end = at.inX + n;
  try {
    const have = wasm.memory.buffer.byteLength;
    if (at.end > have) wasm.memory.grow(Math.ceil((at.end - have) / PAGE));
  } catch {
    return null; // no memory for it: the JavaScript path (which needs as much) will say so if it fails too
  }
  new Float64Array(wasm.memory.buffer, at.all, all.length).set(all);
  wasm.begin(at.all, n, width, m, at.d2, at.rowSums, at.order, at.xs, at.inX);
  for (let i = 0; i < n; i += ROWS_PER_CALL) wasm.distances(i, Math.min(n, i + ROWS_PER_CALL));
  const sigma = wasm.bandwidth();
  for (let i = 0; i < n; i += ROWS_PER_CALL) wasm.kernel(i, Math.min(n, i + ROWS_PER_CALL));
  const mmd2 = wasm.observe(seed >>> 0);
  let exceeding = 0;
  for (let p = 0; p < permutations; p += PERMUTATIONS_PER_CALL) exceeding = wasm.permute(Math.min(PERMUTATIONS_PER_CALL, permutations - p));
  wasmMmdStats.calls++;
  return { mmd2, sigma, exceeding };
}

/** Math.exp as the module computes it (fdlibm's method): for the test that it is V8's, bit for bit. */
export function wasmExp(x: number): number | null {
  return instance()?.exp(x) ?? null;
}
