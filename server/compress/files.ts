/**
 * Variants on disk: loading one in onnxruntime (the proof that a rewrite works), and saving one beside
 * its model without ever writing over the original.
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { loadModel, sidecarPath, type LoadedModel, type LoadOptions } from '../model/index';
import { CompressError } from './graph';
import type { CompressResult } from './types';

export interface LoadedVariant {
  model: LoadedModel;
  /** Session config it was loaded with (int8-weights: `session.disable_quant_qdq`). */
  sessionConfig: Record<string, string>;
}

/** `dir/model.onnx` + `int8` → `dir/model.int8.onnx` (computed here, never taken from a client). */
export function variantPathBeside(modelPath: string, variantId: string): string {
  if (!/^[a-z0-9-]+$/.test(variantId)) throw new CompressError(`invalid variant id '${variantId}'`);
  const full = resolve(modelPath);
  return join(dirname(full), `${basename(full).replace(/\.onnx$/i, '')}.${variantId}.onnx`);
}

/** The sidecar the original uses, so the variant gets the same feature names, classes and image spec. */
function originalSidecar(modelPath: string, options: LoadOptions): string | undefined {
  const candidate = options.signaturePath ?? sidecarPath(resolve(modelPath));
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * Loads a variant in onnxruntime with the original's signature and reference. A variant onnxruntime
 * refuses becomes a CompressError naming the variant; nothing is left on disk either way.
 */
export async function loadVariant(modelPath: string, result: CompressResult, options: LoadOptions = {}): Promise<LoadedVariant> {
  const dir = await mkdtemp(join(tmpdir(), 'model-lab-variant-'));
  const file = join(dir, basename(variantPathBeside(modelPath, result.spec.id)));
  const sessionConfig = { ...options.sessionConfig, ...result.sessionConfig };
  try {
    await writeFile(file, result.bytes);
    const model = await loadModel(file, { ...options, signaturePath: originalSidecar(modelPath, options), sessionConfig });
    return { model, sessionConfig };
  } catch (err) {
    const reason = (err as Error).message.replace(/^cannot load \S+: /, '');
    throw new CompressError(`the ${result.spec.id} variant does not run in onnxruntime (${reason}); the original model is untouched`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes a variant to `outPath` (atomically: temp file + rename) and copies the original's sidecar
 * signature beside it. Refuses to write over the original, and over an existing file unless `overwrite`.
 */
export async function writeVariantFile(
  modelPath: string,
  result: CompressResult,
  outPath: string,
  options: { overwrite?: boolean; loadOptions?: LoadOptions } = {},
): Promise<{ path: string; sidecar?: string }> {
  const target = resolve(outPath);
  if (target === resolve(modelPath))
    throw new CompressError(
      `refusing to write the ${result.spec.id} variant over the original model ${modelPath}; choose another output file`,
    );
  if (existsSync(target) && !options.overwrite) throw new CompressError(`${outPath} already exists; remove it or allow overwriting`);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temp, result.bytes);
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw new CompressError(`cannot write ${outPath}: ${(err as Error).message}`);
  }
  const sidecar = originalSidecar(modelPath, options.loadOptions ?? {});
  if (!sidecar || !/\.onnx$/i.test(target)) return { path: target };
  const targetSidecar = sidecarPath(target);
  if (resolve(sidecar) !== targetSidecar) await copyFile(sidecar, targetSidecar);
  return { path: target, sidecar: targetSidecar };
}
