/**
 * Worker-thread entry: reads (and sorts) one CSV file so the reference and the current file are
 * parsed on two cores at once. Posts progress per chunk, then the columns — their value buffers are
 * transferred, not copied. Errors go back as plain data (CsvFormatError fields kept).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readCsvColumns } from './read';
import { CsvFormatError } from './tokenizer';
import type { WorkerReadRequest, WorkerMessage } from './parallel';

const request = workerData as WorkerReadRequest;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);

readCsvColumns(request.file, {
  ...request.options,
  categorical: new Set(request.options.categorical),
  onProgress: (rows, bytes, total) => post({ type: 'progress', rows, bytes, total }),
}).then((result) => {
  const buffers = [...result.columns.values()].map((d) => d.values.buffer as ArrayBuffer);
  if (result.sample) buffers.push(result.sample.values.buffer as ArrayBuffer);
  post({ type: 'done', result }, [...new Set(buffers)]);
}, (err: unknown) => {
  const e = err instanceof Error ? err : new Error(String(err));
  post({
    type: 'error', name: e.name, message: e.message,
    where: e instanceof CsvFormatError ? { file: e.file, line: e.line, column: e.column, detail: e.detail } : null,
    code: (e as NodeJS.ErrnoException).code ?? null,
  });
});
