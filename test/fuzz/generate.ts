/**
 * Seeded generator of hostile and ordinary requests for every route of a Model Lab server: OIP v2 infer
 * (JSON and the binary tensor extension), v1 :predict, MLflow /invocations (JSON and CSV), /predict,
 * streaming predict-csv, metadata routes and the /api routes with and without the owner token. Every OIP
 * datatype, shapes huge/negative/fractional/2^32+, bad binary sizes, deep nesting, huge numbers, wrong
 * types, truncated JSON and random bytes. The same seed gives the same requests.
 */

/** What the generator knows of a served model (from its metadata and a CSV of good rows). */
export interface FuzzTarget {
  name: string;
  inputs: { name: string; datatype: string; shape: number[] }[];
  /** Feature names (CSV header order) and a few good rows, when the model has a CSV. */
  features: string[];
  rows: string[][];
}

export interface FuzzRequest {
  /** Which generator made it, for the report. */
  kind: string;
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export const DATATYPES = [
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
] as const;

/** mulberry32: small, fast, good enough to pick cases; the seed makes a run reproducible. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.int(0, 255);
    return b;
  }
}

const HUGE_NUMBERS = [
  1e39,
  -1e39,
  3.5e38,
  1e308,
  2 ** 53 + 2,
  2 ** 63,
  -1 * 2 ** 63 - 4096,
  2 ** 64,
  65520,
  1e-320,
  -0,
  4294967296,
  2147483648,
  256,
  -129,
];
const ODD_VALUES: unknown[] = [
  null,
  true,
  false,
  '',
  'NaN',
  'Infinity',
  '1e999',
  '9223372036854775808',
  '0x10',
  {},
  [],
  { a: 1 },
  'é€😀',
  ' 42 ',
  '-0',
];
const BAD_DIMS: unknown[] = [-1, -1 * 2 ** 31, 1.5, 2 ** 32, 2 ** 53, 1e300, 5e7, 1e8, '3', null, true, 0, 65536];

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function scalar(rng: Rng, datatype: string): unknown {
  if (rng.chance(0.15)) return rng.pick(ODD_VALUES);
  if (rng.chance(0.15)) return rng.pick(HUGE_NUMBERS);
  switch (datatype) {
    case 'BOOL':
      return rng.pick([true, false, 0, 1]);
    case 'BYTES':
      return rng.pick(['AA', 'DL', 'UA', 'JFK', 'DEN', 'x'.repeat(rng.int(0, 300))]);
    case 'FP16':
    case 'FP32':
    case 'FP64':
      return (rng.next() - 0.5) * 10 ** rng.int(0, 6);
    default:
      return rng.int(datatype.startsWith('U') ? 0 : -100, 100);
  }
}

function goodShape(rng: Rng, declared: number[]): number[] {
  return declared.map((d) => (d >= 0 ? d : rng.int(1, 4)));
}

function fuzzShape(rng: Rng, declared: number[]): unknown[] {
  const shape: unknown[] = goodShape(rng, declared);
  const mode = rng.int(0, 5);
  if (mode === 0 && shape.length) shape[rng.int(0, shape.length - 1)] = rng.pick(BAD_DIMS);
  if (mode === 1) shape.push(rng.int(1, 3));
  if (mode === 2) shape.pop();
  if (mode === 3) return [rng.pick(BAD_DIMS), rng.pick(BAD_DIMS)];
  if (mode === 4 && rng.chance(0.2)) return Array.from({ length: rng.int(30, 200) }, () => 1);
  return shape;
}

function count(shape: unknown[]): number {
  return shape.reduce<number>((a, d) => a * (typeof d === 'number' && Number.isSafeInteger(d) && d >= 0 ? d : 1), 1);
}

function nested(depth: number, leaf: unknown): string {
  return '['.repeat(depth) + JSON.stringify(leaf) + ']'.repeat(depth);
}

/** JSON text of flat values, sometimes the wrong count, nested to the shape, or pathologically deep. */
function dataJson(rng: Rng, datatype: string, shape: unknown[]): string {
  const n = Math.min(count(shape), 4096) || 0;
  const mode = rng.int(0, 9);
  if (mode === 0) return nested(rng.pick([40, 500, 12_000]), scalar(rng, datatype));
  if (mode === 1) return JSON.stringify(Array.from({ length: rng.int(0, 8) }, () => scalar(rng, datatype)));
  if (mode === 2) return JSON.stringify(rng.pick(ODD_VALUES));
  const values = Array.from({ length: n }, () => scalar(rng, datatype));
  if (
    mode === 3 &&
    shape.length >= 2 &&
    typeof shape[0] === 'number' &&
    shape[0] > 0 &&
    Number.isInteger(shape[0]) &&
    shape[0] <= values.length
  ) {
    const rows = shape[0];
    const per = Math.max(1, Math.floor(values.length / rows));
    return JSON.stringify(Array.from({ length: rows }, (_, r) => values.slice(r * per, (r + 1) * per)));
  }
  return JSON.stringify(values);
}

function oipTensorJson(rng: Rng, input: FuzzTarget['inputs'][number], binary: boolean): { json: string; bytes?: Uint8Array } {
  const datatype = rng.chance(0.8) ? input.datatype : rng.pick(DATATYPES);
  const shape = rng.chance(0.6) ? goodShape(rng, input.shape) : fuzzShape(rng, input.shape);
  const name = rng.chance(0.95) ? input.name : rng.pick(['', 'nope', 'x'.repeat(rng.int(1, 5000))]);
  if (!binary)
    return {
      json:
        `{"name":${JSON.stringify(name)},"shape":${JSON.stringify(shape)},"datatype":` +
        `${JSON.stringify(datatype)},"data":${dataJson(rng, datatype, shape)}}`,
    };
  const bytes = binaryBytes(rng, datatype, count(shape));
  const size: unknown = rng.chance(0.7) ? bytes.length : rng.pick([0, -1, 1.5, bytes.length + 1, 2 ** 40, '8', null]);
  return {
    json:
      `{"name":${JSON.stringify(name)},"shape":${JSON.stringify(shape)},"datatype":` +
      `${JSON.stringify(datatype)},"parameters":{"binary_data_size":${JSON.stringify(size)}}}`,
    bytes,
  };
}

const ELEMENT_BYTES: Record<string, number> = {
  BOOL: 1,
  UINT8: 1,
  INT8: 1,
  UINT16: 2,
  INT16: 2,
  FP16: 2,
  UINT32: 4,
  INT32: 4,
  FP32: 4,
  UINT64: 8,
  INT64: 8,
  FP64: 8,
};

function binaryBytes(rng: Rng, datatype: string, n: number): Uint8Array {
  const elements = Math.min(n, 65536);
  if (datatype === 'BYTES') {
    const parts: number[] = [];
    for (let i = 0; i < elements; i++) {
      const len = rng.chance(0.05) ? rng.pick([0xffffffff, 1 << 30, 70]) : rng.int(0, 6);
      parts.push(len & 0xff, (len >>> 8) & 0xff, (len >>> 16) & 0xff, len >>> 24);
      for (let j = 0; j < Math.min(len, 6); j++) parts.push(rng.int(0, 255));
    }
    if (rng.chance(0.2)) parts.length = rng.int(0, parts.length);
    return Uint8Array.from(parts);
  }
  const size = ELEMENT_BYTES[datatype] ?? 4;
  const length = rng.chance(0.8) ? elements * size : rng.int(0, elements * size + 16);
  return rng.bytes(length);
}

function jsonHeaders(rng: Rng): Record<string, string> {
  return {
    'content-type': rng.chance(0.9)
      ? 'application/json'
      : rng.pick(['text/plain', '', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8']),
  };
}

function maybeBreak(rng: Rng, body: string): Uint8Array {
  const mode = rng.int(0, 19);
  if (mode === 0) return text(body.slice(0, rng.int(0, body.length))); // truncated JSON
  if (mode === 1) return rng.bytes(rng.int(0, 2048)); // random bytes
  if (mode === 2) return text(body.replace(/\d/, 'NaN'));
  return text(body);
}

function oipInfer(rng: Rng, t: FuzzTarget): FuzzRequest {
  const binary = rng.chance(0.4);
  const inputs = t.inputs.filter(() => rng.chance(0.9)).map((i) => oipTensorJson(rng, i, binary));
  if (rng.chance(0.05) && inputs.length) inputs.push(inputs[0]);
  const version = rng.chance(0.2) ? `/versions/${rng.pick(['1', '2', 'x'])}` : '';
  const model = rng.chance(0.95) ? t.name : 'other';
  const header = `{"id":"fz","inputs":[${inputs.map((i) => i.json).join(',')}]${rng.chance(0.1) ? ',"outputs":[{"name":"nope"}]' : ''}}`;
  const path = `/v2/models/${model}${version}/infer`;
  if (!binary) return { kind: 'oip-json', method: 'POST', path, headers: jsonHeaders(rng), body: maybeBreak(rng, header) };
  const head = text(header);
  const tail = inputs.map((i) => i.bytes ?? new Uint8Array(0));
  const body = new Uint8Array(head.length + tail.reduce((a, b) => a + b.length, 0));
  body.set(head);
  let at = head.length;
  for (const b of tail) {
    body.set(b, at);
    at += b.length;
  }
  const length: string = rng.chance(0.85)
    ? String(head.length)
    : String(rng.pick([-1, 0, body.length + 5, 1e20, 'abc', 2.5, head.length - 1]));
  return {
    kind: 'oip-binary',
    method: 'POST',
    path,
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': length },
    body,
  };
}

function recordOf(rng: Rng, t: FuzzTarget): Record<string, unknown> {
  const row = t.rows.length ? rng.pick(t.rows) : [];
  const record: Record<string, unknown> = {};
  t.features.forEach((f, i) => {
    if (rng.chance(0.03)) return;
    record[f] = rng.chance(0.85)
      ? row[i] !== undefined && rng.chance(0.5)
        ? Number(row[i]) || row[i]
        : row[i]
      : scalar(rng, rng.pick(DATATYPES));
  });
  if (rng.chance(0.05)) record[rng.pick(['zzz', 'x'.repeat(3000)])] = 1;
  return record;
}

function positional(rng: Rng, t: FuzzTarget): unknown[] {
  const r = recordOf(rng, t);
  return t.features.map((f) => r[f]);
}

function v1Predict(rng: Rng, t: FuzzTarget): FuzzRequest {
  const rows = rng.int(0, 6);
  const input = t.inputs[0];
  const bodies = [
    () => JSON.stringify({ instances: Array.from({ length: rows }, () => (rng.chance(0.5) ? recordOf(rng, t) : positional(rng, t))) }),
    () => `{"inputs":${dataJson(rng, input.datatype, goodShape(rng, input.shape))}}`,
    () =>
      `{"inputs":{${t.inputs.map((i) => `${JSON.stringify(i.name)}:${dataJson(rng, i.datatype, goodShape(rng, i.shape))}`).join(',')}}}`,
    () => `{"instances":[${nested(rng.pick([50, 12_000]), 1)}]}`,
    () => JSON.stringify({ instances: [], inputs: {} }),
  ];
  const model = rng.chance(0.95) ? t.name : 'other';
  return {
    kind: 'v1',
    method: 'POST',
    path: `/v1/models/${model}:${rng.chance(0.95) ? 'predict' : 'explain'}`,
    headers: jsonHeaders(rng),
    body: maybeBreak(rng, rng.pick(bodies)()),
  };
}

function csvText(rng: Rng, t: FuzzTarget): string {
  const header = rng.chance(0.85)
    ? t.features.join(',')
    : rng.pick(['', 'a,b', '"unterminated', Array.from({ length: rng.int(1, 3000) }, (_, i) => `c${i}`).join(',')]);
  const lines = Array.from({ length: rng.int(0, 12) }, () => {
    if (rng.chance(0.8) && t.rows.length) return rng.pick(t.rows).join(',');
    return positional(rng, t)
      .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean | undefined)))
      .join(',');
  });
  return [header, ...lines].join(rng.chance(0.9) ? '\n' : '\r\n');
}

function mlflow(rng: Rng, t: FuzzTarget): FuzzRequest {
  const path = rng.pick(['/invocations', '/predict']);
  if (rng.chance(0.3))
    return { kind: `mlflow-csv ${path}`, method: 'POST', path, headers: { 'content-type': 'text/csv' }, body: text(csvText(rng, t)) };
  const rows = Array.from({ length: rng.int(0, 5) }, () => positional(rng, t));
  const bodies = [
    () => JSON.stringify({ dataframe_split: { columns: rng.chance(0.8) ? t.features : undefined, data: rows } }),
    () => JSON.stringify({ dataframe_records: rows.map(() => recordOf(rng, t)) }),
    () => JSON.stringify({ instances: rows }),
    () => JSON.stringify({ inputs: Object.fromEntries(t.features.map((f, i) => [f, rows.map((r) => r[i])])) }),
    () => JSON.stringify({ instances: rows, inputs: {} }),
  ];
  return { kind: `mlflow-json ${path}`, method: 'POST', path, headers: jsonHeaders(rng), body: maybeBreak(rng, rng.pick(bodies)()) };
}

function csvStream(rng: Rng, t: FuzzTarget): FuzzRequest {
  const body = rng.chance(0.9) ? text(csvText(rng, t)) : rng.bytes(rng.int(0, 4096));
  return {
    kind: 'predict-csv',
    method: 'POST',
    path: `/v2/models/${rng.chance(0.95) ? t.name : 'other'}/predict-csv`,
    headers: {
      'content-type': rng.chance(0.9) ? 'text/csv' : 'application/json',
      accept: rng.pick(['application/json', 'application/x-ndjson', 'text/csv', '*/*']),
    },
    body,
  };
}

function metadata(rng: Rng, t: FuzzTarget): FuzzRequest {
  const name = rng.chance(0.9) ? t.name : rng.pick(['other', '..', '%00', 'x'.repeat(2000)]);
  const path = rng.pick([
    '/v2',
    '/v2/health/live',
    '/v2/health/ready',
    `/v2/models/${name}`,
    `/v2/models/${name}/ready`,
    `/v2/models/${name}/versions/1`,
    `/v2/models/${name}/versions/9/ready`,
    `/v1/models/${name}`,
    '/openapi.json',
    '/metrics',
    '/docs',
    '/',
    '/nope',
    '/assets/../../etc/passwd',
  ]);
  return { kind: 'metadata', method: 'GET', path, headers: {} };
}

/** The /api routes, with and without the owner token; POST bodies never valid enough to start real jobs. */
function api(rng: Rng, ownerToken: string | undefined): FuzzRequest {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (ownerToken && rng.chance(0.5)) headers.authorization = `Bearer ${rng.chance(0.9) ? ownerToken : 'wrong'}`;
  const get = rng.pick([
    '/api/model',
    '/api/drift/files',
    '/api/drift/live',
    '/api/perf',
    '/api/export',
    '/api/jobs',
    '/api/jobs?kind=drift',
    '/api/jobs?kind=nope',
    '/api/jobs/nope',
    '/api/jobs/nope/events',
    '/api/share',
  ]);
  if (rng.chance(0.4)) return { kind: 'api-get', method: 'GET', path: get, headers };
  if (rng.chance(0.1)) return { kind: 'api-delete', method: 'DELETE', path: rng.pick(['/api/share/nope', '/api/jobs/nope']), headers };
  const path = rng.pick([
    '/api/jobs/drift',
    '/api/jobs/perf',
    '/api/jobs/export',
    '/api/jobs/nope',
    '/api/perf/save',
    '/api/perf/serve',
    '/api/export/precheck',
    '/api/share',
    '/api/share/restore',
  ]);
  const bodies = [
    () => rng.bytes(rng.int(0, 1024)),
    () =>
      text(JSON.stringify({ reference: rng.pick(['/etc/passwd', '../.env', 'nope.csv']), current: 'nope.csv' }).slice(0, rng.int(1, 60))),
    // Objects carry an invalid expiresInMinutes so POST /api/share never mints a token (which would put
    // the server in share mode and turn the rest of the run into 401s).
    () =>
      text(
        JSON.stringify(
          rng.pick([
            [],
            1,
            'x',
            null,
            true,
            { shares: 'x' },
            { expiresInMinutes: 'x' },
            { target: 42, expiresInMinutes: 'x' },
            { batches: [-1], expiresInMinutes: 'x' },
          ]),
        ),
      ),
    () => text(`{"expiresInMinutes":"x","pad":"${'x'.repeat(rng.pick([10, 300_000]))}"}`),
    () => text(nested(rng.pick([100, 12_000]), 1)),
  ];
  // An empty or valid body would mint a share token on POST /api/share: keep its bodies invalid.
  const shareSafe = [
    () => text('{,' + new TextDecoder().decode(rng.bytes(rng.int(0, 200)))),
    () => text('{"expiresInMinutes":"soon"}'),
    () => text('[1]'),
  ];
  const body = path === '/api/share' ? rng.pick(shareSafe)() : rng.pick(bodies)();
  return { kind: 'api-post', method: 'POST', path, headers, body };
}

/** One request for `target`, drawn from every route family. */
export function generateRequest(rng: Rng, target: FuzzTarget, ownerToken?: string): FuzzRequest {
  const r = rng.next();
  if (r < 0.32) return oipInfer(rng, target);
  if (r < 0.47) return v1Predict(rng, target);
  if (r < 0.62) return mlflow(rng, target);
  if (r < 0.7) return csvStream(rng, target);
  if (r < 0.82) return metadata(rng, target);
  if (r < 0.94) return api(rng, ownerToken);
  // Anything at all on a prediction route: random bytes, odd types.
  return {
    kind: 'random',
    method: 'POST',
    path: rng.pick([`/v2/models/${target.name}/infer`, `/v1/models/${target.name}:predict`, '/invocations', '/predict']),
    headers: { 'content-type': rng.pick(['application/json', 'application/octet-stream', 'text/csv', 'multipart/form-data']) },
    body: rng.bytes(rng.int(0, 8192)),
  };
}
