/**
 * Prediction drift: run the model over both files (in chunks of rows, through the same CSV → record →
 * prediction path as the server's CSV route; a Parquet file's rows as the cells its CSV twin would
 * have) and turn the predictions into columns the drift tests
 * take — `label` as categorical, each class probability `p_<class>` and each regression output
 * `prediction[_i]` as numerical. Rows the model cannot take are counted, with the first error kept.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { LoadedModel } from '../model/types';
import { mapColumns, predictCsvChunk, type CsvRow } from '../model/csv-rows';
import type { RowPrediction } from '../protocol/api';
import { ColumnAccumulator, type ColumnData } from './csv/column';
import { uniqueHeader } from './csv/header';
import { abortError } from './csv/read';
import { sniffCsvFormat } from './csv/format';
import { feedGzip } from './csv/gzip-source';
import { CsvTokenizer, fieldText } from './csv/tokenizer';
import { isParquet } from './table';

export const PREDICTION_BATCH_ROWS = 1024;

export interface PredictedColumns {
  rows: number;
  failedRows: number;
  firstError: string | null;
  columns: Map<string, ColumnData>;
}

/** Predicts every row of `file`; columns are finished (numerical ones not yet sorted). */
export async function predictFile(
  model: LoadedModel,
  file: string,
  options: {
    signal?: AbortSignal;
    onProgress?: (rows: number, bytes: number, total: number) => void;
    batchRows?: number;
  } = {},
): Promise<PredictedColumns> {
  const total = (await stat(file)).size;
  const batchRows = options.batchRows ?? PREDICTION_BATCH_ROWS;
  let header: string[] | null = null;
  let mapping: ReturnType<typeof mapColumns> | null = null;
  let pending: CsvRow[] = [];
  const columns = new Map<string, ColumnAccumulator>();
  const out: PredictedColumns = { rows: 0, failedRows: 0, firstError: null, columns: new Map() };
  const format = isParquet(file) ? null : await sniffCsvFormat(file);
  const tokenizer = new CsvTokenizer(
    file,
    (row) => {
      const cells: string[] = [];
      for (let i = 0; i < row.count; i++) cells.push(fieldText(row, i));
      if (header === null) {
        header = uniqueHeader(cells.map((c) => c.trim()));
        mapping = mapColumns(model.signature, header);
        return;
      }
      pending.push({ line: row.line, values: cells });
    },
    undefined,
    format?.separator,
  );
  const flush = async (all: boolean) => {
    while (pending.length >= batchRows || (all && pending.length > 0)) {
      const batch = pending.slice(0, batchRows);
      pending = pending.slice(batch.length);
      const results = await predictCsvChunk(model.signature, header!, mapping!, batch, (inputs) => model.run(inputs));
      for (const r of results) {
        out.rows++;
        if (r.prediction) addPrediction(columns, r.prediction);
        else {
          out.failedRows++;
          out.firstError ??= r.error ?? null;
        }
      }
    }
  };
  let bytes = 0;
  if (isParquet(file)) {
    // A Parquet file's rows as text cells (spelled as pandas writes them to CSV), through the same path.
    const { parquetTextRows } = await import('./parquet');
    const onBytes = (read: number) => (bytes = read);
    for await (const batch of parquetTextRows(file, { batchRows, signal: options.signal, onBytes })) {
      if (header === null) {
        header = batch.header;
        mapping = mapColumns(model.signature, header);
      }
      pending.push(...batch.rows);
      await flush(false);
      options.onProgress?.(out.rows, bytes, total);
    }
    await flush(true);
  } else if (format?.gzip) {
    await feedGzip(
      file,
      async (chunk) => {
        tokenizer.push(chunk);
        await flush(false);
      },
      { signal: options.signal, abortError, onBytes: (read) => options.onProgress?.(out.rows, read, total) },
    );
    tokenizer.end();
    await flush(true);
  } else {
    const stream = createReadStream(file, { highWaterMark: 1 << 20 });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        if (options.signal?.aborted) throw abortError(options.signal);
        tokenizer.push(chunk);
        bytes += chunk.length;
        await flush(false);
        options.onProgress?.(out.rows, bytes, total);
      }
      tokenizer.end();
      await flush(true);
    } finally {
      stream.destroy();
    }
  }
  // Rows that failed have no prediction: they count as missing in every prediction column.
  for (const [name, acc] of columns) {
    acc.data.missing += out.rows - acc.added;
    acc.data.rows = out.rows;
    out.columns.set(name, acc.finish());
  }
  return out;
}

function addPrediction(columns: Map<string, ColumnAccumulator>, p: RowPrediction): void {
  const column = (name: string, categorical: boolean) => {
    let acc = columns.get(name);
    if (!acc) columns.set(name, (acc = new ColumnAccumulator(name, categorical)));
    return acc;
  };
  if (p.label !== undefined) column('label', true).addText(String(p.label));
  for (const [cls, prob] of Object.entries(p.probabilities ?? {})) column(`p_${cls}`, false).addNumber(prob);
  if (typeof p.value === 'number') column('prediction', false).addNumber(p.value);
  else if (Array.isArray(p.value)) p.value.forEach((v, i) => column(`prediction_${i}`, false).addNumber(v));
}
