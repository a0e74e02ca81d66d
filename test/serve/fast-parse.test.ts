/**
 * The hand-written body checks (routes/fast-parse.ts) may only accept what the zod schemas accept: over
 * thousands of generated bodies — valid ones and ones with a field swapped for another JSON value — every
 * body the fast check accepts passes the schema. And the usual bodies do take the fast path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlflowInvocationRequestSchema, OipInferRequestSchema, V1PredictRequestSchema } from '../../server/protocol/schemas';
import { fastMlflowRequest, fastOipInferRequest, fastV1PredictRequest } from '../../server/serve/routes/fast-parse';

/** A small seeded generator (mulberry32), so a failure is reproducible. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 60,
  '',
  'x',
  'FP32',
  true,
  [],
  [1],
  [-1],
  [1.5],
  ['a'],
  [[1]],
  {},
  { a: 1 },
  [{}],
  [{ name: '' }],
  [{ name: 'x' }],
];

/** Every way of replacing one value somewhere in `value` (depth-first), plus deleting object keys. */
function* mutations(value: unknown, pick: () => number): Generator<unknown> {
  const clone = () => JSON.parse(JSON.stringify(value)) as unknown;
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.slice(0, 3).forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(value, []);
  for (const path of paths) {
    for (let n = 0; n < 6; n++) {
      const copy = clone();
      const replacement = ODD_VALUES[Math.floor(pick() * ODD_VALUES.length)];
      if (path.length === 0) {
        yield replacement;
        continue;
      }
      let parent = copy as Record<string | number, unknown>;
      for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, unknown>;
      const last = path[path.length - 1];
      if (n === 0 && !Array.isArray(parent)) delete parent[last];
      else parent[last] = replacement;
      yield copy;
    }
  }
}

const cases = [
  {
    name: 'OIP infer',
    fast: fastOipInferRequest,
    schema: OipInferRequestSchema,
    valid: [
      { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] },
      {
        id: 'r1',
        parameters: { p: 1 },
        inputs: [
          {
            name: 'x',
            shape: [2, 2],
            datatype: 'INT64',
            data: [
              [1, 2],
              [3, 4],
            ],
            parameters: { binary_data_size: 32 },
          },
          { name: 's', shape: [1], datatype: 'BYTES', data: ['a'] },
        ],
        outputs: [{ name: 'y', parameters: {} }],
      },
      { inputs: [{ name: 'x', shape: [1, 3], datatype: 'FP32', parameters: { binary_data_size: 12 } }] },
    ],
  },
  {
    name: 'v1 :predict',
    fast: fastV1PredictRequest,
    schema: V1PredictRequestSchema,
    valid: [{ instances: [[1, 2, 3]] }, { signature_name: 's', inputs: { x: [[1, 2]] } }, { inputs: [[1, 2]] }, { instances: [{ a: 1 }] }],
  },
  {
    name: 'MLflow',
    fast: fastMlflowRequest,
    schema: MlflowInvocationRequestSchema,
    valid: [
      { dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } },
      { dataframe_split: { index: [0], data: [[1, 2]] }, params: { k: 'v' } },
      { dataframe_records: [{ a: 1, b: 2 }] },
      { instances: [[1, 2]] },
      { inputs: { a: [1] } },
    ],
  },
];

for (const c of cases) {
  test(`${c.name}: the fast check takes the usual bodies and accepts nothing the schema refuses`, () => {
    for (const body of c.valid) assert.notEqual(c.fast(body), null, `fast path for ${JSON.stringify(body)}`);
    const pick = rng(13);
    let accepted = 0;
    let checked = 0;
    for (const body of c.valid) {
      for (const mutated of mutations(body, pick)) {
        checked++;
        if (c.fast(mutated) === null) continue;
        accepted++;
        assert.ok(c.schema.safeParse(mutated).success, `fast check accepted what the schema refuses: ${JSON.stringify(mutated)}`);
      }
    }
    assert.ok(checked > 50 && accepted > 0 && accepted < checked, `${accepted} of ${checked} accepted`);
  });
}
