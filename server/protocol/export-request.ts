/**
 * The Export tab's request, shared by the `export` job, `POST /api/export/precheck` and the OpenAPI
 * document (apart from ./export.ts so the UI, which imports that at run time, carries no zod).
 */
import { z } from 'zod';

/** Body of `POST /api/jobs/export` and `POST /api/export/precheck` (the precheck ignores folder and force). */
export const ExportRequestSchema = z
  .object({
    targets: z
      .array(z.string())
      .optional()
      .describe(
        'onnx, docker, k8s, kserve, triton, tfjs, explain (default: all but explain; onnx always; explain needs the reference CSV)',
      ),
    variant: z.string().optional().describe('a compressed variant from the compress engine, e.g. int8'),
    folder: z.string().optional().describe('a plain folder name inside the export root (default: <model>-<timestamp>)'),
    force: z.boolean().optional().describe('replace a non-empty folder once the new bundle is complete'),
  })
  .strict();
export type ExportRequest = z.infer<typeof ExportRequestSchema>;
