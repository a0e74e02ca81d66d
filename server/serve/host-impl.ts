/**
 * The ModelHost: owns the model serving now, swaps it atomically on reload, batches concurrent
 * requests, and tells listeners what happened (model-loaded, model-reload-failed, differential-check).
 *
 * Lifetime of a model version ("slot"): every use takes a lease (infer, a route's `current().run`,
 * the differential check). A reload makes the new slot current and retires the old one; the old
 * session is disposed only when its last lease is returned, so in-flight requests finish on the
 * model they started with and never see a freed session.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadModel, sidecarPath } from '../model/index';
import type { LoadedModel, LoadOptions } from '../model/types';
import type { PlainTensor } from '../protocol/codec';
import type { ServerEvent } from '../protocol/api';
import { VARIANT_ID_PATTERN } from '../protocol/perf';
import { createBatcher, DEFAULT_MAX_BATCH_SIZE, DEFAULT_MAX_DELAY_MS, type Batcher, type BatchStats } from './batcher';
import { compareModels } from './differential';
import { createEventBus } from './events';
import type { ModelHost, ModelVersion, ModelVersions } from './host';
import type { ServerMetrics } from './metrics';
import { watchModelFiles, type FileWatch } from './reloader';

export interface BatchingOptions {
  enabled: boolean;
  maxBatchSize: number;
  maxDelayMs: number;
}

export interface ModelHostOptions {
  /** Reference CSV: passed to loadModel, whose sampled rows feed the differential check. */
  referenceCsv?: string;
  /** Default: enabled, 64 rows, no wait beyond the running batch (see batcher.ts for why). Only applies to dynamic-batch models. */
  batching?: Partial<BatchingOptions>;
  /** Reload when the model, its sidecar signature or the reference CSV changes. Default false. */
  watch?: boolean;
  /** Quiet period after the last file event before reloading, in ms. Default 300. */
  watchDebounceMs?: number;
  loadOptions?: LoadOptions;
  /** Where batch sizes go (`inference_batch_size`). */
  metrics?: ServerMetrics;
  /** Called after every session.run that went through the batcher (tests and diagnostics); never for unbatched models. */
  onBatch?: (stats: BatchStats) => void;
  /** Diagnostic lines (stderr by default); never stdout, which carries the CLI's ready line. */
  log?: (line: string) => void;
}

/** The ModelHost plus what start-up code and tests need beyond the routes' seam. */
export interface ModelHostImpl extends ModelHost {
  /** Loads the model file again now; resolves to the generation serving afterwards. */
  reload(reason?: string): Promise<number>;
}

interface Slot {
  model: LoadedModel;
  generation: number;
  /** The OIP version this file is published as (the original's, or a variant id). */
  version: string;
  loadedAt: string;
  fingerprint: string;
  batcher: Batcher | null;
  /** The LoadedModel routes see: same data, but every run holds a lease. */
  view: LoadedModel;
  leases: number;
  retired: boolean;
  disposing: boolean;
  /** Resolves once the session is disposed (after retirement and the last lease). */
  disposed: Promise<void>;
  markDisposed: () => void;
}

/**
 * Loads the model (throws what loadModel throws: a missing file or a bad model) and starts serving it.
 *
 * @example
 * const host = await createModelHost('model.onnx', { watch: true, batching: { maxBatchSize: 32 } });
 * const outputs = await host.infer([{ name: 'x', dtype: 'float32', dims: [1, 4], data }]);
 * await host.close();
 */
export async function createModelHost(modelPath: string, options: ModelHostOptions = {}): Promise<ModelHostImpl> {
  const log = options.log ?? ((line: string) => process.stderr.write(`model-lab: ${line}\n`));
  const loadOptions: LoadOptions = { ...options.loadOptions, referenceCsv: options.referenceCsv ?? options.loadOptions?.referenceCsv };
  const batching: BatchingOptions = {
    enabled: options.batching?.enabled ?? true,
    maxBatchSize: options.batching?.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE,
    maxDelayMs: options.batching?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS,
  };
  const bus = createEventBus(50);
  // What is served: the given file, or another one after `switchTo` (a saved variant).
  let servedPath = modelPath;
  let servedOptions = loadOptions;
  let watchedFiles = sidecarCandidates(modelPath, loadOptions);
  const live = new Set<Slot>();
  let closed = false;
  // Served files found missing and already reported, so one deletion is one event, not one per pass.
  const reportedMissing = new Set<string>();

  // Hashed before loading: if the file changes during the load, the next pass sees a difference.
  const firstFingerprint = await fingerprintOf(watchedFiles);
  const first = await loadModel(modelPath, loadOptions);
  // The name clients call the model by. A served variant is a new version of it, never a new name, so
  // every URL and curl a user copied keeps answering (OIP: /v2/models/{name}[/versions/{v}]).
  const publishedName = first.info.name;
  const originalVersion = first.info.modelVersion > 0 ? String(first.info.modelVersion) : '1';
  let servedVersion = originalVersion;
  let current = makeSlot(first, 1, firstFingerprint);
  bus.emit({ type: 'model-loaded', generation: 1, name: publishedName, loadMs: first.loadMs });

  function makeSlot(model: LoadedModel, generation: number, fingerprint: string): Slot {
    let markDisposed = (): void => {};
    const disposed = new Promise<void>((resolve) => {
      markDisposed = resolve;
    });
    const slot: Slot = {
      model,
      generation,
      version: servedVersion,
      fingerprint,
      loadedAt: new Date().toISOString(),
      batcher: null,
      view: model,
      leases: 0,
      retired: false,
      disposing: false,
      disposed,
      markDisposed,
    };
    const why = batchingOffReason(model, batching);
    if (why) {
      if (batching.enabled) log(`batching is off for ${model.info.name}: ${why}`);
    } else {
      slot.batcher = createBatcher({
        run: (inputs, names) => model.run(inputs, names),
        maxBatchSize: batching.maxBatchSize,
        maxDelayMs: batching.maxDelayMs,
        onBatch: (stats) => {
          options.metrics?.batchRows.observe(stats.rows);
          options.onBatch?.(stats);
        },
      });
    }
    slot.view = leasedView(slot);
    live.add(slot);
    return slot;
  }

  function leasedView(slot: Slot): LoadedModel {
    const { model } = slot;
    return {
      info: model.info.name === publishedName ? model.info : { ...model.info, name: publishedName },
      signature: model.signature,
      reference: model.reference,
      loadMs: model.loadMs,
      run: (inputs, names) => withLease(slot, () => model.run(inputs, names)),
      predictRecords: (records, rowBase) => withLease(slot, () => model.predictRecords(records, rowBase)),
      // The host owns the session's lifetime; a route disposing it would break everyone else.
      dispose: async () => {},
    };
  }

  async function withLease<T>(slot: Slot, work: () => Promise<T>): Promise<T> {
    if (slot.disposing) {
      // Only reachable through a LoadedModel a caller kept from before a reload and used later.
      throw new Error(`the model was reloaded (now generation ${current.generation}) while this request was being prepared; send it again`);
    }
    slot.leases++;
    try {
      return await work();
    } finally {
      slot.leases--;
      disposeIfUnused(slot);
    }
  }

  function disposeIfUnused(slot: Slot): void {
    if (!slot.retired || slot.leases > 0 || slot.disposing) return;
    slot.disposing = true;
    (async () => {
      await slot.batcher?.idle();
      await slot.model.dispose();
    })()
      .catch((err) => log(`disposing generation ${slot.generation} failed: ${(err as Error).message}`))
      .finally(() => {
        live.delete(slot);
        slot.markDisposed();
      });
  }

  function retire(slot: Slot): void {
    slot.retired = true;
    disposeIfUnused(slot);
  }

  let reloading: Promise<number> | null = null;
  async function reload(reason = 'requested'): Promise<number> {
    // Serialised: a second change during a reload is picked up by the reloader's next pass.
    while (reloading) await reloading.catch(() => undefined);
    if (closed) return current.generation;
    reloading = doReload(reason);
    try {
      return await reloading;
    } finally {
      reloading = null;
    }
  }

  /**
   * Emits `file-removed` for the model or reference CSV that vanished since the last pass; returns the
   * ones missing now. The loaded model holds everything it serves in memory, so it keeps serving.
   */
  function noteRemovedFiles(): Set<string> {
    const roles: [string, 'model' | 'reference'][] = [[servedPath, 'model']];
    if (servedOptions.referenceCsv) roles.push([servedOptions.referenceCsv, 'reference']);
    const missing = new Set<string>();
    for (const [file, role] of roles) {
      if (existsSync(file)) {
        reportedMissing.delete(file);
        continue;
      }
      missing.add(file);
      if (reportedMissing.has(file)) continue;
      reportedMissing.add(file);
      const kept = current.generation;
      const message =
        role === 'model'
          ? `model file ${basename(file)} was removed; still serving the last good model (generation ${kept}) until it reappears`
          : `reference file ${basename(file)} was removed; the form's sample rows use the last loaded ` +
            `copy, and drift checks against it need the file back`;
      log(message);
      bus.emit({ type: 'file-removed', file: role, path: file, message, keptGeneration: kept });
    }
    return missing;
  }

  async function doReload(reason: string): Promise<number> {
    const missing = noteRemovedFiles();
    if (missing.size > 0) {
      // Loading now would fail (no model) or change the signature (no reference naming the features).
      log(`${[...missing].join(', ')} missing (${reason}); still serving generation ${current.generation}`);
      return current.generation;
    }
    const fingerprint = await fingerprintOf(watchedFiles);
    if (fingerprint === current.fingerprint) return current.generation; // touched, not changed
    let model: LoadedModel;
    try {
      model = await loadModel(servedPath, servedOptions);
    } catch (err) {
      const error = (err as Error).message || String(err);
      log(`reload failed, still serving generation ${current.generation}: ${error}`);
      bus.emit({ type: 'model-reload-failed', error, keptGeneration: current.generation });
      return current.generation;
    }
    if (closed) {
      await model.dispose();
      return current.generation;
    }
    const previous = current;
    current = makeSlot(model, previous.generation + 1, fingerprint);
    log(`reloaded ${model.info.name} (${reason}): generation ${current.generation}, ${Math.round(model.loadMs)} ms`);
    bus.emit({ type: 'model-loaded', generation: current.generation, name: publishedName, loadMs: model.loadMs });
    // Both versions stay alive (leased) for the comparison; the old one is disposed after.
    previous.leases++;
    retire(previous);
    try {
      const result = await withLease(current, () => compareModels(previous.model, model));
      bus.emit({ type: 'differential-check', generation: current.generation, ...result });
    } catch (err) {
      bus.emit({ type: 'error', message: `differential check skipped: ${(err as Error).message}` });
    } finally {
      previous.leases--;
      disposeIfUnused(previous);
    }
    return current.generation;
  }

  let watcher: FileWatch | null = null;
  async function watchServedFiles(): Promise<void> {
    if (!options.watch) return;
    await watcher?.close();
    watcher = watchModelFiles(watchedFiles, {
      debounceMs: options.watchDebounceMs ?? 300,
      onChange: async (changed) => {
        await reload(`changed: ${changed.join(', ')}`);
      },
      onError: (err) => bus.emit({ type: 'error', message: `file watcher: ${err.message}` }),
    });
    await watcher.ready;
  }
  await watchServedFiles();

  async function switchTo(path: string, extra: { sessionConfig?: Record<string, string>; version?: string } = {}): Promise<number> {
    if (path === servedPath) return current.generation;
    const previous = { servedPath, servedOptions, watchedFiles, servedVersion, generation: current.generation };
    servedPath = path;
    servedVersion = extra.version ?? versionOfFile(path);
    servedOptions = { ...loadOptions, sessionConfig: { ...loadOptions.sessionConfig, ...extra.sessionConfig } };
    watchedFiles = sidecarCandidates(path, servedOptions);
    const generation = await reload(`switched to ${path}`);
    if (generation === previous.generation) {
      ({ servedPath, servedOptions, watchedFiles, servedVersion } = previous);
      const failed = bus
        .recent()
        .filter((e) => e.type === 'model-reload-failed')
        .at(-1);
      throw new Error(failed?.type === 'model-reload-failed' ? failed.error : `could not switch to ${path}`);
    }
    await watchServedFiles();
    return generation;
  }

  /** `dir/model.int8.onnx` → `int8`; the original file → its version; anything else → its file name. */
  function versionOfFile(path: string): string {
    if (resolve(path) === resolve(modelPath)) return originalVersion;
    const id = basename(path).slice(modelStem.length + 1, -'.onnx'.length);
    return basename(path).startsWith(`${modelStem}.`) && VARIANT_ID_PATTERN.test(id) ? id : basename(path);
  }
  const modelStem = basename(modelPath).replace(/\.onnx$/i, '');

  /** The original and every variant saved beside it (`<model>.<variant>.onnx`), plus the served file. */
  function versions(): ModelVersions {
    const available: ModelVersion[] = [{ version: originalVersion, path: resolve(modelPath) }];
    let names: string[] = [];
    try {
      names = readdirSync(dirname(resolve(modelPath)));
    } catch {
      /* the folder vanished: the served version is still listed below */
    }
    for (const name of names.sort()) {
      if (!name.startsWith(`${modelStem}.`) || !name.endsWith('.onnx')) continue;
      const id = name.slice(modelStem.length + 1, -'.onnx'.length);
      if (VARIANT_ID_PATTERN.test(id) && id !== originalVersion)
        available.push({ version: id, path: join(dirname(resolve(modelPath)), name) });
    }
    if (!available.some((v) => v.version === current.version)) available.push({ version: current.version, path: resolve(servedPath) });
    return { served: current.version, available };
  }

  const host: ModelHostImpl = {
    current: () => current.view,
    generation: () => current.generation,
    infer(inputs: PlainTensor[], outputNames?: string[]) {
      const slot = current;
      if (slot.batcher) return withLease(slot, () => slot.batcher!.infer(inputs, outputNames));
      // Unbatched runs still count in `inference_batch_size`, so the histogram covers every session.run.
      options.metrics?.batchRows.observe(inputs[0]?.dims[0] ?? 1);
      return withLease(slot, () => slot.model.run(inputs, outputNames));
    },
    batching: () => ({ ...batching, enabled: current.batcher !== null }),
    onEvent: (listener: (event: ServerEvent) => void) => bus.subscribe(listener),
    recentEvents: () => bus.recent(),
    reload,
    switchTo,
    versions,
    servedVersion: () => current.version,
    async close() {
      if (closed) return;
      closed = true;
      await watcher?.close();
      await reloading?.catch(() => undefined);
      retire(current);
      // Every version still finishing requests is disposed when its last lease returns.
      await Promise.all([...live].map((s) => s.disposed));
      bus.clear();
    },
  };

  return host;
}

/**
 * Why batching must stay off for this model, or null when it may be on. Dynamic int8 quantisation
 * computes activation scales over the whole input tensor, so a row's result would depend on the rows
 * it happens to be batched with.
 */
export function batchingOffReason(model: LoadedModel, batching: BatchingOptions): string | null {
  if (!batching.enabled) return 'disabled';
  if (!model.signature.batch.dynamic) return `the batch dimension is fixed (${model.signature.batch.size ?? '?'} rows per run)`;
  const dynamicQuant = Object.keys(model.info.opHistogram).find((op) => op.includes('DynamicQuantize'));
  if (dynamicQuant) return `it uses ${dynamicQuant} (per-batch quantisation scales would make a row's result depend on its batch-mates)`;
  return null;
}

/** Files whose change means "reload": the model, its sidecar signature(s) and the reference CSV. */
function sidecarCandidates(modelPath: string, loadOptions: LoadOptions): string[] {
  const files = [modelPath, loadOptions.signaturePath ?? sidecarPath(modelPath)];
  if (loadOptions.referenceCsv) files.push(loadOptions.referenceCsv);
  return [...new Set(files)];
}

/**
 * Content hash of the watched files, so a touch or an identical re-save does not bump the generation.
 * Streamed, so hashing a large model does not stall requests being served meanwhile.
 */
async function fingerprintOf(files: string[]): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(file).update('\0');
    try {
      for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    } catch {
      hash.update('(missing)');
    }
  }
  return hash.digest('hex');
}
