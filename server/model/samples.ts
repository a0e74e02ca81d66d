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
 * Input tensors for `rows` rows of a model whose inputs have no named features (raw/image): zeros (or
 * seeded noise for images) with symbolic dims set to 1.
 */
export function sampleTensors(signature: Signature, rows: number, seed = 42): PlainTensor[] {
  const random = seededRandom(seed);
  return signature.inputs.map((b) => {
    const dims = b.dims.map((d, i) => (i === 0 && b.dims.length > 0 ? rows : typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, c) => a * c, 1);
    const data = allocate(b.dtype, n);
    if (b.kind === 'image' && data instanceof Float32Array) for (let i = 0; i < n; i++) data[i] = random();
    return { name: b.tensor, dtype: b.dtype, dims, data };
  });
}
