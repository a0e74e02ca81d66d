/**
 * The `drift` job: a drift check run by the drift engine, from one of two sources —
 * `files`: two CSV or Parquet files the owner names (each vetted by ./drift-allowed-file.ts), or
 * `live`: what this server served (its served-rows log, written to a private temp CSV that is deleted
 * when the job ends) against the served model's reference CSV.
 * At most two run at once (each reads whole files and may use hundreds of MB).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readHeader, readTableHeader, runDrift, type DriftOptions, type DriftProgress } from '../../drift/index';
import { ModelLabError } from '../../protocol/errors';
import type { DriftFilesRequest, DriftLiveRequest } from '../../protocol/drift';
import { DriftRequestSchema } from '../../protocol/drift';
import type { JobProgress, JobRequest, JobResult } from '../../protocol/jobs';
import type { ServedRows } from '../served-rows';
import { DRIFT_DATA_FILE_EXTENSIONS, MODEL_FILE_EXTENSIONS } from '../routes/drift-file-types';
import type { AllowedFiles } from './drift-allowed-file';
import { asJobFailure } from './engine-errors';
import type { JobSpec, PreparedJob } from './runner';

/** Largest body of a drift request: a few paths and options. */
export const DRIFT_BODY_LIMIT_BYTES = 256 * 1024;
/** Fewer than this many served rows make a check meaningless (and KS/chi-square unstable). */
const MIN_LIVE_ROWS = 2;

export interface LiveDriftSource {
  served: ServedRows;
  /** The served model's reference CSV path, or null when the server was started without one. */
  reference(): string | null;
  /** The served model's file, for prediction drift (`options.predictions`). */
  modelPath(): string;
}

type EngineOptions = Omit<DriftOptions, 'reference' | 'current' | 'signal' | 'onProgress'>;
type Prepared = PreparedJob<JobResult<'drift'>>;

const PHASE_STEPS: Record<DriftProgress['phase'], string> = {
  reading: 'reading',
  testing: 'testing columns',
  predicting: 'predicting',
  multivariate: 'multivariate test',
  done: 'done',
};

/** The engine's progress as a job's: bytes read of bytes to read; the engine's own report in `detail`. */
function jobProgress(p: DriftProgress): JobProgress {
  return {
    done: p.bytesRead,
    total: Math.max(1, p.bytesTotal),
    step: `${PHASE_STEPS[p.phase]}${p.passes > 1 ? ` (pass ${p.pass} of ${p.passes})` : ''}`,
    detail: { ...p },
  };
}

function runCheck(
  files: { reference: string; current: string },
  options: EngineOptions,
  summary: string,
  cleanup?: () => Promise<void>,
): Prepared {
  return {
    summary,
    ...(cleanup ? { cleanup } : {}),
    async run(control) {
      try {
        return await runDrift({ ...options, ...files, signal: control.signal, onProgress: (p) => control.progress(jobProgress(p)) });
      } catch (err) {
        // Bad input (malformed CSV, unknown column or test) is the check's outcome, reported in the job.
        throw asJobFailure(err, { plainErrorsAreInput: true });
      }
    },
  };
}

async function prepareFiles(request: DriftFilesRequest, files: AllowedFiles, live: LiveDriftSource | undefined): Promise<Prepared> {
  const reference = await files.check('reference', request.reference, DRIFT_DATA_FILE_EXTENSIONS);
  const current = await files.check('current', request.current, DRIFT_DATA_FILE_EXTENSIONS);
  const model = request.options?.model ? await files.check('options.model', request.options.model, MODEL_FILE_EXTENSIONS) : undefined;
  // The served model is opened with the served reference, so its features carry the served names.
  const modelReference = model && live ? await servedReferenceOf(model, live) : undefined;
  // The tab sends the served signature's target whatever the files: drop it when the reference lacks it.
  const target = request.options?.target;
  const keepTarget = target !== undefined && (await readTableHeader(reference)).includes(target);
  return runCheck(
    { reference, current },
    { ...request.options, model, modelReference, target: keepTarget ? target : undefined },
    `${basename(current)} against ${basename(reference)}`,
  );
}

/** The served reference CSV when `model` is the served model's file, else undefined. */
async function servedReferenceOf(model: string, live: LiveDriftSource): Promise<string | undefined> {
  const served = live.reference();
  if (!served || !existsSync(served)) return undefined;
  try {
    return (await realpath(live.modelPath())) === model ? served : undefined;
  } catch {
    return undefined;
  }
}

async function prepareLive(request: DriftLiveRequest, live: LiveDriftSource | undefined): Promise<Prepared> {
  if (!live) throw new ModelLabError('this server keeps no log of served rows, so it cannot check live drift', { status: 501 });
  const reference = live.reference();
  if (!reference)
    throw new ModelLabError(
      'this server has no reference CSV to compare what it served against; restart it with --reference <training data.csv>',
    );
  const status = live.served.status();
  if (status.rows < MIN_LIVE_ROWS)
    throw new ModelLabError(
      `the server has served ${status.rows} row(s) with named features so far; send some predictions first (at least ${MIN_LIVE_ROWS})`,
    );
  // The served rows hold features only: no target to compare (`target` is dropped).
  const { predictions, target: _noTarget, ...options } = request.options ?? {};
  // Deleted or moved while serving (a file-removed event said so): the model serves from memory, but
  // drift reads the file.
  if (!existsSync(reference))
    throw new ModelLabError(`the reference CSV ${basename(reference)} was removed while serving; put it back to check live drift`, {
      status: 409,
    });
  // The log holds the model's features; the reference may have more (the target): check the common ones.
  const header = await readHeader(reference);
  const columns = options.columns ?? status.columns.filter((c) => header.includes(c));
  if (!columns.length)
    throw new ModelLabError(`none of the served features (${status.columns.join(', ')}) is a column of the reference ${reference}`);
  // The server's own file, so no path check applies; deleted when the job ends, whatever the outcome.
  const dir = await mkdtemp(join(tmpdir(), 'model-lab-served-'));
  const removeDir = () => rm(dir, { recursive: true, force: true });
  const current = join(dir, 'served-rows.csv');
  try {
    await live.served.writeCsv(current);
  } catch (err) {
    await removeDir();
    throw err;
  }
  return runCheck(
    { reference, current },
    { ...options, columns, ...(predictions ? { model: live.modelPath(), modelReference: reference } : {}) },
    `${status.rows} served rows against ${basename(reference)}`,
    removeDir,
  );
}

export function driftJob(files: AllowedFiles, live: LiveDriftSource | undefined): JobSpec<JobRequest<'drift'>, JobResult<'drift'>> {
  return {
    kind: 'drift',
    schema: DriftRequestSchema,
    maxRunning: 2,
    keep: 10,
    bodyLimitBytes: DRIFT_BODY_LIMIT_BYTES,
    prepare: (request) => (request.source === 'live' ? prepareLive(request, live) : prepareFiles(request, files, live)),
  };
}
