// Every bundled sample, loaded by the real loader and run by a real onnxruntime session, reproduces the
// outputs its training framework (sklearn/torch) computed for the same rows (samples/*/expected.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadModel } from '../../server/model';
import type { FeatureRecord } from '../../server/protocol/signature';

interface Expected {
  tolerance: number;
  records: FeatureRecord[];
  predictions: { label?: string | number; probabilities?: Record<string, number>; value?: number | Record<string, number> }[];
}

const SAMPLES: [string, string, string | undefined][] = [
  ['breast-cancer', 'breast_cancer.onnx', 'reference.csv'],
  ['iris', 'iris.onnx', 'reference.csv'],
  ['diabetes', 'diabetes.onnx', 'reference.csv'],
  ['flights', 'flights.onnx', 'reference.csv'],
  ['digits', 'digits.onnx', undefined],
];

/** An 8-bit grey picture as the RGBA pixels a browser canvas hands the codec. */
function rgba(pixels: number[][]): { width: number; height: number; data: Uint8ClampedArray } {
  const h = pixels.length,
    w = pixels[0].length;
  const data = new Uint8ClampedArray(w * h * 4);
  pixels.flat().forEach((p, i) => {
    data.set([p, p, p, 255], i * 4);
  });
  return { width: w, height: h, data };
}

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs expected ${expected} (tolerance ${tol})`);
}

describe('bundled samples reproduce their framework outputs in onnxruntime-node', () => {
  for (const [dir, file, ref] of SAMPLES) {
    it(dir, async () => {
      const expected = JSON.parse(readFileSync(`samples/${dir}/expected.json`, 'utf8')) as Expected;
      const model = await loadModel(`samples/${dir}/${file}`, ref ? { referenceCsv: `samples/${dir}/${ref}` } : {});
      try {
        const records = expected.records.map((r) => ('pixels' in r ? { image: rgba(r['pixels'] as number[][]) } : r));
        const { predictions } = await model.predictRecords(records);
        assert.equal(predictions.length, expected.predictions.length);
        predictions.forEach((p, i) => {
          const want = expected.predictions[i];
          if (want.label !== undefined) assert.equal(String(p.label), String(want.label), `row ${i} label`);
          for (const [cls, prob] of Object.entries(want.probabilities ?? {})) {
            close(p.probabilities?.[cls] ?? NaN, prob, expected.tolerance, `row ${i} p(${cls})`);
          }
          if (want.value !== undefined) {
            const v = typeof want.value === 'number' ? want.value : Object.values(want.value)[0];
            close(p.value as number, v, expected.tolerance * Math.max(1, Math.abs(v)), `row ${i} value`);
          }
          assert.ok(want.label !== undefined || want.value !== undefined, 'the fixture names an expected output');
        });
      } finally {
        await model.dispose();
      }
    });
  }
});
