/**
 * Open Inference Protocol v2 routes against real models: metadata, health, infer (JSON and the binary
 * tensor extension), every datatype, and the errors a user can act on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { postJson, repoPath, startTestServer, type TestServer } from '../helpers/server';

const iris = JSON.parse(readFileSync(repoPath('samples/iris/expected.json'), 'utf8'));

describe('OIP v2 on iris (sklearn, packed FP32 input, string label + probabilities)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/iris/iris.onnx'), { app: { bodyLimitBytes: 4096 } });
  });
  after(() => server.close());

  test('GET /v2 names the server and its extensions', async () => {
    const res = await fetch(`${server.url}/v2`);
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.name, 'model-lab');
    assert.equal(typeof body.version, 'string');
    assert.ok(body.extensions.includes('binary_tensor_data'));
  });

  test('health and readiness answer 200 with an empty body', async () => {
    for (const path of ['/v2/health/live', '/v2/health/ready', '/v2/models/iris/ready', '/v2/models/iris/versions/1/ready']) {
      const res = await fetch(server.url + path);
      assert.equal(res.status, 200, path);
      assert.equal(await res.text(), '', path);
    }
  });

  test('model metadata uses -1 for variable dimensions', async () => {
    for (const path of ['/v2/models/iris', '/v2/models/iris/versions/1']) {
      const body = await (await fetch(server.url + path)).json();
      assert.equal(body.name, 'iris');
      assert.deepEqual(body.versions, ['1']);
      assert.deepEqual(body.inputs, [{ name: 'float_input', datatype: 'FP32', shape: [-1, 4] }]);
      assert.deepEqual(
        body.outputs.map((o: { name: string }) => o.name),
        ['output_label', 'output_probability'],
      );
      assert.deepEqual(body.outputs[1], { name: 'output_probability', datatype: 'FP32', shape: [-1, 3] });
    }
  });

  test('unknown model or version → 404 naming the served model', async () => {
    let res = await fetch(`${server.url}/v2/models/resnet`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: "model 'resnet' not found; this server serves 'iris'" });
    res = await fetch(`${server.url}/v2/models/resnet/ready`);
    assert.equal(res.status, 404);
    res = await fetch(`${server.url}/v2/models/iris/versions/7`);
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /version '7'.*version '1'/);
    const infer = await postJson(`${server.url}/v2/models/resnet/infer`, { inputs: [] });
    assert.equal(infer.status, 404);
    assert.match(infer.json.error, /model 'resnet' not found; this server serves 'iris'/);
  });

  test('the KServe docs request shape, nested data, matches sklearn', async () => {
    const data = iris.inputs.float_input.data.slice(0, 2);
    const { status, json } = await postJson(`${server.url}/v2/models/iris/infer`, {
      inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data }],
    });
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.model_name, 'iris');
    assert.equal(json.model_version, '1');
    assert.equal(typeof json.id, 'string');
    assert.ok(json.id.length > 0);
    const label = json.outputs.find((o: { name: string }) => o.name === 'output_label');
    assert.deepEqual(label, { name: 'output_label', shape: [2], datatype: 'BYTES', data: ['versicolor', 'virginica'] });
    const probs = json.outputs.find((o: { name: string }) => o.name === 'output_probability');
    assert.deepEqual(probs.shape, [2, 3]);
    assert.equal(probs.data.length, 6);
    const expected = iris.outputs.output_probability.data
      .slice(0, 2)
      .flatMap((p: Record<string, number>) => [p.setosa, p.versicolor, p.virginica]);
    probs.data.forEach((v: number, i: number) => assert.ok(Math.abs(v - expected[i]) < 1e-4, `prob ${i}: ${v} vs ${expected[i]}`));
  });

  test('numbers under another number datatype convert (INT64, FP64 into FP32); one row may come without its batch dimension', async () => {
    const strict = await postJson(`${server.url}/v2/models/iris/infer`, {
      inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6, 2.5, 4, 1] }],
    });
    assert.equal(strict.status, 200, JSON.stringify(strict.json));
    for (const input of [
      { name: 'float_input', shape: [1, 4], datatype: 'INT64', data: [6, 2.5, 4, 1] },
      { name: 'float_input', shape: [1, 4], datatype: 'FP64', data: [6, 2.5, 4, 1] },
      { name: 'float_input', shape: [4], datatype: 'FP32', data: [6, 2.5, 4, 1] },
    ]) {
      const { status, json } = await postJson(`${server.url}/v2/models/iris/infer`, { inputs: [input] });
      assert.equal(status, 200, JSON.stringify(json));
      assert.deepEqual(json.outputs, strict.json.outputs, JSON.stringify(input));
    }
  });

  test('flat data, versioned path, id echoed, output selection', async () => {
    const { status, json } = await postJson(`${server.url}/v2/models/iris/versions/1/infer`, {
      id: 'req-42',
      inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6.1, 2.8, 4.0, 1.3] }],
      outputs: [{ name: 'output_label' }],
    });
    assert.equal(status, 200, JSON.stringify(json));
    assert.equal(json.id, 'req-42');
    assert.deepEqual(json.outputs, [{ name: 'output_label', shape: [1], datatype: 'BYTES', data: ['versicolor'] }]);
  });

  const bad: [string, unknown, RegExp][] = [
    [
      'wrong datatype (text for numbers)',
      { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'BYTES', data: ['6', '2', '4', '1'] }] },
      /^input 'float_input': expected datatype FP32, got BYTES$/,
    ],
    [
      'wrong shape',
      { inputs: [{ name: 'float_input', shape: [1, 3], datatype: 'FP32', data: [6, 2, 4] }] },
      /^input 'float_input': expected shape \[-1,4\], got \[1,3\]$/,
    ],
    [
      'data not matching shape',
      { inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', data: [6, 2, 4, 1] }] },
      /input 'float_input': shape says 8 elements but data holds 4/,
    ],
    [
      'unknown input name',
      { inputs: [{ name: 'input-0', shape: [1, 4], datatype: 'FP32', data: [6, 2, 4, 1] }] },
      /input 'input-0'.*no such input.*'float_input'/,
    ],
    ['missing input', { inputs: [] }, /inputs/],
    [
      'string "NaN" value',
      { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6, 'NaN', 4, 1] }] },
      /float_input\[1\]: expected a float32 number, got "NaN"/,
    ],
    [
      'non-numeric value',
      { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6, 'abc', 4, 1] }] },
      /float_input\[1\]: expected a float32 number, got "abc"/,
    ],
    [
      'unknown datatype',
      { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FLOAT', data: [6, 2, 4, 1] }] },
      /inputs\[0\]\.datatype/,
    ],
    ['no inputs key', { instances: [[1, 2, 3, 4]] }, /inputs/],
    [
      'unknown output',
      { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6, 2, 4, 1] }], outputs: [{ name: 'logits' }] },
      /output 'logits'.*'output_label', 'output_probability'/,
    ],
    [
      'an unknown output with a 1,000-character name (quoted cut short)',
      { inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6, 2, 4, 1] }], outputs: [{ name: 'x'.repeat(1000) }] },
      /^output 'x{80}… \(920 more characters\)': the model has no such output/,
    ],
    [
      'input sent twice',
      { inputs: [1, 2].map(() => ({ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6, 2, 4, 1] })) },
      /sent twice/,
    ],
  ];
  for (const [what, body, message] of bad) {
    test(`400 for ${what}`, async () => {
      const { status, json } = await postJson(`${server.url}/v2/models/iris/infer`, body);
      assert.equal(status, 400, JSON.stringify(json));
      assert.match(json.error, message);
    });
  }

  test('400 for malformed JSON and a bare NaN literal, naming the problem', async () => {
    let res = await postJson(`${server.url}/v2/models/iris/infer`, '{"inputs": [');
    assert.equal(res.status, 400);
    assert.match(res.json.error, /not valid JSON/);
    res = await postJson(
      `${server.url}/v2/models/iris/infer`,
      '{"inputs":[{"name":"float_input","shape":[1,4],"datatype":"FP32","data":[NaN,1,2,3]}]}',
    );
    assert.equal(res.status, 400);
    assert.match(res.json.error, /no NaN/);
  });

  test('415 for a non-JSON content type, 413 past the body limit', async () => {
    const res = await fetch(`${server.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: '{}',
    });
    assert.equal(res.status, 415);
    assert.match((await res.json()).error, /Content-Type 'application\/xml'.*application\/json/);
    const rows = Array.from({ length: 400 }, () => [6.1, 2.8, 4.0, 1.3]);
    const big = await postJson(`${server.url}/v2/models/iris/infer`, {
      inputs: [{ name: 'float_input', shape: [400, 4], datatype: 'FP32', data: rows }],
    });
    assert.equal(big.status, 413);
    assert.match(big.json.error, /larger than the limit of 4096 bytes/);
  });

  test('the server keeps serving after bad requests', async () => {
    const { status } = await postJson(`${server.url}/v2/models/iris/infer`, {
      inputs: [{ name: 'float_input', shape: [1, 4], datatype: 'FP32', data: [6.1, 2.8, 4.0, 1.3] }],
    });
    assert.equal(status, 200);
  });

  test('binary tensor extension: JSON header + raw little-endian FP32 bytes', async () => {
    const header = JSON.stringify({
      inputs: [{ name: 'float_input', shape: [2, 4], datatype: 'FP32', parameters: { binary_data_size: 32 } }],
    });
    const values = new Float32Array(iris.inputs.float_input.data.slice(0, 2).flat());
    const headerBytes = Buffer.from(header);
    const body = Buffer.concat([headerBytes, Buffer.from(values.buffer)]);
    const res = await fetch(`${server.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerBytes.length) },
      body,
    });
    const json = await res.json();
    assert.equal(res.status, 200, JSON.stringify(json));
    assert.deepEqual(json.outputs.find((o: { name: string }) => o.name === 'output_label').data, ['versicolor', 'virginica']);

    const short = await fetch(`${server.url}/v2/models/iris/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(headerBytes.length) },
      body: body.subarray(0, body.length - 4),
    });
    assert.equal(short.status, 400);
    assert.match((await short.json()).error, /binary_data_size is 32 but only 28 bytes remain/);
  });
});

describe('OIP v2 datatypes (dtypes.onnx: Identity per dtype)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('test/fixtures/models/dtypes.onnx'));
  });
  after(() => server.close());

  const cases: [string, string, unknown[], unknown[]][] = [
    ['float16', 'FP16', [1.5, -0.25], [1.5, -0.25]],
    ['float32', 'FP32', [1.5, -2.25], [1.5, -2.25]],
    ['float64', 'FP64', [0.1, 1e300], [0.1, 1e300]],
    ['int8', 'INT8', [-128, 127], [-128, 127]],
    ['int16', 'INT16', [-300, 300], [-300, 300]],
    ['int32', 'INT32', [-70000, 70000], [-70000, 70000]],
    ['int64', 'INT64', [-5, 9007199254740991], [-5, 9007199254740991]],
    ['uint8', 'UINT8', [0, 255], [0, 255]],
    ['uint16', 'UINT16', [0, 65535], [0, 65535]],
    ['uint32', 'UINT32', [0, 4294967295], [0, 4294967295]],
    ['uint64', 'UINT64', [0, 12345678901], [0, 12345678901]],
    ['bool', 'BOOL', [true, false], [true, false]],
    ['string', 'BYTES', ['héllo', ''], ['héllo', '']],
  ];

  test('every datatype round-trips through onnxruntime', async () => {
    const inputs = cases.map(([dtype, datatype, data]) => ({ name: `in_${dtype}`, shape: [1, 2], datatype, data }));
    const { status, json } = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(status, 200, JSON.stringify(json));
    for (const [dtype, datatype, , expected] of cases) {
      const out = json.outputs.find((o: { name: string }) => o.name === `out_${dtype}`);
      assert.deepEqual(out, { name: `out_${dtype}`, shape: [1, 2], datatype, data: expected }, dtype);
    }
  });

  test('out-of-range integers and non-booleans are refused with the element named', async () => {
    const inputs = cases.map(([dtype, datatype, data]) => ({ name: `in_${dtype}`, shape: [1, 2], datatype, data }));
    inputs[3] = { ...inputs[3], data: [-129, 0] };
    let res = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /in_int8\[0\]: -129 is out of range for int8/);
    inputs[3] = { ...inputs[3], data: [1, 2] };
    inputs[11] = { ...inputs[11], data: ['yes', true] };
    res = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /in_bool\[0\]: expected a boolean/);
  });

  test("numbers sent under another number datatype are checked as the model's type, element named", async () => {
    const inputs = cases.map(([dtype, datatype, data]) => ({ name: `in_${dtype}`, shape: [1, 2], datatype, data }));
    inputs[1] = { ...inputs[1], datatype: 'FP64', data: [0.1, 1e300] };
    let res = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /in_float32\[1\]: .*float32/);
    inputs[1] = { ...inputs[1], data: [0.1, 2] };
    inputs[3] = { ...inputs[3], datatype: 'FP32', data: [1.5, 2] };
    res = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(res.status, 400);
    assert.match(res.json.error, /in_int8\[0\]: expected an integer/);
    inputs[3] = { ...inputs[3], data: [1, 2] };
    res = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.deepEqual(res.json.outputs.find((o: { name: string }) => o.name === 'out_float32').data, [Math.fround(0.1), 2]);
    assert.deepEqual(res.json.outputs.find((o: { name: string }) => o.name === 'out_int8').data, [1, 2]);
  });

  /** The binary answer's outputs with their values read back from the bytes (a reader written here, not the server's). */
  async function readBinaryAnswer(res: Response): Promise<{ name: string; shape: number[]; datatype: string; data: unknown[] }[]> {
    const body = Buffer.from(await res.arrayBuffer());
    const headerLength = Number(res.headers.get('inference-header-content-length'));
    const header = JSON.parse(body.subarray(0, headerLength).toString('utf8'));
    let pos = headerLength;
    const outputs = header.outputs.map(
      (o: { name: string; shape: number[]; datatype: string; data?: unknown[]; parameters?: { binary_data_size: number } }) => {
        if (!o.parameters) return o;
        const size = o.parameters.binary_data_size;
        const bytes = body.subarray(pos, pos + size);
        pos += size;
        const count = o.shape.reduce((a, b) => a * b, 1);
        const data: unknown[] = [];
        const read: Record<string, (at: number) => [unknown, number]> = {
          FP16: (at) => [halfToNumber(bytes.readUInt16LE(at)), 2],
          FP32: (at) => [bytes.readFloatLE(at), 4],
          FP64: (at) => [bytes.readDoubleLE(at), 8],
          INT8: (at) => [bytes.readInt8(at), 1],
          INT16: (at) => [bytes.readInt16LE(at), 2],
          INT32: (at) => [bytes.readInt32LE(at), 4],
          INT64: (at) => [Number(bytes.readBigInt64LE(at)), 8],
          UINT8: (at) => [bytes.readUInt8(at), 1],
          UINT16: (at) => [bytes.readUInt16LE(at), 2],
          UINT32: (at) => [bytes.readUInt32LE(at), 4],
          UINT64: (at) => [Number(bytes.readBigUInt64LE(at)), 8],
          BOOL: (at) => [bytes[at] === 1, 1],
          BYTES: (at) => {
            const len = bytes.readUInt32LE(at);
            return [bytes.subarray(at + 4, at + 4 + len).toString('utf8'), 4 + len];
          },
        };
        for (let at = 0, i = 0; i < count; i++) {
          const [value, width] = read[o.datatype](at);
          data.push(value);
          at += width;
        }
        assert.equal(data.length, count, o.name);
        return { name: o.name, shape: o.shape, datatype: o.datatype, data, binaryBytes: size };
      },
    );
    assert.equal(pos, body.length, 'the bytes after the JSON are exactly the binary outputs');
    return outputs;
  }

  function halfToNumber(h: number): number {
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
    if (exp === 31) return frac ? NaN : sign * Infinity;
    return sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }

  test('binary outputs (binary_data_output, per-output binary_data): every datatype, the same values as JSON', async () => {
    const inputs = cases.map(([dtype, datatype, data]) => ({ name: `in_${dtype}`, shape: [1, 2], datatype, data }));
    const post = (body: unknown) =>
      fetch(`${server.url}/v2/models/dtypes/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // As Triton's Python client asks when it names no outputs.
    const all = await post({ inputs, parameters: { binary_data_output: true } });
    assert.equal(all.status, 200);
    assert.equal(all.headers.get('content-type'), 'application/octet-stream');
    const outputs = await readBinaryAnswer(all);
    for (const [dtype, datatype, , expected] of cases) {
      const out = outputs.find((o) => o.name === `out_${dtype}`)!;
      assert.deepEqual(
        { ...out, binaryBytes: undefined },
        { name: `out_${dtype}`, shape: [1, 2], datatype, data: expected, binaryBytes: undefined },
        dtype,
      );
    }
    // Per output: one in binary, one in JSON (the request's default off), in the order asked.
    const some = await post({ inputs, outputs: [{ name: 'out_int64', parameters: { binary_data: true } }, { name: 'out_string' }] });
    const mixed = await readBinaryAnswer(some);
    assert.deepEqual(
      mixed.map((o) => [o.name, 'binaryBytes' in o]),
      [
        ['out_int64', true],
        ['out_string', false],
      ],
    );
    assert.deepEqual(mixed[0].data, [-5, 9007199254740991]);
    assert.deepEqual(mixed[1].data, ['héllo', '']);
    // An output's own false wins over binary_data_output; none binary → the plain JSON answer.
    const none = await post({
      inputs,
      parameters: { binary_data_output: true },
      outputs: [{ name: 'out_bool', parameters: { binary_data: false } }],
    });
    assert.equal(none.headers.get('inference-header-content-length'), null);
    assert.deepEqual((await none.json()).outputs[0].data, [true, false]);
    // A flag that is not a boolean is named, and refused before the model runs (no inference counted).
    const inferences = async () => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      return [...text.matchAll(/^\S*inference_duration_seconds_count\S* (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    const before = await inferences();
    assert.ok(before >= 3, `the answers above were counted (${before})`);
    const bad = await postJson(`${server.url}/v2/models/dtypes/infer`, {
      inputs,
      outputs: [{ name: 'out_bool', parameters: { binary_data: 'yes' } }],
    });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /output 'out_bool'.*binary_data must be true or false/);
    const badAll = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs, parameters: { binary_data_output: 1 } });
    assert.equal(badAll.status, 400);
    assert.match(badAll.json.error, /parameters\.binary_data_output.*must be true or false, got 1/);
    assert.equal(await inferences(), before);
  });

  test('a missing input is named with its datatype and shape', async () => {
    const inputs = cases.slice(1).map(([dtype, datatype, data]) => ({ name: `in_${dtype}`, shape: [1, 2], datatype, data }));
    const { status, json } = await postJson(`${server.url}/v2/models/dtypes/infer`, { inputs });
    assert.equal(status, 400);
    assert.equal(json.error, "missing input 'in_float16' (datatype FP16, shape [-1,2])");
  });
});

describe("OIP v2 from MLServer's pandas codec (flights: one [N,1] input per column)", () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer(repoPath('samples/flights/flights.onnx'));
  });
  after(() => server.close());

  test("columns as [N] with pandas datatypes (FP64 for a float32 input) give what [N,1] in the model's types gives", async () => {
    const columns = { carrier: ['DL', 'AA'], origin: ['DEN', 'JFK'], distance: [526, 1000.5], dep_hour: [22, 8], day_of_week: [0, 3] };
    const modelTypes: Record<string, string> = {
      carrier: 'BYTES',
      origin: 'BYTES',
      distance: 'FP32',
      dep_hour: 'INT64',
      day_of_week: 'INT64',
    };
    const pandasTypes: Record<string, string> = { ...modelTypes, distance: 'FP64' };
    const strict = await postJson(`${server.url}/v2/models/flights/infer`, {
      inputs: Object.entries(columns).map(([name, data]) => ({ name, shape: [2, 1], datatype: modelTypes[name], data })),
    });
    assert.equal(strict.status, 200, JSON.stringify(strict.json));
    const pandas = await postJson(`${server.url}/v2/models/flights/infer`, {
      parameters: { content_type: 'pd' },
      inputs: Object.entries(columns).map(([name, data]) => ({ name, shape: [2], datatype: pandasTypes[name], data })),
    });
    assert.equal(pandas.status, 200, JSON.stringify(pandas.json));
    assert.deepEqual(pandas.json.outputs, strict.json.outputs);
    // Shapes that differ by more than dimensions of size 1 are still refused, naming both.
    const wrong = await postJson(`${server.url}/v2/models/flights/infer`, {
      inputs: [{ name: 'carrier', shape: [2, 2], datatype: 'BYTES', data: ['DL', 'AA', 'UA', 'B6'] }],
    });
    assert.equal(wrong.status, 400);
    assert.match(wrong.json.error, /input 'carrier': expected shape \[-1,1\], got \[2,2\]/);
  });
});
