/**
 * The signature: how the named features a person types map onto a model's tensors.
 *
 * Shared by the server (which infers it from an ONNX file) and the UI (which renders a form from it and
 * encodes the form into an Open Inference Protocol request). Pure data, no onnxruntime, no DOM.
 */

/** Element types onnxruntime can feed or return, in onnxruntime-node's own spelling. */
export type TensorDtype =
  'float32' | 'float64' | 'float16' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'bool' | 'string';

/** A dimension: a fixed size, a symbolic name (`"batch"`, `"N"`), or `null` when the file says nothing. */
export type Dim = number | string | null;

/** One graph input or output as the ONNX file declares it. */
export interface TensorInfo {
  name: string;
  dtype: TensorDtype;
  dims: Dim[];
}

/** How a user-facing feature is typed in the form and validated on the server. */
export type FeatureKind = 'number' | 'integer' | 'category' | 'boolean' | 'image';

/** One named thing a user provides: a column of a CSV, a field of the form, a key of a v1 instance. */
export interface Feature {
  name: string;
  kind: FeatureKind;
  /** The input tensor this feature feeds. */
  input: string;
  /** Position along the feature axis when several features are packed into one `[N, F]` tensor. */
  column?: number;
  /** Allowed values of a category feature (from the sidecar, metadata or the reference CSV). */
  categories?: string[];
  /** Reference range, when known (reference CSV or sidecar); used for hints, never to reject. */
  min?: number;
  max?: number;
  /** A typical value to pre-fill the form with. */
  example?: number | string | boolean;
  description?: string;
}

/** Preprocessing of an image input: the UI turns a picture into exactly this tensor. */
export interface ImageSpec {
  layout: 'NCHW' | 'NHWC';
  height: number;
  width: number;
  channels: 1 | 3;
  /** Pixel values 0..255 are multiplied by `scale`, then `(x - mean[c]) / std[c]` per channel. */
  scale: number;
  mean: number[];
  std: number[];
}

/**
 * How features become one input tensor:
 * - `packed`: one `[N, F]` tensor, features in order of `features` (sklearn/PyTorch tabular);
 * - `column`: one `[N, 1]` (or `[N]`) tensor for exactly one feature (skl2onnx per-column inputs);
 * - `image`: one image tensor described by `image`;
 * - `raw`: anything else; the caller sends the tensor itself (OIP/v1 `inputs`).
 */
export interface InputBinding {
  tensor: string;
  dtype: TensorDtype;
  dims: Dim[];
  kind: 'packed' | 'column' | 'image' | 'raw';
  features: string[];
  image?: ImageSpec;
  /** Values the model accepts, when the graph fixes them (token ids: the rows of the embedding table it indexes). */
  valueRange?: { min: number; max: number; why: string };
}

/** What an output means, so predictions read as classes and values rather than bare tensors. */
export type OutputRole = 'probabilities' | 'label' | 'scores' | 'value' | 'raw';

export interface OutputBinding {
  tensor: string;
  dtype: TensorDtype;
  dims: Dim[];
  role: OutputRole;
  /** Class names along the last axis (probabilities/scores) or the label vocabulary. */
  classNames?: string[];
  /** Names of the values of a multi-target regression output. */
  names?: string[];
}

export type SignatureSource = 'sidecar' | 'metadata' | 'csv' | 'generated';

export interface Signature {
  /** Where the feature names came from (first that applied): sidecar file, model metadata, reference CSV, generated. */
  source: SignatureSource;
  task: 'classification' | 'regression' | 'raw';
  features: Feature[];
  inputs: InputBinding[];
  outputs: OutputBinding[];
  classNames?: string[];
  /** `dynamic`: any batch size; otherwise every request must carry exactly `size` rows (batching is off). */
  batch: { dynamic: boolean; size?: number };
  /** Column of the reference CSV holding the true label/target, when there is one. */
  target?: string;
  /** Human-readable notes on inference decisions, e.g. "ZipMap output replaced by its probability tensor". */
  notes: string[];
  /** Where each part came from, in words (`source` names only the first that applied to feature names). */
  origins?: SignatureOrigins;
}

/** Where each part of a signature came from, one phrase each, e.g. `features: "the graph's input names"`. */
export interface SignatureOrigins {
  features: string;
  task: string;
  /** Absent when the model has no class names. */
  classes?: string;
  /** Absent when there is no target column. */
  target?: string;
}

/** A value as typed by a user or read from a CSV/JSON row. */
export type FeatureValue = number | string | boolean | null;

/** A row keyed by feature name. Image features carry nested numbers or an `ImageData`-like pixel object. */
export type FeatureRecord = Record<string, unknown>;
