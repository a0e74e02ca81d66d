/**
 * The Export tab's calls: pre-check, the export job (POST answered with server-sent events, read from
 * the fetch body since EventSource cannot POST) and the last result. Aborting the signal closes the
 * stream, which cancels the export on the server.
 */
import type { ExportProgress, ExportResult, PrecheckResult } from '../../../server/export/types';
import type { ServerClient } from '../client';

export interface ExportRequest {
  targets: string[];
  variant?: string;
  folder?: string;
  force?: boolean;
}

export interface ExportStatus {
  exportRoot: string;
  running: boolean;
  last: ExportResult | null;
}

/** Thrown with the server's message; `unavailable` when this server has no export routes (a deployed bundle). */
export class ExportCallError extends Error {
  constructor(message: string, readonly unavailable = false) {
    super(message);
    this.name = 'ExportCallError';
  }
}

export interface ExportClient {
  status(): Promise<ExportStatus>;
  precheck(request: Omit<ExportRequest, 'folder' | 'force'>): Promise<PrecheckResult>;
  run(request: ExportRequest, onProgress: (p: ExportProgress) => void, signal: AbortSignal): Promise<ExportResult>;
}

async function errorOf(response: Response): Promise<ExportCallError> {
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { error?: unknown };
    if (typeof body.error === 'string') message = body.error;
  } catch { /* keep the status line */ }
  return new ExportCallError(message, response.status === 404);
}

export function createExportClient(server: ServerClient): ExportClient {
  const headers = (json: boolean): Record<string, string> => ({
    ...(json ? { 'Content-Type': 'application/json' } : {}),
    ...(server.token ? { Authorization: `Bearer ${server.token}` } : {}),
  });
  const call = async (path: string, init: RequestInit): Promise<Response> => {
    let response: Response;
    try {
      response = await fetch(server.origin + path, init);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw new ExportCallError('export cancelled');
      throw new ExportCallError(`cannot reach the Model Lab server at ${server.origin} (${(err as Error).message})`);
    }
    if (!response.ok) throw await errorOf(response);
    return response;
  };
  return {
    async status() {
      return (await (await call('/api/export', { headers: headers(false) })).json()) as ExportStatus;
    },
    async precheck(request) {
      const response = await call('/api/export/precheck', { method: 'POST', headers: headers(true), body: JSON.stringify(request) });
      return (await response.json()) as PrecheckResult;
    },
    async run(request, onProgress, signal) {
      const response = await call('/api/export', { method: 'POST', headers: headers(true), body: JSON.stringify(request), signal });
      const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: ?(.*)$/m.exec(block)?.[1]?.trim();
            const data = block.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.replace(/^data: ?/, '')).join('\n');
            if (!event || !data) continue;
            const parsed = JSON.parse(data) as unknown;
            if (event === 'progress') onProgress(parsed as ExportProgress);
            else if (event === 'result') return parsed as ExportResult;
            else if (event === 'error') throw new ExportCallError((parsed as { error: string }).error);
          }
        }
      } catch (err) {
        if ((err as Error).name === 'AbortError') throw new ExportCallError('export cancelled');
        throw err;
      }
      throw new ExportCallError('the export stream ended without a result');
    },
  };
}
