/**
 * The sidecar signature file, `<model>.signature.json` beside `<model>.onnx` (or the same JSON in the
 * model's `metadata_props` under `model_lab.signature`). Every field is optional: what it gives wins over
 * what Model Lab infers, what it leaves out is inferred. Documented in the README ("Signature").
 *
 * @example
 * {
 *   "task": "classification",
 *   "classNames": ["on_time", "delayed"],
 *   "target": "delayed",
 *   "features": [{ "name": "distance", "description": "miles", "min": 50, "max": 3000 }],
 *   "inputs": { "image": { "kind": "image", "image": { "layout": "NCHW", "height": 224, "width": 224,
 *               "channels": 3, "scale": 0.00392156862745098, "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225] } } },
 *   "outputs": { "variable": { "role": "value", "names": ["progression"] } }
 * }
 */
import { z } from 'zod';

const featureSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['number', 'integer', 'category', 'boolean', 'image']).optional(),
    /** Input tensor this feature feeds; defaults to the only packed input, or the input of the same name. */
    input: z.string().optional(),
    categories: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    example: z.union([z.number(), z.string(), z.boolean()]).optional(),
    description: z.string().optional(),
  })
  .strict();

const imageSchema = z
  .object({
    layout: z.enum(['NCHW', 'NHWC']).optional(),
    height: z.number().int().positive().optional(),
    width: z.number().int().positive().optional(),
    channels: z.union([z.literal(1), z.literal(3)]).optional(),
    scale: z.number().optional(),
    mean: z.array(z.number()).optional(),
    std: z.array(z.number()).optional(),
  })
  .strict();

export const sidecarSchema = z
  .object({
    $schema: z.string().optional(),
    task: z.enum(['classification', 'regression', 'raw']).optional(),
    classNames: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
    target: z.string().optional(),
    /** Features in order; for one packed `[N, F]` input, exactly F names. */
    features: z.array(z.preprocess((v) => (typeof v === 'string' ? { name: v } : v), featureSchema)).optional(),
    inputs: z
      .record(
        z.string(),
        z
          .object({
            kind: z.enum(['packed', 'column', 'image', 'raw']).optional(),
            features: z.array(z.string()).optional(),
            image: imageSchema.optional(),
          })
          .strict(),
      )
      .optional(),
    outputs: z
      .record(
        z.string(),
        z
          .object({
            role: z.enum(['probabilities', 'label', 'scores', 'value', 'raw']).optional(),
            classNames: z.array(z.union([z.string(), z.number()]).transform(String)).optional(),
            names: z.array(z.string()).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type Sidecar = z.infer<typeof sidecarSchema>;
export type SidecarFeature = z.infer<typeof featureSchema>;

/** Parses sidecar JSON text; errors name the path of the bad field, e.g. `features.2.min: expected number`. */
export function parseSidecar(text: string, where: string): Sidecar {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where}: not valid JSON (${(err as Error).message})`);
  }
  const result = sidecarSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue.path.join('.') || '(top level)';
    throw new Error(`${where}: ${path}: ${issue.message}`);
  }
  return result.data;
}
