/**
 * `model/`: the ONNX file and its signature as a sidecar, named `<name>.onnx` + `<name>.signature.json`
 * so that the bundled server (and `model-lab serve`) publishes the model under the same name as the dev
 * server and reproduces the same signature without the reference CSV.
 */
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sidecar } from '../model';
import type { Signature } from '../protocol/signature';

/**
 * The inferred signature written back in the sidecar schema: every feature, binding and output role,
 * so nothing depends on the reference CSV or on inference heuristics on the receiving side.
 */
export function signatureToSidecar(signature: Signature): Sidecar {
  const sidecar: Sidecar = {
    task: signature.task,
    features: signature.features.map((f) => ({
      name: f.name,
      kind: f.kind,
      input: f.input,
      ...(f.categories ? { categories: f.categories } : {}),
      ...(f.min !== undefined ? { min: f.min } : {}),
      ...(f.max !== undefined ? { max: f.max } : {}),
      ...(f.example !== undefined ? { example: f.example } : {}),
      ...(f.description ? { description: f.description } : {}),
    })),
    inputs: Object.fromEntries(
      signature.inputs.map((b) => [
        b.tensor,
        {
          kind: b.kind,
          features: b.features,
          ...(b.image ? { image: b.image } : {}),
        },
      ]),
    ),
    outputs: Object.fromEntries(
      signature.outputs.map((o) => [
        o.tensor,
        {
          role: o.role,
          ...(o.classNames ? { classNames: o.classNames } : {}),
          ...(o.names ? { names: o.names } : {}),
        },
      ]),
    ),
  };
  if (signature.classNames) sidecar.classNames = signature.classNames;
  if (signature.target) sidecar.target = signature.target;
  return sidecar;
}

export interface ModelFiles {
  /** Bundle-relative path of the ONNX file, e.g. `model/iris.onnx`. */
  modelFile: string;
  signatureFile: string;
}

/** Copies the model (or writes the variant's bytes) and its sidecar into `model/`. */
export async function writeModelFiles(
  bundleDir: string,
  name: string,
  source: string | Uint8Array,
  signature: Signature,
): Promise<ModelFiles> {
  await mkdir(join(bundleDir, 'model'), { recursive: true });
  const modelFile = `model/${name}.onnx`;
  const signatureFile = `model/${name}.signature.json`;
  if (typeof source === 'string') await copyFile(source, join(bundleDir, modelFile));
  else await writeFile(join(bundleDir, modelFile), source);
  await writeFile(join(bundleDir, signatureFile), `${JSON.stringify(signatureToSidecar(signature), null, 2)}\n`);
  return { modelFile, signatureFile };
}
