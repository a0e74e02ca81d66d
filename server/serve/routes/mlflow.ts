/**
 * MLflow `models serve` scoring: `POST /invocations` with JSON (exactly one of `dataframe_split`,
 * `dataframe_records`, `instances`, `inputs`) or a `text/csv` body (header row + rows, whole body parsed,
 * under the body limit — big files belong on the streaming CSV route). Also reached through
 * `POST /predict` with a JSON body.
 */
import type { Context } from 'hono';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { InputError } from '../../protocol/codec';
import { quote } from '../../protocol/limits';
import { describeZodError, MlflowInvocationRequestSchema } from '../../protocol/schemas';
import type { FeatureRecord } from '../../protocol/signature';
import { HttpError, jsonAnswer, mediaType, readBodyBytes, readJsonBody, UTF8, type JsonResponseParts, type RouteContext } from './common';
import { csvValueError, mapColumns, recordFromCsv } from '../../model/csv-rows';
import { fastMlflowRequest } from './fast-parse';
import {
  areFeaturesInOrder,
  predictColumns,
  predictFeatureRows,
  predictInstances,
  predictRecords,
  type PredictTarget,
} from './json-predict';

const KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** The schema's verdict, for bodies the fast check did not accept: its message names the field. */
function zodParse(json: unknown) {
  const parsed = MlflowInvocationRequestSchema.safeParse(json);
  if (!parsed.success) throw new HttpError(400, describeZodError(parsed.error));
  return parsed.data;
}

/** Handles an MLflow-style scoring request for the current model; `route` labels the metrics. */
export async function handleInvocation(ctx: RouteContext, c: Context, route: string): Promise<JsonResponseParts> {
  // MLflow's path names no model: whatever is serving now answers.
  const model = ctx.host.current();
  const target: PredictTarget = { ctx, route, model };
  const type = mediaType(c);
  if (type === 'text/csv' || type === 'application/csv')
    return jsonAnswer({ predictions: await predictCsvText(target, c) }, ctx.responseHeaders);

  const json = await readJsonBody(c, ctx.bodyLimitBytes);
  const body = fastMlflowRequest(json) ?? zodParse(json);
  const present = KEYS.filter((k) => body[k] !== undefined);
  if (present.length !== 1) {
    throw new HttpError(
      400,
      `send exactly one of ${KEYS.map((k) => `"${k}"`).join(', ')}` +
        (present.length ? `; the body has ${present.map((k) => `"${k}"`).join(' and ')}` : '; the body has none of them'),
    );
  }
  if (body.dataframe_split) {
    const { columns, data } = body.dataframe_split;
    if (!columns) return jsonAnswer({ predictions: await predictInstances(target, data) }, ctx.responseHeaders);
    for (let r = 0; r < data.length; r++) {
      if (data[r].length !== columns.length) {
        throw new InputError('dataframe_split.data', `has ${data[r].length} values but "columns" names ${columns.length}`, r);
      }
    }
    // The usual request names the features in order: its rows are encoded as they are, without records.
    if (areFeaturesInOrder(model, columns)) return jsonAnswer({ predictions: await predictFeatureRows(target, data) }, ctx.responseHeaders);
    const records = data.map((row) => {
      // A plain loop: Object.fromEntries over [name, value] pairs cost ~10 µs per 30-column row. No
      // prototype, so a column called "__proto__" is an ordinary key here too, as fromEntries made it.
      const record = Object.create(null) as FeatureRecord;
      for (let i = 0; i < columns.length; i++) record[columns[i]] = row[i];
      return record;
    });
    return jsonAnswer({ predictions: await predictRecords(target, records) }, ctx.responseHeaders);
  }
  if (body.dataframe_records) return jsonAnswer({ predictions: await predictRecords(target, body.dataframe_records) }, ctx.responseHeaders);
  if (body.instances) return jsonAnswer({ predictions: await predictInstances(target, body.instances) }, ctx.responseHeaders);
  return jsonAnswer({ predictions: await predictColumns(target, body.inputs) }, ctx.responseHeaders);
}

/** Longest header line of a CSV body; a header of thousands of columns is not a table of features. */
export const MAX_CSV_HEADER_CHARS = 64 * 1024;

/** A whole CSV body (header + rows) → predictions; errors name the CSV line and column. */
async function predictCsvText(target: PredictTarget, c: Context): Promise<unknown[]> {
  const text = UTF8.decode(await readBodyBytes(c, target.ctx.bodyLimitBytes));
  // Before parsing: a 20 MB single-line "header" would cost seconds of parsing to be refused anyway.
  const headerEnd = text.indexOf('\n');
  if ((headerEnd < 0 ? text.length : headerEnd) > MAX_CSV_HEADER_CHARS) {
    throw new HttpError(
      400,
      `CSV body: the header row is longer than ${MAX_CSV_HEADER_CHARS} characters (it starts ` +
        `${quote(JSON.stringify(text.slice(0, 80)), 80)}); ` +
        'send a header row naming the feature columns, then data rows',
    );
  }
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parseCsvSync(text, { bom: true, skip_empty_lines: true, info: true }) as unknown as typeof rows;
  } catch (err) {
    throw new HttpError(400, `CSV body: ${quote((err as Error).message)}`);
  }
  if (rows.length < 2) throw new HttpError(400, 'CSV body needs a header row and at least one data row');
  const signature = target.model.signature;
  const mapping = mapColumns(signature, rows[0].record);
  const records = rows.slice(1).map((row) => recordFromCsv(signature, mapping, row.record));
  try {
    return await predictRecords(target, records);
  } catch (err) {
    // err.row counts records after the header; the parser knows the line each record ended on.
    if (err instanceof InputError && err.row !== undefined)
      throw new HttpError(400, csvValueError(err, rows[err.row + 1]?.info.lines ?? err.row + 2));
    throw err;
  }
}
