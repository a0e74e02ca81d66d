/**
 * Streaming CSV batch prediction: `POST /v2/models/{m}/predict-csv` (and `POST /predict` with a CSV body).
 *
 * The request body flows through csv-parse and the response is produced chunk by chunk (`chunkRows` rows
 * per `host.infer`) only as fast as the client reads it: the output stream is pull-based and the parser
 * is iterated one chunk per pull, so a 1 GB file never sits in memory. No body limit applies here.
 *
 * Output per `Accept`: CSV (default; input columns + prediction columns + `error`), a JSON array
 * (`application/json`) or JSON lines (`application/x-ndjson`). A row with a bad value gets an `error`
 * and no prediction; the rows around it are unaffected. Malformed CSV ends the stream with a final error
 * row — or a 400 when it is found before anything was sent.
 */
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Context } from 'hono';
import { parse, type Parser } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import type { LoadedModel } from '../../model/types';
import { HttpError, mediaType, timedInfer, type RouteContext } from './common';
import {
  mapColumns,
  predictCsvChunk,
  predictionCells,
  predictionColumns,
  type ColumnMapping,
  type CsvRow,
  type RowResult,
} from '../../model/csv-rows';

type OutputFormat = 'csv' | 'json' | 'ndjson';

/** One data row of the input, with the line it ended on (1 = header). */

/** A row's outcome: a prediction or an error message, never both. */

/** Longest single CSV record accepted (characters); an unclosed quote must not swallow the whole file. */
const MAX_RECORD_CHARS = 1_000_000;

const ACCEPTED_TYPES = new Set(['', 'text/csv', 'application/csv', 'text/plain']);

function chooseFormat(accept: string | undefined): OutputFormat {
  const a = (accept ?? '').toLowerCase();
  if (/application\/(x-)?ndjson|application\/jsonl|application\/x-jsonlines/.test(a)) return 'ndjson';
  if (a.includes('application/json')) return 'json';
  return 'csv';
}

const CONTENT_TYPES: Record<OutputFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/**
 * Reads parsed records a chunk at a time. Backpressure is applied to the request body, not the parser:
 * the body is paused while `highWater` rows wait, so input is read only as fast as output is consumed,
 * while the parser always flows — a paused parser would hold parsed rows in its buffer, and a parse error
 * destroys that buffer, losing rows that still deserve their predictions.
 */
class ChunkReader {
  private readonly queue: CsvRow[] = [];
  private finished = false;
  private error: Error | undefined;
  private wake: (() => void) | undefined;
  /** No rows are left and none will come. */
  done = false;
  /** Line on which the last good record ended (1 = header), to say where a malformed one began. */
  lastLine = 0;

  constructor(
    private readonly source: Readable,
    private readonly parser: Parser,
    private readonly highWater: number,
  ) {
    source.on('data', (chunk: Buffer) => parser.write(chunk));
    source.on('end', () => parser.end());
    source.on('error', (err) => parser.destroy(err));
    parser.on('data', (item: { record: string[]; info: { lines: number } }) => {
      this.queue.push({ line: item.info.lines, values: item.record });
      this.lastLine = item.info.lines;
      if (this.queue.length >= this.highWater) source.pause();
      this.notify();
    });
    parser.on('end', () => {
      this.finished = true;
      this.notify();
    });
    parser.on('error', (err: Error) => {
      // csv-parse reports where it gave up (often the end of the file); where the bad record began helps more.
      this.error ??= new Error(`malformed CSV in the record starting at line ${this.lastLine + 1}: ${err.message}`);
      this.finished = true;
      source.destroy();
      this.notify();
    });
    source.pause();
  }

  /** Up to `max` rows; `error` is set once, with the last rows parsed before it. */
  async next(max: number): Promise<{ rows: CsvRow[]; error?: Error }> {
    const rows: CsvRow[] = [];
    for (;;) {
      while (rows.length < max && this.queue.length) rows.push(this.queue.shift()!);
      if (rows.length >= max || (this.finished && !this.queue.length)) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        this.source.resume();
      });
    }
    if (!this.finished || this.queue.length) return { rows };
    this.done = true;
    const error = this.error;
    this.error = undefined;
    return error ? { rows, error } : { rows };
  }

  close(): void {
    this.done = true;
    this.source.destroy();
    this.parser.destroy();
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Turns row results into output text for one format. */
class OutputWriter {
  private columns: string[] | undefined;
  private rowsWritten = 0;
  constructor(
    private readonly format: OutputFormat,
    private readonly header: string[],
    private readonly model: LoadedModel,
  ) {}

  chunk(results: RowResult[]): string {
    if (this.format === 'csv') {
      let text = '';
      if (!this.columns) {
        this.columns = predictionColumns(this.model.signature, results.find((r) => r.prediction)?.prediction);
        // A prediction column named like an input column (a `label` target, say) is prefixed, not merged.
        const names = this.columns.map((c) => (this.header.includes(c) ? `predicted_${c}` : c));
        text += stringify([[...this.header, ...names, 'error']]);
      }
      const columns = this.columns;
      const records = results.map((r) => [...r.row.values, ...predictionCells(columns, r.prediction), r.error ?? '']);
      this.rowsWritten += records.length;
      return text + (records.length ? stringify(records) : '');
    }
    return results
      .map((r) =>
        this.jsonItem({
          line: r.row.line,
          input: Object.fromEntries(this.header.map((h, i) => [h, r.row.values[i] ?? ''])),
          ...(r.prediction ? { prediction: r.prediction } : {}),
          ...(r.error !== undefined ? { error: r.error } : {}),
        }),
      )
      .join('');
  }

  /** The last item of a stream that ends on an error. */
  error(message: string): string {
    if (this.format !== 'csv') return this.jsonItem({ error: message });
    const head = this.chunk([]);
    return head + stringify([[...this.header.map(() => ''), ...(this.columns ?? []).map(() => ''), message]]);
  }

  start(): string {
    return this.format === 'json' ? '[' : '';
  }

  end(): string {
    if (this.format === 'json') return '\n]\n';
    if (this.format === 'csv' && !this.columns) return this.chunk([]);
    return '';
  }

  private jsonItem(value: unknown): string {
    const text = JSON.stringify(value);
    if (this.format === 'ndjson') return text + '\n';
    return (this.rowsWritten++ === 0 ? '\n' : ',\n') + text;
  }
}

/** Handles a CSV batch request for the current model (name already checked by the caller). */
export async function handleCsvBatch(ctx: RouteContext, c: Context, route: string, model: LoadedModel): Promise<Response> {
  const type = mediaType(c);
  if (!ACCEPTED_TYPES.has(type)) {
    throw new HttpError(415, `Content-Type '${type}' is not supported here; send the CSV with 'Content-Type: text/csv'`);
  }
  const body = c.req.raw.body;
  if (!body) throw new HttpError(400, 'request body is empty; send a CSV with a header row, then data rows');
  const source = Readable.fromWeb(body as unknown as NodeReadableStream<Uint8Array>);
  const parser = parse({ bom: true, skip_empty_lines: true, relax_column_count: true, info: true, max_record_size: MAX_RECORD_CHARS });
  const reader = new ChunkReader(source, parser, ctx.csvChunkRows);
  const format = chooseFormat(c.req.header('accept'));

  // Header and first chunk before answering, so problems found there are a plain 400.
  let header: string[];
  let mapping: ColumnMapping;
  let first: { rows: CsvRow[]; error?: Error };
  try {
    const head = await reader.next(1);
    if (head.error) throw new HttpError(400, head.error.message);
    if (!head.rows.length) throw new HttpError(400, 'request body is empty; send a CSV with a header row, then data rows');
    header = head.rows[0].values;
    mapping = mapColumns(model.signature, header);
    first = await reader.next(ctx.csvChunkRows);
    if (first.error && first.rows.length === 0) throw new HttpError(400, first.error.message);
  } catch (err) {
    reader.close();
    throw err;
  }

  const writer = new OutputWriter(format, header, model);
  const encoder = new TextEncoder();
  let pending: { rows: CsvRow[]; error?: Error } | undefined = first;
  let started = false;
  const output = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          let text = started ? '' : writer.start();
          started = true;
          const chunk = pending ?? (await reader.next(ctx.csvChunkRows));
          pending = undefined;
          if (chunk.rows.length)
            text += writer.chunk(
              await predictCsvChunk(model.signature, header, mapping, chunk.rows, (inputs) => timedInfer(ctx, route, inputs)),
            );
          if (chunk.error) text += writer.error(`${chunk.error.message}; rows after it were not processed`);
          if (chunk.error || reader.done) {
            text += writer.end();
            controller.enqueue(encoder.encode(text));
            controller.close();
            reader.close();
            return;
          }
          controller.enqueue(encoder.encode(text));
        } catch (err) {
          // Headers are gone: the only way left to tell the client is the last line of the body.
          controller.enqueue(encoder.encode(writer.error(`server error: ${(err as Error).message}`) + writer.end()));
          controller.close();
          reader.close();
        }
      },
      cancel() {
        reader.close();
      },
    },
    { highWaterMark: 0 },
  );
  return new Response(output, {
    status: 200,
    headers: { 'content-type': CONTENT_TYPES[format], 'x-model-lab-columns': mapping.matchedBy, 'x-content-type-options': 'nosniff' },
  });
}
