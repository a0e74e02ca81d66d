/**
 * What every route shares: the error type that becomes `{"error"}` JSON, bounded body reading, the
 * model-name check and timed inference.
 */
import type { Context } from 'hono';
import type { LoadedModel } from '../../model/types';
import type { PlainTensor } from '../../protocol/codec';
import { ModelLabError, type ErrorStatus } from '../../protocol/errors';
import { quote } from '../../protocol/limits';
import type { ModelHost } from '../host';
import type { ServerMetrics } from '../metrics';

/**
 * Shorthand for a {@link ModelLabError} with a status, for route code; `app.onError` turns every
 * ModelLabError into `{"error": message}` with its status.
 */
export class HttpError extends ModelLabError {
  constructor(status: ErrorStatus, message: string) {
    super(message, { status });
  }
}

/** What route factories receive from `createApp`. */
export interface RouteContext {
  host: ModelHost;
  metrics: ServerMetrics;
  /** Largest accepted body of the non-streaming routes, in bytes. */
  bodyLimitBytes: number;
  /** Most tensor elements one request may ask for (all inputs together); more → 400 before allocating. */
  maxElements: number;
  /** Rows per `host.infer` call in the CSV batch route. */
  csvChunkRows: number;
  /** Milliseconds between SSE heartbeat comments. */
  sseHeartbeatMs: number;
  /** Headers every prediction response carries besides the usual ones (in a cluster: which worker answered). */
  responseHeaders?: Record<string, string>;
}

/**
 * The version the model is published under: the ONNX `model_version` when set, else "1"
 * (KServe and TF Serving clients expect some version string).
 */
export function servedVersion(model: LoadedModel): string {
  return model.info.modelVersion > 0 ? String(model.info.modelVersion) : '1';
}

/** The version answering under the plain name: the host's (a served variant is a version), else the file's. */
export function publishedVersion(host: ModelHost, model: LoadedModel): string {
  return host.servedVersion?.() ?? servedVersion(model);
}

/**
 * The current model if `name` (and `version`, when given) is what this server serves. An unknown name or
 * version is a 404; a version that exists (a variant saved beside the model) but is not the one loaded is
 * a 400, as Triton answers for a version that is not ready.
 */
export function requireModel(host: ModelHost, name: string, version?: string): LoadedModel {
  const model = host.current();
  if (name !== model.info.name) {
    throw new HttpError(404, `model '${name}' not found; this server serves '${model.info.name}'`);
  }
  const served = publishedVersion(host, model);
  if (version !== undefined && version !== served) {
    const known = host.versions?.().available.map((v) => v.version) ?? [served];
    if (known.includes(version)) {
      throw new HttpError(
        400,
        `version '${version}' of model '${name}' exists but is not loaded; version '${served}' is served now ` +
          `(serve '${version}' from the Performance tab, or call /v2/models/${name}/infer for the served one)`,
      );
    }
    throw new HttpError(
      404,
      `model '${name}' has no version '${version}'; version '${served}' is served now (versions: ${known.map((v) => `'${v}'`).join(', ')})`,
    );
  }
  return model;
}

/**
 * Reads the whole body, refusing (413) past `limit` bytes without buffering the excess. `hint` replaces
 * the default advice (fewer rows, the streaming CSV route) in the 413 message.
 */
export async function readBodyBytes(c: Context, limit: number, hint?: string): Promise<Uint8Array> {
  const declared = c.req.header('content-length');
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit, hint);
  // Under @hono/node-server, read the Node request stream directly: touching `c.req.raw.body` makes the
  // adapter build a full WHATWG Request + ReadableStream per request (~100 µs of the hot path).
  const incoming = (c.env as { incoming?: NodeJS.ReadableStream & { readableEnded?: boolean } } | undefined)?.incoming;
  if (incoming && typeof incoming.on === 'function') return readNodeStream(incoming, limit, hint);
  const body = c.req.raw.body;
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit, hint);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

function readNodeStream(stream: NodeJS.ReadableStream, limit: number, hint: string | undefined): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stream.removeListener('data', onData);
        stream.resume(); // drain the rest so the connection can be reused, without keeping it
        reject(tooLarge(limit, hint));
        return;
      }
      chunks.push(chunk);
    };
    stream.on('data', onData);
    stream.once('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

function tooLarge(limit: number, hint?: string): HttpError {
  return new HttpError(
    413,
    `request body is larger than the limit of ${limit} bytes; ` +
      (hint ??
        'send fewer rows per request, ' +
          'use the streaming CSV route (POST /v2/models/{model}/predict-csv), or start the server with a larger body limit'),
  );
}

/**
 * One UTF-8 decoder for every request body: `decode()` without `{ stream: true }` keeps no state between
 * calls, and making a TextDecoder per request cost about a microsecond of the hot path.
 */
export const UTF8 = new TextDecoder();

/** Reads a small body as text, refusing (413) past `limit` bytes while reading: for the /api routes. */
export async function readSmallBodyText(c: Context, limit: number): Promise<string> {
  return UTF8.decode(await readBodyBytes(c, limit, 'this route takes a small JSON object'));
}

/** The media type of the request without parameters, lower-cased ('' when absent). */
export function mediaType(c: Context): string {
  const header = c.req.header('content-type');
  // The usual value is already in the form the general case makes of it: skip the copies.
  if (header === 'application/json') return header;
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export function isJsonMediaType(type: string): boolean {
  return type === '' || type === 'application/json' || type.endsWith('+json');
}

/** Generic types a JSON body comes under from tools: curl's `-d` (form) and Node's fetch with a string body (text). */
const GENERIC_BODY_TYPES = new Set(['application/x-www-form-urlencoded', 'text/plain']);

/**
 * True when a prediction route reads the body as JSON: a JSON type (or none), or — from a client that is not
 * a browser — a generic one. TF Serving's and Triton's documented `curl -d '{"instances": …}'` sends
 * `application/x-www-form-urlencoded`, and both servers read the body as JSON whatever its type. A browser
 * sends `Origin` with every POST; with one the type must be JSON, so a cross-site form (whose text/plain
 * body can be made to read as JSON) is not taken for a client even where the Origin check lets it through.
 */
export function isPredictionJsonBody(c: Context, type: string): boolean {
  return isJsonMediaType(type) || (GENERIC_BODY_TYPES.has(type) && c.req.header('origin') === undefined);
}

/**
 * Reads and parses a JSON body (≤ limit). Wrong content type → 415, malformed JSON → 400. `prediction`:
 * the generic types of {@link isPredictionJsonBody} pass too (the TF Serving and OIP routes).
 */
export async function readJsonBody(c: Context, limit: number, options: { prediction?: boolean } = {}): Promise<unknown> {
  const type = mediaType(c);
  if (!(options.prediction ? isPredictionJsonBody(c, type) : isJsonMediaType(type))) {
    throw new HttpError(415, `Content-Type '${type}' is not supported here; send a JSON body with 'Content-Type: application/json'`);
  }
  const text = UTF8.decode(await readBodyBytes(c, limit));
  return parseJsonText(text);
}

export function parseJsonText(text: string): unknown {
  if (text.trim() === '') throw new HttpError(400, 'request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 says "Unexpected token N in JSON at position 42": keep it, the position helps find a NaN or a typo.
    throw new HttpError(
      400,
      `request body is not valid JSON: ${quote((err as Error).message)}` +
        (/\bNaN\b|\bInfinity\b/.test(text) ? ' (JSON has no NaN/Infinity; send a finite number or leave the value out)' : ''),
    );
  }
}

/** Runs `host.infer`, timing it into `inference_duration_seconds{route}`. */
export async function timedInfer(ctx: RouteContext, route: string, inputs: PlainTensor[], outputNames?: string[]): Promise<PlainTensor[]> {
  const end = ctx.metrics.inferenceSeconds.startTimer({ route });
  try {
    return await ctx.host.infer(inputs, outputNames);
  } finally {
    end();
  }
}

/** What a prediction route answers (a 200 JSON body and its headers); the fast path (fast-path.ts) writes these as they are. */
export interface JsonResponseParts {
  text: string;
  headers: Record<string, string>;
  /** Binary tensor extension: raw output bytes sent after the JSON `text` (whose byte length the headers give). */
  binary?: Uint8Array;
}

/**
 * Responses made by {@link responseOf} → their parts. Being in here also says they already carry the
 * headers the app adds to every response.
 */
export const HAS_APP_HEADERS = new WeakMap<Response, JsonResponseParts>();

/** The 200 JSON answer of a prediction route: the fast path writes it as it is; for Hono, {@link responseOf} makes it a Response. */
export function jsonAnswer(body: unknown, headers?: Record<string, string>): JsonResponseParts {
  return jsonTextAnswer(JSON.stringify(body), headers);
}

/** {@link jsonAnswer} of a body already written as JSON text, with the app's `X-Content-Type-Options` in its headers. */
export function jsonTextAnswer(text: string, headers?: Record<string, string>): JsonResponseParts {
  return { text, headers: { 'content-type': 'application/json', 'x-content-type-options': 'nosniff', ...headers } };
}

/**
 * A prediction route's answer as the Response Hono sends. Plain-object headers let @hono/node-server write
 * them as they are; going through `c.header()` / `c.json()` builds a WHATWG `Headers` per response and
 * converts it back (several µs). The prediction fast path skips even this Response (a Headers object and
 * the body encoded once more).
 */
export function responseOf(parts: JsonResponseParts): Response {
  const body = parts.binary ? Buffer.concat([Buffer.from(parts.text), parts.binary]) : parts.text;
  const res = new Response(body, { status: 200, headers: parts.headers });
  HAS_APP_HEADERS.set(res, parts);
  return res;
}

/** A prediction route handler for Hono: its answer as a Response. */
export function answering(handler: (c: Context) => Promise<JsonResponseParts>): (c: Context) => Promise<Response> {
  return async (c) => responseOf(await handler(c));
}

/** A short random request id, for OIP responses whose request carried none. */
export function newRequestId(): string {
  return crypto.randomUUID();
}
