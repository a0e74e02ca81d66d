/**
 * server/export — deployment bundles: the model + signature, the bundled prediction server with its
 * Dockerfile, Kubernetes/KServe manifests, a Triton model repository and a TF.js model, each checked
 * before handoff (results in MANIFEST.json). The TF.js converter itself lives in `./tfjs`.
 *
 * @example
 * const { manifest, checks, ok } = await exportBundle('samples/iris/iris.onnx', {
 *   outDir: 'iris-bundle', targets: ['docker', 'k8s', 'kserve', 'triton'],
 *   onProgress: (p) => console.error(`${p.done}/${p.total} ${p.message}`),
 * });
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { decodeModel, inspectModel, loadModel } from '../model';
import { VERSION } from '../protocol/version';
import { writeModelFiles } from './model-files';
import { listFiles, sha256File } from './manifest';
import { renderReadme } from './readme';
import { makeSampleRequests } from './sample-requests';
import { onnxruntimeVersion } from './server-bundle';
import { CancelledError } from '../protocol/errors';
import { explainPrecheck, refuseExplainWithoutReference } from './explain-target';
import { ExportError, openStaging } from './staging';
import { TARGET_WRITERS, type BundleContext } from './targets';
import { loadTfjsConverter } from './tfjs-target';
import { describeUnsupported } from './tfjs';
import {
  DEFAULT_EXPORT_TARGETS,
  EXPORT_TARGETS,
  type ExportCheck,
  type ExportManifest,
  type ExportOptions,
  type ExportResult,
  type ExportTarget,
  type PrecheckResult,
  type TargetFailure,
  type TargetPrecheck,
} from './types';

export * from './types';
export { ExportError } from './staging';
export { zipBundle, ZIP_LIMITS, type BundleZip } from './bundle-zip';
export { checkDockerfile, parseDockerfile } from './docker/dockerfile-rules';
export { validateInferenceServiceYaml, validateK8sYaml } from './k8s/validate';

/**
 * Checks and orders requested targets; `onnx` is always included (every other target refers to model/).
 * None named: every deployment target (`explain` only when asked for).
 */
export function normalizeTargets(targets: readonly string[] | undefined): ExportTarget[] {
  const wanted = targets?.length ? targets : DEFAULT_EXPORT_TARGETS;
  for (const t of wanted) {
    if (!(EXPORT_TARGETS as readonly string[]).includes(t))
      throw new ExportError(`unknown target '${t}'; choose from ${EXPORT_TARGETS.join(', ')}`);
  }
  return EXPORT_TARGETS.filter((t) => t === 'onnx' || wanted.includes(t));
}

interface Variant {
  id: string;
  bytes: Uint8Array;
  /** Session config the variant needs (int8-weights); the bundled server reads it from the model's metadata. */
  sessionConfig: Record<string, string>;
}

/** Checks a variant name early (before any work); the compress engine names the valid ones. */
async function checkVariantName(variant: string | undefined): Promise<void> {
  if (variant === undefined) return;
  const { parseVariant } = await import('../compress');
  try {
    parseVariant(variant);
  } catch (err) {
    throw new ExportError(`variant: ${(err as Error).message}`);
  }
}

/** The compressed model bytes from the compress engine (issue 5), never written over the source. */
async function makeVariant(sourcePath: string, variant: string | undefined): Promise<Variant | null> {
  if (variant === undefined) return null;
  const { compressBytes, parseVariant } = await import('../compress');
  try {
    const result = compressBytes(await readFile(sourcePath), parseVariant(variant));
    return { id: result.spec.id, bytes: result.bytes, sessionConfig: result.sessionConfig };
  } catch (err) {
    throw new ExportError(`cannot make the ${variant} variant: ${(err as Error).message}`);
  }
}

/** What can be exported, before anything is written: the TF.js pre-check lists every unsupported node. */
export async function precheckExport(
  modelPath: string,
  options: { targets?: readonly string[]; variant?: string; referenceCsv?: string } = {},
): Promise<PrecheckResult> {
  const targets = normalizeTargets(options.targets);
  await checkVariantName(options.variant);
  const parts = await inspectModel(modelPath);
  const variant = await makeVariant(modelPath, options.variant);
  const decoded = decodeModel(variant?.bytes ?? (await readFile(modelPath)));
  const out: TargetPrecheck[] = targets.map((target) => {
    if (target === 'explain') return { target, ...explainPrecheck(options.referenceCsv) };
    if (target !== 'tfjs') return { target, ok: true, problems: [] };
    const { api, reason } = loadTfjsConverter();
    if (!api) return { target, ok: false, problems: [reason] };
    const unsupported = api.precheck(decoded);
    return {
      target,
      ok: unsupported.length === 0,
      unsupportedNodes: unsupported,
      problems: unsupported.length ? [`the TF.js converter does not support ${describeUnsupported(unsupported)}`] : [],
    };
  });
  return { model: parts.info.name, targets: out };
}

/** Writes a verified deployment bundle into `options.outDir` (atomically). Throws ExportError / ModelLoadError for bad requests. */
export async function exportBundle(modelPath: string, options: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const targets = normalizeTargets(options.targets);
  await checkVariantName(options.variant);
  if (targets.includes('explain')) refuseExplainWithoutReference(options.referenceCsv);
  const sourcePath = resolve(modelPath);
  const total = 3 + targets.length * 2;
  let done = 0;
  const progress = (stage: string, message: string): void => {
    if (options.signal?.aborted) throw new CancelledError('export cancelled; nothing was written');
    options.onProgress?.({ stage, done, total, message });
  };

  progress('prepare', 'checking the output folder and loading the model');
  const staging = await openStaging(options.outDir, options.force ?? false);
  let dev: Awaited<ReturnType<typeof loadModel>> | undefined;
  try {
    const original = await inspectModel(sourcePath, { referenceCsv: options.referenceCsv });
    const variant = await makeVariant(sourcePath, options.variant);
    const { signature } = original;
    done++;
    progress('model', `writing model/${original.info.name}.onnx${variant ? ` (${variant.id} variant)` : ''} and its signature`);
    const files = await writeModelFiles(staging.dir, original.info.name, variant?.bytes ?? sourcePath, signature);
    // The model every check compares with: the source, or the variant as written (with its session config).
    const devPath = variant ? join(staging.dir, files.modelFile) : sourcePath;
    const parts = variant ? await inspectModel(devPath, { referenceCsv: options.referenceCsv }) : original;
    const info = { ...parts.info, name: original.info.name };
    dev = await loadModel(devPath, { referenceCsv: options.referenceCsv, sessionConfig: variant?.sessionConfig });
    const decoded = decodeModel(variant?.bytes ?? (await readFile(sourcePath)));
    const samples = makeSampleRequests(signature, dev.reference);
    const ctx: BundleContext = {
      dir: staging.dir,
      sourcePath,
      info,
      signature,
      decoded,
      servableBytes: parts.servableBytes,
      ...files,
      samples,
      dev,
      verifyInstall: options.verifyInstall ?? 'node-path',
      signal: options.signal,
    };
    done++;

    const written: ExportTarget[] = [];
    const failed: TargetFailure[] = [];
    for (const target of targets) {
      progress(target, `writing ${target}`);
      try {
        await TARGET_WRITERS[target].write(ctx);
        written.push(target);
      } catch (err) {
        if (options.signal?.aborted) throw new CancelledError('export cancelled; nothing was written');
        failed.push({ target, reason: (err as Error).message.split('\n')[0] });
      }
      done++;
    }
    const checks: ExportCheck[] = [];
    for (const target of written) {
      progress(`verify:${target}`, `verifying ${target}`);
      checks.push(...(await TARGET_WRITERS[target].verify(ctx)));
      done++;
    }
    for (const f of failed) {
      checks.push({ target: f.target, name: 'export', status: 'fail', detail: f.reason, ms: 0 });
      done++;
    }

    progress('manifest', 'writing README.md and MANIFEST.json');
    await writeFile(
      join(staging.dir, 'README.md'),
      renderReadme({
        info,
        signature,
        modelFile: files.modelFile,
        signatureFile: files.signatureFile,
        variant: variant?.id ?? null,
        samples,
        written,
        failed,
        checks,
        toolVersion: VERSION,
        onnxruntimeVersion: onnxruntimeVersion(),
        nodeVersion: process.versions.node,
        explanation: ctx.explanation,
      }),
    );
    const manifest: ExportManifest = {
      schemaVersion: 1,
      tool: { name: 'model-lab', version: VERSION },
      createdAt: new Date().toISOString(),
      model: {
        name: info.name,
        file: files.modelFile,
        sourcePath,
        sourceSha256: await sha256File(sourcePath),
        variant: variant?.id ?? null,
        signatureSource: signature.source,
        inputs: info.inputs,
        outputs: info.outputs,
      },
      targets: { requested: targets, written, failed },
      files: await listFiles(staging.dir, ['MANIFEST.json']),
      checks,
      verification: {
        serverDependencies:
          ctx.verifyInstall === 'npm-ci'
            ? "npm ci --omit=dev in a scratch copy of server/ (what the Dockerfile runs; from npm's cache, " +
              'the registry only for what the cache lacks)'
            : `NODE_PATH pointed at the exporting machine's node_modules (onnxruntime-node ` +
              `${onnxruntimeVersion()}, the version server/package-lock.json pins)`,
        docker: 'no Docker engine was used: the Dockerfile was checked by a parser against the rules; the server was run with node',
      },
      timings: { totalMs: Math.round(performance.now() - started) },
    };
    await writeFile(join(staging.dir, 'MANIFEST.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    if (options.signal?.aborted) throw new CancelledError('export cancelled; nothing was written');
    await staging.commit();
    done = total;
    options.onProgress?.({ stage: 'done', done, total, message: `bundle written to ${staging.outDir}` });
    const ok = failed.length === 0 && checks.every((c) => c.status !== 'fail');
    return { outDir: staging.outDir, manifest, checks, ok };
  } finally {
    await dev?.dispose();
    await staging.discard();
  }
}
