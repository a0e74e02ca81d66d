/**
 * The `export` job: write a verified deployment bundle of the served model (server/export). One at a
 * time. The bundle folder is chosen on the server: a plain folder name (no path) inside the export root,
 * `MODEL_LAB_EXPORT_ROOT` or else `model-lab-exports/` beside the served model. Cancelling aborts the
 * engine, which stages everything in a temporary folder and so leaves nothing behind.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { ModelLabError } from '../../protocol/errors';
import { ExportRequestSchema } from '../../protocol/export-request';
import type { JobRequest, JobResult } from '../../protocol/jobs';
import type { ModelHost } from '../host';
import { asJobFailure } from './engine-errors';
import type { JobSpec } from './runner';

const FOLDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** The root every bundle goes under (created on first export). */
export function exportRoot(modelPath: string): string {
  return resolve(process.env.MODEL_LAB_EXPORT_ROOT || join(dirname(modelPath), 'model-lab-exports'));
}

/** A folder name inside the root, refusing paths, `..`, hidden names and symlinks. */
export function bundleFolder(root: string, folder: string): string {
  if (!FOLDER_NAME.test(folder) || folder.includes('..')) {
    throw new ModelLabError(
      `folder '${folder.slice(0, 60)}' must be a plain folder name (letters, digits, '.', '_', '-'; no path), created inside ${root}`,
      { field: 'folder' },
    );
  }
  const path = resolve(root, folder);
  if (!path.startsWith(root + sep)) throw new ModelLabError(`folder '${folder}' is outside the export root ${root}`, { field: 'folder' });
  if (existsSync(path) && lstatSync(path).isSymbolicLink())
    throw new ModelLabError(`${path} is a symbolic link; choose another folder name`, { field: 'folder' });
  return path;
}

function defaultFolder(name: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${name}-${stamp}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/**
 * The model file an export starts from: the original the server was started with, even while a variant
 * is served (the request's `variant` makes the variant, so an fp16 of an int8 is never made by accident).
 */
export function originalModelPath(host: ModelHost): string {
  return host.versions?.().available[0]?.path ?? host.current().info.path;
}

export function exportJob(host: ModelHost, bodyLimitBytes: number): JobSpec<JobRequest<'export'>, JobResult<'export'>> {
  return {
    kind: 'export',
    schema: ExportRequestSchema,
    maxRunning: 1,
    keep: 5,
    bodyLimitBytes,
    async prepare(request) {
      const model = host.current();
      const source = originalModelPath(host);
      const outDir = bundleFolder(exportRoot(model.info.path), request.folder || defaultFolder(model.info.name));
      // Loaded on first use: the engine is large and most sessions never export.
      const { exportBundle, normalizeTargets } = await import('../../export/index');
      let targets;
      try {
        targets = normalizeTargets(request.targets);
      } catch (err) {
        throw asJobFailure(err);
      }
      // The explanation report is computed on the reference CSV: refuse at once (a 4xx), not when the job runs.
      if (targets.includes('explain') && !model.reference?.path) {
        throw new ModelLabError(
          "targets: the explanation report needs the model's reference data: serve it with --reference data.csv, or untick the report",
          { field: 'targets' },
        );
      }
      if (!request.force && existsSync(outDir) && readdirSync(outDir).length > 0) {
        throw new ModelLabError(`${outDir} is not empty; type another folder name, or tick "Replace a non-empty folder"`, {
          status: 409,
          field: 'folder',
        });
      }
      return {
        summary: `${model.info.name} → ${outDir} (${targets.join(', ')})`,
        async run(control) {
          try {
            return await exportBundle(source, {
              outDir,
              targets,
              variant: request.variant,
              force: request.force,
              referenceCsv: model.reference?.path,
              signal: control.signal,
              onProgress: (p) => control.progress({ done: p.done, total: p.total, step: p.message, detail: { stage: p.stage } }),
            });
          } catch (err) {
            throw asJobFailure(err);
          }
        },
      };
    },
  };
}
