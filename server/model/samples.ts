/**
 * Sample rows for a model: warm-up, differential checks after a reload, benchmarks. Uses the reference
 * CSV's rows when there are some, else values made from each feature's range/categories (seeded, so two
 * models compared on "generated" rows see the same rows).
 */
import type { ReferenceSample } from '../protocol/api';
import { allocate, type PlainTensor } from '../protocol/codec';
import type { FeatureRecord, Signature } from '../protocol/signature';

/** Mulberry32: small, fast, good enough for test data; seeded for reproducibility. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` records: reference rows first (cycled), else generated from the signature. */
export function sampleRecords(signature: Signature, reference: ReferenceSample | null, count: number, seed = 42): FeatureRecord[] {
  if (signature.features.some((f) => f.kind === 'image') || signature.inputs.some((b) => b.kind === 'raw')) return [];
  const rows = reference?.rows.filter((r) => signature.features.every((f) => r[f.name] !== undefined && r[f.name] !== '')) ?? [];
  if (rows.length) return Array.from({ length: count }, (_, i) => ({ ...rows[i % rows.length] }));
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const record: FeatureRecord = {};
    for (const f of signature.features) {
      const lo = f.min ?? 0;
      const hi = f.max ?? (f.min !== undefined ? f.min + 1 : 1);
      if (f.kind === 'category')
        record[f.name] = f.categories?.length ? f.categories[Math.floor(random() * f.categories.length)] : String(f.example ?? '');
      else if (f.kind === 'boolean') record[f.name] = random() < 0.5;
      else if (f.kind === 'integer') record[f.name] = Math.round(lo + random() * (hi - lo));
      else record[f.name] = lo + random() * (hi - lo);
    }
    return record;
  });
}

/**
 * Input tensors for `rows` rows of a model whose inputs have no named features (raw/image), symbolic
 * dims set to 1: images as seeded uniform noise in [0, 1]; other float tensors as seeded standard normal
 * noise (what standardised features look like); integer tensors with a known range (token ids) uniform
 * in it; anything else zeros.
 */
export function sampleTensors(signature: Signature, rows: number, seed = 42): PlainTensor[] {
  const random = seededRandom(seed);
  return signature.inputs.map((b) => {
    const dims = b.dims.map((d, i) => (i === 0 && b.dims.length > 0 ? rows : typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, c) => a * c, 1);
    const data = allocate(b.dtype, n);
    if (data instanceof Float32Array || data instanceof Float64Array) {
      if (b.kind === 'image') for (let i = 0; i < n; i++) data[i] = random();
      else for (let i = 0; i < n; i++) data[i] = normal(random);
    } else if (b.valueRange) {
      const { min, max } = b.valueRange;
      const value = () => min + Math.floor(random() * (max - min + 1));
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) for (let i = 0; i < n; i++) data[i] = BigInt(value());
      else if (!Array.isArray(data) && !(data instanceof Uint8Array && b.dtype === 'bool')) for (let i = 0; i < n; i++) data[i] = value();
    }
    return { name: b.tensor, dtype: b.dtype, dims, data };
  });
}

/** Standard normal draw (Box–Muller) from a uniform source. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * What sample inputs were made of, in words, for a result that says what it was measured on:
 * `generated` rows (sampleRecords without reference rows) or `tensors` (sampleTensors).
 */
export function describeSamples(signature: Signature, kind: 'generated' | 'tensors'): string {
  const parts = signature.inputs.map((b) => {
    const range = b.valueRange ? `${b.valueRange.why}, uniform in ${b.valueRange.min} … ${b.valueRange.max}` : undefined;
    if (kind === 'generated') {
      if (!b.features.length) return undefined;
      const features = signature.features.filter((f) => f.input === b.tensor);
      const what = `${features.length} feature${features.length === 1 ? '' : 's'}`;
      if (range) return `'${b.tensor}' (${what}): ${range}`;
      const ranged = features.filter((f) => f.min !== undefined && f.max !== undefined).length;
      const categories = features.filter((f) => f.kind === 'category' || f.kind === 'boolean').length;
      const free = features.length - ranged - categories;
      return (
        `'${b.tensor}' (${what}): ` +
        [
          ranged ? `${ranged} uniform in their known ranges` : '',
          categories ? `${categories} drawn from their categories` : '',
          free ? `${free} in [0, 1] (no range known)` : '',
        ]
          .filter(Boolean)
          .join(', ')
      );
    }
    const shape = `[${b.dims.map((d, i) => (i === 0 ? 'rows' : typeof d === 'number' && d > 0 ? d : 1)).join(', ')}]`;
    if (b.kind === 'image') return `'${b.tensor}' ${shape}: uniform noise in [0, 1]`;
    if (b.dtype.startsWith('float')) return `'${b.tensor}' ${shape}: standard normal noise (the model declares no range)`;
    return `'${b.tensor}' ${shape}: ${range ?? 'zeros (no range known)'}`;
  });
  const symbolic = kind === 'tensors' && signature.inputs.some((b) => b.dims.slice(1).some((d) => !(typeof d === 'number' && d > 0)));
  return `${parts.filter(Boolean).join('; ')} (seeded${symbolic ? '; free dimensions other than the batch set to 1' : ''})`;
}
