/**
 * Runs one ONNX backend node test (a folder with model.onnx + test_data_set_0/{input,output}_*.pb)
 * through the converter and TF.js, and compares with the expected outputs the ONNX project ships.
 * Used by bench/tfjs-conformance.ts (all 932 tests) and the representative subset in `npm test`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, type OnnxModel } from '../../model/onnx/proto';
import type { PlainTensor } from '../../protocol/codec';
import { TfjsConversionError } from './errors';
import { convertToTfjs } from './index';
import { decodeTensor, decodeTensorProto } from './tensor';
import { runTfjs } from './verify';

export type CaseStatus = 'pass' | 'wrong' | 'unsupported' | 'error';
export interface CaseResult {
  test: string;
  op: string;
  status: CaseStatus;
  detail: string;
  maxAbsDiff?: number;
}

/** ONNX backend-test tolerance (onnx/backend/test/runner: rtol 1e-3, atol 1e-7). */
export const RTOL = 1e-3,
  ATOL = 1e-7;

function mainOp(test: string, ops: string[]): string {
  const real = [...new Set(ops.filter((o) => o !== 'Constant'))];
  const expanded = test.includes('_expanded');
  if (real.length === 1 && !expanded) return real[0];
  const key = test
    .replace(/^test_/, '')
    .replace(/_/g, '')
    .toLowerCase();
  const hit =
    [...real].sort((a, b) => b.length - a.length).find((o) => key.startsWith(o.toLowerCase())) ?? test.replace(/^test_/, '').split('_')[0]; // e.g. nllloss, sce
  return expanded ? `${hit} (expanded)` : hit;
}

function freezeParameterInputs(model: OnnxModel, data: string): void {
  const g = model.graph!;
  const pbs = readdirSync(data)
    .filter((f) => f.startsWith('input_') && f.endsWith('.pb'))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
  const names = g.input.map((i) => i.name).filter((n) => !g.initializer.some((t) => t.name === n));
  pbs.slice(1).forEach((f, i) => {
    const name = names[i + 1];
    if (name) g.initializer.push({ ...decodeTensorProto(readFileSync(join(data, f))), name });
  });
}

const readPbs = (dir: string, prefix: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
    .map((f) => decodeTensor(readFileSync(join(dir, f))));

/**
 * `frozen`: the second and later inputs (weights, scales, sizes, axes… which the suite feeds at run time)
 * become initializers holding the test's values, as exporters write them. A separate figure: the suite's
 * own count keeps them as inputs.
 */
export async function runConformanceCase(dir: string, options: { frozen?: boolean } = {}): Promise<CaseResult> {
  const test = dir.split('/').filter(Boolean).at(-1)!;
  let op = '?';
  try {
    const model = decodeModel(readFileSync(join(dir, 'model.onnx')));
    op = mainOp(test, model.graph?.node.map((n) => n.opType) ?? []);
    const data = join(dir, 'test_data_set_0');
    if (!existsSync(data)) return { test, op, status: 'unsupported', detail: 'no test data' };
    if (options.frozen) freezeParameterInputs(model, data);
    let conv;
    try {
      conv = convertToTfjs(model);
    } catch (err) {
      if (err instanceof TfjsConversionError) return { test, op, status: 'unsupported', detail: err.unsupported[0].reason };
      return { test, op, status: 'unsupported', detail: (err as Error).message };
    }
    let ins, outs;
    try {
      ins = readPbs(data, 'input_');
      outs = readPbs(data, 'output_');
    } catch (err) {
      return { test, op, status: 'unsupported', detail: `test data: ${(err as Error).message}` };
    }
    const inputNames = model.graph!.input.map((i) => i.name).filter((n) => !model.graph!.initializer.some((t) => t.name === n));
    if (options.frozen) ins = ins.slice(0, 1);
    const feeds: PlainTensor[] = ins.map((t, i) => ({
      name: t.name || inputNames[i],
      dtype: 'float32',
      dims: t.shape,
      data: Float64Array.from(t.data),
    }));
    let got: PlainTensor[];
    try {
      got = await runTfjs(conv, feeds);
    } catch (err) {
      if (err instanceof RangeError) return { test, op, status: 'unsupported', detail: err.message };
      return { test, op, status: 'error', detail: (err as Error).message.split('\n')[0].slice(0, 200) };
    }
    let worst = 0;
    for (const [i, want] of outs.entries()) {
      const g = got[i];
      if (!g) return { test, op, status: 'wrong', detail: `output ${i} missing` };
      if (g.dims.join(',') !== want.shape.join(','))
        return { test, op, status: 'wrong', detail: `output ${i} shape [${g.dims.join(', ')}] ≠ expected [${want.shape.join(', ')}]` };
      const a = g.data as ArrayLike<number>;
      for (let k = 0; k < want.data.length; k++) {
        const w = Number(want.data[k]),
          v = Number(a[k]);
        if (Number.isNaN(w) && Number.isNaN(v)) continue;
        if (w === v) continue;
        const d = Math.abs(w - v);
        if (!(d <= ATOL + RTOL * Math.abs(w)))
          return { test, op, status: 'wrong', detail: `output ${i}[${k}] = ${v}, expected ${w}`, maxAbsDiff: d };
        worst = Math.max(worst, d);
      }
    }
    return { test, op, status: 'pass', detail: '', maxAbsDiff: worst };
  } catch (err) {
    return { test, op, status: 'error', detail: (err as Error).message.split('\n')[0].slice(0, 200) };
  }
}
