/**
 * The drift check's requests and results as the server, the OpenAPI document and the UI share them.
 *
 * One job kind, two sources: `files` compares two CSVs the owner names (each path must resolve, symlinks
 * followed, inside an allowed folder: server/serve/jobs/drift-job.ts); `live` compares what the server
 * served (its served-rows log) with the served model's reference CSV.
 */
import { z } from 'zod';

// The report is still defined beside the engine that builds it (its parts are engine types); the UI
// reaches it only through this file.
export type { ColumnDrift, DriftReport } from '../drift/report/types';
export type { DriftProgress } from '../drift/index';

const TestOptions = {
  columns: z.array(z.string()).max(10_000).optional(),
  categorical: z.array(z.string()).max(10_000).optional(),
  stattest: z.record(z.string(), z.string()).optional(),
  stattestAll: z.string().optional(),
  threshold: z.number().min(0).optional(),
  driftShare: z.number().min(0).max(1).optional(),
  alpha: z.number().gt(0).lt(1).optional(),
  mmd: z.boolean().optional(),
};

/** `POST /api/jobs/drift` with `source: "files"`: a current CSV against a reference CSV. */
export const DriftFilesRequestSchema = z
  .object({
    source: z.literal('files'),
    reference: z.string().min(1).describe('reference CSV path (inside an allowed root)'),
    current: z.string().min(1).describe('current CSV path (inside an allowed root)'),
    options: z
      .object({
        ...TestOptions,
        thresholds: z.record(z.string(), z.number().min(0)).optional(),
        mmdRows: z.number().int().min(10).max(2000).optional(),
        memoryBudgetMb: z.number().min(16).max(64_000).optional(),
        cache: z.boolean().optional(),
        model: z.string().min(1).optional().describe('ONNX model path (inside an allowed root) for prediction drift'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** `POST /api/jobs/drift` with `source: "live"`: the rows this server served against its reference CSV. */
export const DriftLiveRequestSchema = z
  .object({
    source: z.literal('live'),
    options: z
      .object({
        ...TestOptions,
        predictions: z.boolean().optional().describe("also test the served model's predictions on both sides"),
      })
      .strict()
      .optional(),
  })
  .strict();

export const DriftRequestSchema = z.discriminatedUnion('source', [DriftFilesRequestSchema, DriftLiveRequestSchema]);
export type DriftRequest = z.infer<typeof DriftRequestSchema>;
export type DriftFilesRequest = z.infer<typeof DriftFilesRequestSchema>;
export type DriftLiveRequest = z.infer<typeof DriftLiveRequestSchema>;

/** `GET /api/drift/files`: CSVs the owner may check, and the stat tests on offer. */
export interface DriftFileList {
  roots: string[];
  files: { path: string; root: string; relative: string }[];
  truncated: boolean;
  statTests: { name: string; displayName: string; kinds: string[]; defaultThreshold: number }[];
}

/** `GET /api/drift/live`: the served-rows log, and the reference a live check compares it with. */
export interface LiveDriftStatus {
  rows: number;
  capacity: number;
  since: string | null;
  total: number;
  columns: string[];
  reference: string | null;
}
