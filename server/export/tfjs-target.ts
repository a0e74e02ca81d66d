/**
 * The `tfjs/` target: the ONNX → TF.js graph model converter (server/export/tfjs, its own engine), the
 * vendored `@tensorflow/tfjs` script and a tiny `index.html` that loads the model and runs the sample
 * input. This file only adapts the converter's API to the bundle.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { OnnxModel } from '../model';
import type { PlainTensor } from '../protocol/codec';
import { packageRoot } from './server-bundle';
import { convertToTfjs, precheckTfjs, runTfjs, writeTfjsModel, type TfjsConversion } from './tfjs';
import type { UnsupportedNode } from './types';

/** What the bundle needs from the converter engine. */
export interface TfjsConverterApi {
  precheck(model: OnnxModel): UnsupportedNode[];
  /** Converts and writes model.json + shards; returns the ONNX ↔ TF.js tensor names for the sample page. */
  convertAndWrite(model: OnnxModel, dir: string): Promise<TfjsNames>;
  /**
   * Loads the model *as written in `dir`* (model.json + shards read back from disk) with @tensorflow/tfjs
   * (cpu backend), runs `inputs` and returns the max abs diff against `expected` (onnxruntime's outputs).
   */
  parity(dir: string, inputs: PlainTensor[], expected: PlainTensor[]): Promise<{ maxAbsDiff: number; compared: string[] }>;
}

/** ONNX tensor name → TF.js node name and dtype (names are sanitised by the converter). */
export interface TfjsNames {
  inputs: { name: string; tfName: string; dtype: string }[];
  outputs: { name: string; tfName: string }[];
}

/** Conversions by output folder, for the parity check that follows the write. */
const written = new Map<string, TfjsConversion>();

const converter: TfjsConverterApi = {
  precheck: (model) => precheckTfjs(model).unsupported,
  async convertAndWrite(model, dir) {
    const conv = convertToTfjs(model);
    await writeTfjsModel(dir, conv);
    written.set(dir, conv);
    return {
      inputs: conv.report.inputs.map((i) => ({ name: i.name, tfName: i.tfName, dtype: i.dtype })),
      outputs: conv.report.outputs.map((o) => ({ name: o.name, tfName: o.tfName })),
    };
  },
  async parity(dir, inputs, expected) {
    const conv = written.get(dir);
    if (!conv) throw new Error(`no TF.js conversion was written to ${dir}`);
    written.delete(dir);
    // Read back what is on disk, so the check covers the files the engineer receives.
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as TfjsConversion['modelJson'];
    const shards = await Promise.all(modelJson.weightsManifest[0].paths.map((p) => readFile(join(dir, p))));
    const fromDisk: TfjsConversion = { ...conv, modelJson, weightData: new Uint8Array(Buffer.concat(shards)) };
    const got = await runTfjs(fromDisk, inputs);
    let maxAbsDiff = 0;
    for (const g of got) {
      const want = expected.find((e) => e.name === g.name);
      if (!want) throw new Error(`onnxruntime has no output '${g.name}' to compare with`);
      const a = Array.from(want.data as ArrayLike<number | bigint>, Number);
      const b = Array.from(g.data as ArrayLike<number>, Number);
      if (a.length !== b.length) throw new Error(`output '${g.name}': TF.js gives ${b.length} values, onnxruntime ${a.length}`);
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i] - b[i]);
        maxAbsDiff = Math.max(maxAbsDiff, Number.isNaN(d) ? (Number.isNaN(a[i]) && Number.isNaN(b[i]) ? 0 : Infinity) : d);
      }
    }
    return { maxAbsDiff, compared: got.map((g) => g.name) };
  },
};

/** The converter (server/export/tfjs, its own engine). */
export function loadTfjsConverter(): { api: TfjsConverterApi | null; reason: string } {
  return { api: converter, reason: '' };
}

/** Copies tf.min.js from node_modules so the page needs no CDN. */
export async function writeTfjsPage(dir: string, sampleInputs: PlainTensor[], names: TfjsNames): Promise<void> {
  await mkdir(dir, { recursive: true });
  const require = createRequire(join(packageRoot(), 'package.json'));
  await copyFile(require.resolve('@tensorflow/tfjs/dist/tf.min.js'), join(dir, 'tf.min.js'));
  const inputs = sampleInputs.map((t) => {
    const spec = names.inputs.find((i) => i.name === t.name);
    return {
      name: t.name,
      tfName: spec?.tfName ?? t.name,
      dtype: spec?.dtype ?? 'float32',
      dims: t.dims,
      data: Array.from(t.data as ArrayLike<number | bigint>, Number),
    };
  });
  await writeFile(
    join(dir, 'index.html'),
    `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<!-- tf.min.js needs 'unsafe-eval' (without it tf.loadGraphModel is missing); nothing else is allowed off this folder. -->
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'unsafe-inline'">
<title>TF.js model</title>
</head>
<body>
<h1>TF.js graph model</h1>
<p>Serve this folder over HTTP (browsers do not fetch model.json from file://), e.g. <code>npx http-server .</code></p>
<pre id="out">loading…</pre>
<script src="tf.min.js"></script>
<script src="run-sample.js"></script>
</body>
</html>
`,
  );
  // A separate script file keeps the page's CSP free of inline scripts.
  await writeFile(
    join(dir, 'run-sample.js'),
    `// Loads model.json and runs the model's sample input (from the signature / reference rows).
const SAMPLE_INPUTS = ${JSON.stringify(inputs)};
const OUTPUTS = ${JSON.stringify(names.outputs)};
(async () => {
  const out = document.getElementById('out');
  try {
    const model = await tf.loadGraphModel('model.json');
    const feeds = {};
    for (const t of SAMPLE_INPUTS) feeds[t.tfName] = tf.tensor(t.dtype === 'bool' ? t.data.map(Boolean) : t.data, t.dims, t.dtype);
    const result = await model.executeAsync(feeds, OUTPUTS.map((o) => o.tfName));
    const outputs = Array.isArray(result) ? result : [result];
    const lines = [];
    for (let i = 0; i < outputs.length; i++) {
      const values = Array.from(await outputs[i].data());
      lines.push(OUTPUTS[i].name + ' ' + JSON.stringify(outputs[i].shape) + ': ' + JSON.stringify(values));
    }
    out.textContent = lines.join('\\n');
  } catch (err) {
    out.textContent = 'failed: ' + err.message;
  }
})();
`,
  );
}
