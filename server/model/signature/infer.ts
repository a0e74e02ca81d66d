/**
 * Signature inference: from what the ONNX file declares, plus (in this order of precedence) a sidecar
 * file, the model's metadata_props and a reference CSV, decide which named features a user types, how
 * they become tensors, and what each output means.
 */
import type { ModelInfo } from '../../protocol/api';
import type {
  Dim,
  Feature,
  FeatureKind,
  ImageSpec,
  InputBinding,
  OutputBinding,
  Signature,
  SignatureOrigins,
  SignatureSource,
  TensorDtype,
  TensorInfo,
} from '../../protocol/signature';
import { attributeValue, type OnnxModel, type OnnxNode } from '../onnx/proto';
import type { ColumnFacts, ReferenceLook } from '../reference';
import { indexRanges } from './index-ranges';
import type { Sidecar } from './sidecar';
import { parseSidecar } from './sidecar';

export interface SignatureSources {
  info: ModelInfo;
  model: OnnxModel;
  /** Sidecar from `<model>.signature.json`, already parsed. */
  sidecar?: Sidecar;
  reference?: ReferenceLook;
  /** Class names learnt while making the model servable (ZipMap labels), by output name. */
  outputClassNames?: Record<string, string[]>;
}

const CLASSIFIER_OPS = new Set(['LinearClassifier', 'TreeEnsembleClassifier', 'SVMClassifier', 'ArgMax']);

/** Reads a list from metadata: a JSON array or a comma-separated string. */
function metadataList(metadata: Record<string, string>, ...keys: string[]): string[] | undefined {
  for (const key of keys) {
    const raw = metadata[key];
    if (raw === undefined || raw.trim() === '') continue;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      /* not JSON: fall through to comma-separated */
    }
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return undefined;
}

function kindOf(dtype: TensorDtype): FeatureKind {
  if (dtype === 'string') return 'category';
  if (dtype === 'bool') return 'boolean';
  if (dtype.startsWith('float')) return 'number';
  return 'integer';
}

const fixed = (d: Dim | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);

function imageSpec(input: TensorInfo, given: Partial<ImageSpec> | undefined): ImageSpec | undefined {
  const d = input.dims;
  let layout = given?.layout;
  if (!layout && d.length === 4) {
    if (fixed(d[1]) === 1 || fixed(d[1]) === 3) layout = 'NCHW';
    else if (fixed(d[3]) === 1 || fixed(d[3]) === 3) layout = 'NHWC';
  }
  if (!layout || d.length !== 4 || !input.dtype.startsWith('float')) return given?.layout ? undefined : undefined;
  const [h, w, c] = layout === 'NCHW' ? [d[2], d[3], d[1]] : [d[1], d[2], d[3]];
  const channels = (given?.channels ?? fixed(c) ?? 3) as 1 | 3;
  return {
    layout,
    height: given?.height ?? fixed(h) ?? 224,
    width: given?.width ?? fixed(w) ?? 224,
    channels,
    scale: given?.scale ?? 1 / 255,
    mean: given?.mean ?? new Array<number>(channels).fill(0),
    std: given?.std ?? new Array<number>(channels).fill(1),
  };
}

/** Feature names for a packed input of width `width`, with where they came from. */
function packedNames(
  width: number,
  src: SignatureSources,
  sidecar: Sidecar | undefined,
  packedCount: number,
  tensor: string,
): { names: string[]; source: SignatureSource; target?: string; note: string } {
  const given = sidecar?.inputs?.[tensor]?.features ?? (packedCount === 1 ? sidecar?.features?.map((f) => f.name) : undefined);
  if (given) {
    if (given.length !== width)
      throw new Error(`the signature lists ${given.length} features for input '${tensor}', but the tensor has ${width}`);
    return { names: given, source: 'sidecar', note: `feature names of '${tensor}' from the signature file` };
  }
  const meta = packedCount === 1 ? metadataList(src.info.metadata, 'feature_names', 'features', 'columns') : undefined;
  if (meta && meta.length === width)
    return { names: meta, source: 'metadata', note: `feature names of '${tensor}' from the model's metadata_props` };
  const columns = src.reference?.sample.columns;
  if (columns && packedCount === 1) {
    if (columns.length === width)
      return { names: columns, source: 'csv', note: `feature names of '${tensor}' from the reference CSV header` };
    if (columns.length === width + 1) {
      const target = sidecar?.target ?? src.info.metadata['target'];
      const drop = target && columns.includes(target) ? target : columns[columns.length - 1];
      return {
        names: columns.filter((c) => c !== drop),
        source: 'csv',
        target: drop,
        note: `feature names of '${tensor}' from the reference CSV header; its column '${drop}' is taken as the target`,
      };
    }
  }
  const names = Array.from({ length: width }, (_, i) => (packedCount === 1 ? `feature_${i}` : `${tensor}_${i}`));
  return {
    names,
    source: 'generated',
    note:
      `no names for the ${width} features of '${tensor}': generated ${names[0]}…` +
      `${names[width - 1]} (add a reference CSV or a signature file to name them)`,
  };
}

/** Categories an skl2onnx-style graph encodes for an input (OneHotEncoder / LabelEncoder reading it). */
function graphCategories(model: OnnxModel, tensor: string): string[] | undefined {
  for (const node of model.graph?.node ?? []) {
    if (!node.input.includes(tensor)) continue;
    if (node.opType === 'OneHotEncoder') {
      const cats = attributeValue(node, 'cats_strings') ?? attributeValue(node, 'cats_int64s');
      if (Array.isArray(cats)) return cats.map(String);
    }
    if (node.opType === 'LabelEncoder') {
      const keys = attributeValue(node, 'keys_strings') ?? attributeValue(node, 'keys_int64s');
      if (Array.isArray(keys)) return keys.map(String);
    }
  }
  return undefined;
}

function describeFeature(
  feature: Feature,
  facts: ColumnFacts | undefined,
  sample: Record<string, string> | undefined,
  given: Partial<Feature> | undefined,
): Feature {
  const f: Feature = { ...feature };
  if (facts?.numeric && f.kind !== 'category') {
    f.min = facts.min;
    f.max = facts.max;
  }
  if (f.kind === 'category' && !f.categories && facts?.distinct) f.categories = facts.distinct;
  const raw = sample?.[f.name];
  if (raw !== undefined && raw !== '') {
    f.example = f.kind === 'number' || f.kind === 'integer' ? Number(raw) : f.kind === 'boolean' ? /^(1|true)$/i.test(raw) : raw;
    if (typeof f.example === 'number' && !Number.isFinite(f.example)) delete f.example;
  }
  if (given) {
    for (const key of ['categories', 'min', 'max', 'example', 'description'] as const) {
      if (given[key] !== undefined) (f as unknown as Record<string, unknown>)[key] = given[key];
    }
  }
  if (f.example === undefined) {
    if (f.kind === 'category') f.example = f.categories?.[0] ?? '';
    else if (f.kind === 'boolean') f.example = false;
    else if (f.kind !== 'image')
      f.example =
        f.min !== undefined && f.max !== undefined ? (f.kind === 'integer' ? Math.round((f.min + f.max) / 2) : (f.min + f.max) / 2) : 0;
  }
  return f;
}

function producerOf(model: OnnxModel, name: string): OnnxNode | undefined {
  const nodes = model.graph?.node ?? [];
  let node = nodes.find((n) => n.output.includes(name));
  // Look through renaming nodes to the op that computed the value.
  for (let i = 0; node && ['Identity', 'Cast', 'Reshape', 'Squeeze', 'Flatten'].includes(node.opType) && i < 4; i++) {
    const source = node.input[0];
    node = source ? nodes.find((n) => n.output.includes(source)) : undefined;
  }
  return node;
}

function classifierLabels(model: OnnxModel): string[] | undefined {
  for (const node of model.graph?.node ?? []) {
    if (!CLASSIFIER_OPS.has(node.opType)) continue;
    const labels =
      attributeValue(node, 'classlabels_strings') ?? attributeValue(node, 'classlabels_ints') ?? attributeValue(node, 'classlabels_int64s');
    if (Array.isArray(labels)) return labels.map(String);
  }
  return undefined;
}

function outputBinding(
  out: TensorInfo,
  src: SignatureSources,
  sidecar: Sidecar | undefined,
  classNames: string[] | undefined,
): OutputBinding {
  const given = sidecar?.outputs?.[out.name];
  const binding: OutputBinding = { tensor: out.name, dtype: out.dtype, dims: out.dims, role: 'raw' };
  const last = out.dims.length >= 2 ? fixed(out.dims[out.dims.length - 1]) : undefined;
  const perRowScalar = out.dims.length === 1 || (out.dims.length === 2 && last === 1);
  const producer = producerOf(src.model, out.name);
  const zipmapNames = src.outputClassNames?.[out.name];
  if (zipmapNames) {
    binding.role = 'probabilities';
    binding.classNames = classNames && classNames.length === zipmapNames.length ? classNames : zipmapNames;
  } else if (
    (out.dtype === 'string' || out.dtype.startsWith('int')) &&
    perRowScalar &&
    (/label|class|pred/i.test(out.name) || (producer && CLASSIFIER_OPS.has(producer.opType)))
  ) {
    binding.role = 'label';
    if (classNames) binding.classNames = classNames;
  } else if (out.dtype.startsWith('float') && out.dims.length === 2 && (last === undefined || last >= 2)) {
    const softmax = producer && ['Softmax', 'Sigmoid', 'LogSoftmax', 'Normalizer'].includes(producer.opType);
    if (/prob|softmax/i.test(out.name) || softmax || (producer && CLASSIFIER_OPS.has(producer.opType))) binding.role = 'probabilities';
    else if (/logit|score/i.test(out.name) || (classNames && classNames.length === last)) binding.role = 'scores';
    else binding.role = 'value';
    if (binding.role !== 'value' && classNames && (last === undefined || classNames.length === last)) binding.classNames = classNames;
  } else if (out.dtype.startsWith('float') && perRowScalar) {
    binding.role = 'value';
  }
  if (given?.role) binding.role = given.role;
  if (given?.classNames) binding.classNames = given.classNames;
  if (given?.names) binding.names = given.names;
  return binding;
}

/** Builds the signature. Throws a plain Error with an actionable message when a sidecar contradicts the model. */
export function inferSignature(src: SignatureSources): Signature {
  const { info } = src;
  const notes: string[] = [...info.rewrites];
  let sidecar = src.sidecar;
  let sidecarSource: SignatureSource = 'sidecar';
  if (!sidecar && info.metadata['model_lab.signature']) {
    sidecar = parseSidecar(info.metadata['model_lab.signature'], "metadata_props 'model_lab.signature'");
    sidecarSource = 'metadata';
  }
  const sidecarFeatures = new Map((sidecar?.features ?? []).map((f) => [f.name, f]));

  // Batch: a fixed first dimension on any input fixes the batch for the whole model.
  const firstDims = info.inputs.map((i) => i.dims[0]);
  const fixedBatch = firstDims.map(fixed).find((d) => d !== undefined);
  const batch = info.inputs.some((i) => i.dims.length === 0)
    ? { dynamic: false, size: 1 }
    : fixedBatch !== undefined
      ? { dynamic: false, size: fixedBatch }
      : { dynamic: true };
  if (!batch.dynamic)
    notes.push(`fixed batch size ${batch.size}: requests must carry exactly ${batch.size} row(s); dynamic batching is off`);

  const kinds = info.inputs.map((input): InputBinding['kind'] => {
    const givenKind = sidecar?.inputs?.[input.name]?.kind;
    if (givenKind) return givenKind;
    if (imageSpec(input, sidecar?.inputs?.[input.name]?.image)) return 'image';
    if (input.dims.length === 1) return 'column';
    if (input.dims.length === 2) {
      const width = fixed(input.dims[1]);
      if (width === 1) return 'column';
      if (width !== undefined) return 'packed';
      if (sidecar?.inputs?.[input.name]?.features) return 'packed';
    }
    return 'raw';
  });
  const packedCount = kinds.filter((k) => k === 'packed').length;

  // The first source that applied: a sidecar (file or embedded), else whatever named the packed features,
  // else the model itself (per-column inputs are named by the graph).
  let source: SignatureSource = sidecar ? sidecarSource : 'metadata';
  let target: string | undefined = sidecar?.target ?? info.metadata['target'];
  const sidecarWords = sidecarSource === 'sidecar' ? 'the signature file' : "the model's metadata_props 'model_lab.signature'";
  let targetOrigin = sidecar?.target ? sidecarWords : info.metadata['target'] ? "the model's metadata_props 'target'" : undefined;
  const featureOrigins: string[] = [];
  const features: Feature[] = [];
  const ranges = indexRanges(src.model);
  const inputs: InputBinding[] = info.inputs.map((input, idx) => {
    const kind = kinds[idx];
    const binding: InputBinding = { tensor: input.name, dtype: input.dtype, dims: input.dims, kind, features: [] };
    const range = kindOf(input.dtype) === 'integer' ? ranges.get(input.name) : undefined;
    if (range) {
      binding.valueRange = range;
      notes.push(`input '${input.name}' holds ${range.why}: values ${range.min} … ${range.max}`);
    }
    if (kind === 'image') {
      const spec = imageSpec(input, sidecar?.inputs?.[input.name]?.image);
      if (!spec)
        throw new Error(
          `input '${input.name}' is declared an image but its shape ${JSON.stringify(input.dims)} is not 4-D float NCHW/NHWC`,
        );
      binding.image = spec;
      binding.features = [input.name];
      featureOrigins.push(`'${input.name}' an image (${sidecar?.inputs?.[input.name]?.image ? sidecarWords : 'its shape'})`);
      features.push({
        name: input.name,
        kind: 'image',
        input: input.name,
        description: `${spec.width}×${spec.height} ${spec.channels === 1 ? 'grayscale' : 'RGB'} image (${spec.layout})`,
      });
    } else if (kind === 'column') {
      binding.features = [input.name];
      featureOrigins.push(`'${input.name}' named by the graph input`);
      features.push({
        name: input.name,
        kind: kindOf(input.dtype),
        input: input.name,
        categories: graphCategories(src.model, input.name),
        ...(range ? { min: range.min, max: range.max } : {}),
      });
    } else if (kind === 'packed') {
      const width = fixed(input.dims[1]) ?? sidecar?.inputs?.[input.name]?.features?.length ?? 0;
      const named = packedNames(width, src, sidecar, packedCount, input.name);
      if (!sidecar) source = named.source;
      if (!target && named.target) targetOrigin = 'the reference CSV (the column that is not a feature)';
      target ??= named.target;
      featureOrigins.push(
        `'${input.name}' (${width}) ${
          {
            sidecar: `named by ${sidecarWords}`,
            metadata: "named by the model's metadata_props",
            csv: 'named by the reference CSV header',
            generated: 'given generated names',
          }[named.source]
        }`,
      );
      notes.push(named.note);
      binding.features = named.names;
      named.names.forEach((name, column) =>
        features.push({ name, kind: kindOf(input.dtype), input: input.name, column, ...(range ? { min: range.min, max: range.max } : {}) }),
      );
    } else {
      featureOrigins.push(`'${input.name}' a raw tensor (no named features)`);
      notes.push(`input '${input.name}' ${JSON.stringify(input.dims)} has no named features: send it as a tensor (OIP v2 or v1 "inputs")`);
    }
    return binding;
  });

  const facts = new Map((src.reference?.columns ?? []).map((c) => [c.name, c]));
  const firstRow = src.reference?.sample.rows[0];
  const described = features.map((f) => {
    const given = sidecarFeatures.get(f.name) as Partial<Feature> | undefined;
    if (given?.kind && given.kind !== f.kind && f.kind !== 'image') {
      if (!(f.kind === 'number' && given.kind === 'integer')) {
        const dtype = info.inputs.find((i) => i.name === f.input)?.dtype;
        throw new Error(`the signature says feature '${f.name}' is ${given.kind}, but input '${f.input}' is ${dtype}`);
      }
      f.kind = given.kind;
    }
    return describeFeature(f, facts.get(f.name), firstRow, given);
  });

  const metadataClasses = metadataList(info.metadata, 'class_names', 'classes', 'labels');
  const zipmapClasses = Object.values(src.outputClassNames ?? {})[0];
  const classNames = sidecar?.classNames ?? metadataClasses ?? zipmapClasses ?? classifierLabels(src.model);
  const classesOrigin = sidecar?.classNames
    ? sidecarWords
    : metadataClasses
      ? "the model's metadata_props"
      : zipmapClasses
        ? "the ZipMap's labels"
        : classNames
          ? "the classifier node's class labels"
          : undefined;
  const outputs = info.outputs.map((o) => outputBinding(o, src, sidecar, classNames));
  const hasClasses = outputs.some((o) => o.role === 'probabilities' || o.role === 'label' || o.role === 'scores');
  const task = sidecar?.task ?? (hasClasses ? 'classification' : outputs.some((o) => o.role === 'value') ? 'regression' : 'raw');
  if (task === 'regression') for (const o of outputs) if (o.role === 'scores') o.role = 'value';
  if (target && src.reference && !src.reference.sample.columns.includes(target)) target = undefined;
  if (!target) targetOrigin = undefined;
  if (!target && src.reference) {
    const featureNames = new Set(described.map((f) => f.name));
    const extra = src.reference.sample.columns.filter((c) => !featureNames.has(c));
    if (
      extra.length === 1 &&
      described.length > 0 &&
      described.every((f) => f.kind === 'image' || src.reference!.sample.columns.includes(f.name))
    ) {
      target = extra[0];
      targetOrigin = 'the reference CSV (its one column that is not a feature)';
    }
  }
  const roles = outputs.map((o) => `'${o.tensor}' ${o.role}`).join(', ');
  const origins: SignatureOrigins = {
    features: featureOrigins.join('; ') || 'no inputs',
    task: sidecar?.task ? sidecarWords : `the outputs (${roles}), read from their names, shapes and producing ops`,
    ...(classNames && hasClasses && classesOrigin ? { classes: classesOrigin } : {}),
    ...(target && targetOrigin ? { target: targetOrigin } : {}),
  };

  return {
    source,
    task,
    features: described,
    inputs,
    outputs,
    ...(classNames && hasClasses ? { classNames } : {}),
    batch,
    ...(target ? { target } : {}),
    notes,
    origins,
  };
}
