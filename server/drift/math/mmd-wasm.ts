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
  mmd(
    all: number,
    n: number,
    width: number,
    m: number,
    permutations: number,
    seed: number,
    d2: number,
    rowSums: number,
    order: number,
    xs: number,
    inX: number,
    out: number,
  ): void;
}

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
  // Layout (8-byte aligned): all, d2, rowSums, out, order, xs, inX.
  const at = { all: FIRST, d2: 0, rowSums: 0, out: 0, order: 0, xs: 0, inX: 0, end: 0 };
  at.d2 = at.all + all.length * 8;
  at.rowSums = at.d2 + pairs * 8;
  at.out = at.rowSums + n * 8;
  at.order = at.out + 3 * 8;
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
  wasm.mmd(at.all, n, width, m, permutations, seed >>> 0, at.d2, at.rowSums, at.order, at.xs, at.inX, at.out);
  const out = new Float64Array(wasm.memory.buffer, at.out, 3);
  wasmMmdStats.calls++;
  return { mmd2: out[0], sigma: out[1], exceeding: out[2] };
}

/** Math.exp as the module computes it (fdlibm's method): for the test that it is V8's, bit for bit. */
export function wasmExp(x: number): number | null {
  return instance()?.exp(x) ?? null;
}
