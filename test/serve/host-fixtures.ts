/**
 * Tiny ONNX models built in TypeScript for the host, batching and reload tests, so the tests need no
 * Python and each model has exactly the property a test is about (dynamic vs fixed batch, an input that
 * can make onnxruntime fail for one row).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel, type OnnxModel } from '../../server/model/index';
import type { ServerEvent } from '../../server/protocol/api';
import type { ModelHost } from '../../server/serve/host';

const FLOAT = 1;
const INT64 = 7;

function floatTensor(name: string, dims: number[], values: number[]) {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(new Float32Array(values).buffer) };
}

function valueInfo(name: string, elemType: number, dims: (number | string)[]) {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function model(graph: Record<string, unknown>, docString: string): Uint8Array {
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'model-lab tests',
    producerVersion: '1',
    docString,
    graph: { name: 'g', ...graph },
    metadataProps: [],
  } as unknown as OnnxModel);
}

/**
 * y = x · W + b with x float32 [batch, 3] and y [batch, 2]. `batch` 'N' makes the batch dim dynamic.
 * `scale` multiplies W, so two versions of "the same" model give different but related answers.
 */
export function linearModel(options: { batch?: 'N' | number; scale?: number } = {}): Uint8Array {
  const batch = options.batch ?? 'N';
  const s = options.scale ?? 1;
  return model(
    {
      node: [
        { input: ['x', 'W'], output: ['xw'], opType: 'MatMul', name: 'matmul', attribute: [] },
        { input: ['xw', 'b'], output: ['y'], opType: 'Add', name: 'add', attribute: [] },
      ],
      initializer: [
        floatTensor(
          'W',
          [3, 2],
          [1, -1, 0.5, 2, -0.25, 0.75].map((v) => v * s),
        ),
        floatTensor('b', [2], [0.1, -0.2]),
      ],
      input: [valueInfo('x', FLOAT, [batch, 3])],
      output: [valueInfo('y', FLOAT, [batch, 2])],
    },
    `linear model, scale ${s}`,
  );
}

/**
 * y = table[idx] with idx int64 [N] and table float [5, 2]: an index outside 0..4 makes onnxruntime
 * fail, which is how a test sends one bad request inside an otherwise good batch.
 */
export function gatherModel(): Uint8Array {
  return model(
    {
      node: [{ input: ['table', 'idx'], output: ['y'], opType: 'Gather', name: 'gather', attribute: [] }],
      initializer: [floatTensor('table', [5, 2], [0, 1, 10, 11, 20, 21, 30, 31, 40, 41])],
      input: [valueInfo('idx', INT64, ['N'])],
      output: [valueInfo('y', FLOAT, ['N', 2])],
    },
    'gather model',
  );
}

/** A fresh temp directory with `files` written into it; returns the directory. */
export function tempDirWith(files: Record<string, Uint8Array | string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'model-lab-host-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}

/**
 * Resolves with the first event (already recorded or still to come) matching `match`. The generous
 * timeout only turns a hang into a readable failure; nothing is asserted about how long it took.
 */
export function waitForEvent<E extends ServerEvent>(
  host: ModelHost,
  match: (e: ServerEvent) => e is E,
  what: string,
  timeoutMs = 30_000,
): Promise<E> {
  return new Promise((resolve, reject) => {
    const seen = host.recentEvents().find(match);
    if (seen) {
      resolve(seen);
      return;
    }
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${what} event; recent: ${JSON.stringify(host.recentEvents())}`));
    }, timeoutMs);
    const stop = host.onEvent((e) => {
      if (!match(e)) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}
