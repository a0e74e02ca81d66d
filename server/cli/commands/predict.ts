/**
 * `model-lab predict <model> <in.csv> [-o out.csv]`: offline batch prediction, streamed.
 *
 * Writes exactly what the server's CSV batch route answers (input columns + prediction columns +
 * `error`), using the same column mapping and cell formatting (model/csv-rows.ts), so a file
 * predicted offline and one predicted over HTTP can be diffed. A row with a bad value gets an `error`
 * and no prediction; the other rows are unaffected.
 */
import { once } from 'node:events';
import { createWriteStream, renameSync, rmSync, type WriteStream } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { csvDelimiterOf } from '../../model/csv-separator';
import { fileReadProblem, readFileThrough } from '../../model/file-stream';
import { loadModel } from '../../model/index';
import type { LoadedModel } from '../../model/types';
import { mapColumns, predictCsvChunk, predictionCells, predictionColumns, type ColumnMapping, type CsvRow } from '../../model/csv-rows';
import { intOption, parseCommandLine, requireFile } from '../args';
import { ModelLabError } from '../../protocol/errors';
import type { Command } from '../command';

const usage = `Usage: model-lab predict <model.onnx> <in.csv> [-o out.csv] [options]

Predicts every row of a CSV offline, streaming (any file size). The output has the input columns, then
the prediction columns (label, p_<class>..., prediction...), then 'error' for rows that could not be
predicted. Columns are matched to features by header name (or by position when the CSV has exactly
the feature columns).

Options:
  -o, --output <csv>   where to write (default: stdout)
  --reference <csv>    reference data, used to name features like the server would
  --chunk-rows <n>     rows per onnxruntime run (default 512)
  --threads <n>        onnxruntime intra-op threads

Exit code 0 when every row was predicted, 1 when some rows have an error (the output is still written)
or the model/CSV cannot be read, 2 for a bad command line.

Example: model-lab predict samples/iris/iris.onnx samples/iris/current.csv -o predictions.csv`;

const predict: Command = {
  name: 'predict',
  summary: 'predict every row of a CSV file offline (streamed)',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'predict',
      args,
      {
        output: { type: 'string', short: 'o' },
        reference: { type: 'string' },
        'chunk-rows': { type: 'string' },
        threads: { type: 'string' },
      },
      ['model', 'in.csv'],
    );
    const chunkRows = intOption(values['chunk-rows'], '--chunk-rows', 1, 1_000_000) ?? 512;
    const threads = intOption(values.threads, '--threads', 0, 1024);
    const modelPath = requireFile(positionals[0], 'model file');
    const inputCsv = requireFile(positionals[1], 'input CSV');
    const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;
    const outputPath = typeof values.output === 'string' ? values.output : undefined;

    const model = await loadModel(modelPath, { referenceCsv, intraOpThreads: threads });
    try {
      const summary = await predictCsv(model, inputCsv, outputPath, chunkRows);
      const where = outputPath ?? 'stdout';
      if (summary.failed > 0) {
        process.stderr.write(
          `model-lab predict: ${summary.failed} of ${summary.rows} rows could not be predicted ` +
            `(first: ${summary.firstError}); see the 'error' column in ${where}\n`,
        );
        return 1;
      }
      process.stderr.write(`model-lab predict: ${summary.rows} rows predicted → ${where}\n`);
      return 0;
    } finally {
      await model.dispose();
    }
  },
};

export default predict;

interface Summary {
  rows: number;
  failed: number;
  firstError?: string;
}

/**
 * Streams `inputCsv` through the model into `outputPath` (stdout when undefined). The file is written
 * beside its destination and renamed at the end, so a run that dies midway leaves no half file behind.
 */
export async function predictCsv(
  model: LoadedModel,
  inputCsv: string,
  outputPath: string | undefined,
  chunkRows: number,
): Promise<Summary> {
  const tempPath = outputPath ? join(dirname(outputPath), `.${basename(outputPath)}.${process.pid}.partial`) : undefined;
  let out: NodeJS.WritableStream;
  // A write error (disk full, folder removed) after the stream opened: kept here and thrown by the next
  // write instead of being an unhandled 'error' event that ends the process with a stack trace.
  let writeError: Error | undefined;
  try {
    out = tempPath ? createWriteStream(tempPath) : process.stdout;
    out.on('error', (err: NodeJS.ErrnoException) => {
      // `model-lab predict m.onnx big.csv | head`: the reader leaving is not an error worth a stack trace.
      if (!tempPath && err.code === 'EPIPE') process.exit(0);
      writeError ??= err;
    });
    if (tempPath) await once(out as WriteStream, 'open');
  } catch (err) {
    throw new ModelLabError(`cannot write ${outputPath}: ${(err as Error).message}`);
  }
  const write = async (text: string): Promise<void> => {
    if (writeError) throw new ModelLabError(`cannot write ${outputPath ?? 'stdout'}: ${writeError.message}`);
    if (text && !out.write(text)) await once(out, 'drain');
  };
  const delimiter = await csvDelimiterOf(inputCsv);
  const parser = readFileThrough(inputCsv, parse({ bom: true, delimiter, skip_empty_lines: true, relax_column_count: true, info: true }));
  const summary: Summary = { rows: 0, failed: 0 };
  let header: string[] | undefined;
  let mapping: ColumnMapping | undefined;
  let columns: string[] | undefined;
  let chunk: CsvRow[] = [];

  const flush = async (): Promise<void> => {
    if (!header || !mapping) return;
    const results = await predictCsvChunk(model.signature, header, mapping, chunk, (inputs) => model.run(inputs));
    if (!columns) {
      columns = predictionColumns(model.signature, results.find((r) => r.prediction)?.prediction);
      const names = columns.map((c) => (header!.includes(c) ? `predicted_${c}` : c));
      await write(stringify([[...header, ...names, 'error']]));
    }
    const cols = columns;
    const records = results.map((r) => [...r.row.values, ...predictionCells(cols, r.prediction), r.error ?? '']);
    summary.rows += results.length;
    for (const r of results)
      if (r.error) {
        summary.failed++;
        summary.firstError ??= r.error;
      }
    if (records.length) await write(stringify(records));
    chunk = [];
  };

  try {
    for await (const item of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (!header) {
        header = item.record;
        try {
          mapping = mapColumns(model.signature, header);
        } catch (err) {
          throw new ModelLabError(`${inputCsv}: ${(err as Error).message}`);
        }
        continue;
      }
      chunk.push({ line: item.info.lines, values: item.record });
      if (chunk.length >= chunkRows) await flush();
    }
    if (!header) throw new ModelLabError(`${inputCsv} is empty; it needs a header row, then data rows`);
    await flush();
    if (tempPath) {
      out.end();
      // After a write error the stream has already closed itself; waiting for 'close' again would hang.
      if (!(out as WriteStream).closed) await once(out as WriteStream, 'close');
      if (writeError) throw new ModelLabError(`cannot write ${outputPath}: ${writeError.message}`);
      renameSync(tempPath, outputPath!);
    }
    return summary;
  } catch (err) {
    if (tempPath) {
      (out as WriteStream).destroy();
      rmSync(tempPath, { force: true });
    }
    const e = err as { code?: string; lines?: number; message: string };
    const unreadable = err instanceof ModelLabError ? undefined : fileReadProblem(err);
    if (unreadable) throw new ModelLabError(`cannot read ${inputCsv}: ${unreadable}`);
    if (e.code?.startsWith('CSV_'))
      throw new ModelLabError(`${inputCsv}, line ${e.lines ?? '?'}: malformed CSV (${e.message.replace(/ at line \d+.*$/, '')})`);
    throw err;
  }
}
