/**
 * The `explain` job: permutation importance, partial dependence / ICE and SHAP values of the served
 * model (server/explain), on a CSV the owner names (vetted like a drift job's files: inside the allowed
 * folders, a .csv) or, by default, the served model's reference CSV. A `record` explains the form's
 * current input with SHAP (the Predict tab's "Why?"). One at a time: it keeps the model's session busy.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { explainModel } from '../../explain/index';
import { ModelLabError } from '../../protocol/errors';
import { ExplainRequestSchema, type ExplainReport, type ExplainRequest } from '../../protocol/explain';
import type { ModelHost } from '../host';
import { DATA_FILE_EXTENSIONS } from '../routes/drift-file-types';
import type { AllowedFiles } from './drift-allowed-file';
import type { JobSpec } from './runner';

/** Largest body of an explain request: options and at most one record of the form. */
export const EXPLAIN_BODY_LIMIT_BYTES = 256 * 1024;

export function explainJob(host: ModelHost, files: AllowedFiles): JobSpec<ExplainRequest, ExplainReport> {
  return {
    kind: 'explain',
    schema: ExplainRequestSchema,
    maxRunning: 1,
    keep: 10,
    bodyLimitBytes: EXPLAIN_BODY_LIMIT_BYTES,
    async prepare(request) {
      const model = host.current();
      const { data: requested, ...options } = request;
      const data = requested ? await files.check('data', requested, DATA_FILE_EXTENSIONS) : model.reference?.path;
      if (!data)
        throw new ModelLabError('data: this model was opened without a reference CSV; choose a CSV of data to explain it on', {
          field: 'data',
        });
      if (!existsSync(data))
        throw new ModelLabError(`data: ${basename(data)} no longer exists (deleted or moved); choose another CSV`, {
          status: 409,
          field: 'data',
        });
      return {
        summary: `${basename(model.info.path)} on ${basename(data)}`,
        run: (control) =>
          explainModel({
            ...options,
            model,
            data,
            signal: control.signal,
            onProgress: (p) => control.progress({ done: p.done, total: p.total, step: p.step }),
          }),
      };
    },
  };
}
