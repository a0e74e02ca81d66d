// Signatures the codec tests share: one per-column model (skl2onnx style: a string, an int64 and a bool input).
import type { Signature } from '../../server/protocol/signature';

/** Three features, each its own `[N, 1]` input tensor: string, int64 and bool. */
export const perColumnSignature: Signature = {
  source: 'metadata',
  task: 'classification',
  notes: [],
  batch: { dynamic: true },
  features: [
    { name: 'carrier', kind: 'category', input: 'carrier' },
    { name: 'hour', kind: 'integer', input: 'hour' },
    { name: 'weekend', kind: 'boolean', input: 'weekend' },
  ],
  inputs: [
    { tensor: 'carrier', dtype: 'string', dims: [null, 1], kind: 'column', features: ['carrier'] },
    { tensor: 'hour', dtype: 'int64', dims: [null, 1], kind: 'column', features: ['hour'] },
    { tensor: 'weekend', dtype: 'bool', dims: [null, 1], kind: 'column', features: ['weekend'] },
  ],
  outputs: [{ tensor: 'label', dtype: 'int64', dims: [null], role: 'label', classNames: ['on_time', 'delayed'] }],
};
