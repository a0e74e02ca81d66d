/**
 * `triton/<model>/config.pbtxt`: a Triton model configuration for the onnxruntime backend, written from
 * the graph's inputs/outputs. With a dynamic batch dimension the batch axis is left out of `dims`
 * (`max_batch_size` > 0) and `dynamic_batching` is on; a fixed batch keeps full dims and batching off.
 * The model copy beside it (`1/model.onnx`) is the servable graph (ZipMap replaced), because Triton's
 * onnxruntime backend, like onnxruntime-node, returns tensors only.
 */
import type { Signature, TensorDtype, TensorInfo } from '../../protocol/signature';

export const TRITON_TYPE: Record<TensorDtype, string> = {
  float32: 'TYPE_FP32',
  float64: 'TYPE_FP64',
  float16: 'TYPE_FP16',
  int8: 'TYPE_INT8',
  int16: 'TYPE_INT16',
  int32: 'TYPE_INT32',
  int64: 'TYPE_INT64',
  uint8: 'TYPE_UINT8',
  uint16: 'TYPE_UINT16',
  uint32: 'TYPE_UINT32',
  uint64: 'TYPE_UINT64',
  bool: 'TYPE_BOOL',
  string: 'TYPE_STRING',
};

export const TRITON_MAX_BATCH = 64;

export interface TritonTensorConfig {
  name: string;
  dataType: string;
  dims: number[];
  /** Set when the tensor is batch-only (`[N]`): Triton needs dims [1] and a reshape to []. */
  reshapeToScalar: boolean;
}

export interface TritonConfig {
  name: string;
  maxBatchSize: number;
  inputs: TritonTensorConfig[];
  outputs: TritonTensorConfig[];
  dynamicBatching: boolean;
}

function tensorConfig(t: TensorInfo, batched: boolean): TritonTensorConfig {
  const dims = (batched ? t.dims.slice(1) : t.dims).map((d) => (typeof d === 'number' && d > 0 ? d : -1));
  return { name: t.name, dataType: TRITON_TYPE[t.dtype], dims: dims.length ? dims : [1], reshapeToScalar: dims.length === 0 };
}

export function tritonConfig(name: string, inputs: TensorInfo[], outputs: TensorInfo[], signature: Signature): TritonConfig {
  const batched = signature.batch.dynamic && inputs.every((t) => t.dims.length > 0);
  return {
    name,
    maxBatchSize: batched ? TRITON_MAX_BATCH : 0,
    inputs: inputs.map((t) => tensorConfig(t, batched)),
    outputs: outputs.map((t) => tensorConfig(t, batched)),
    dynamicBatching: batched,
  };
}

function renderTensor(t: TritonTensorConfig): string {
  const reshape = t.reshapeToScalar ? '\n    reshape: { shape: [ ] }' : '';
  return `  {\n    name: ${JSON.stringify(t.name)}\n    data_type: ${t.dataType}\n    dims: [ ${t.dims.join(', ')} ]${reshape}\n  }`;
}

export function renderTritonConfig(config: TritonConfig): string {
  const lines = [
    `# Triton model configuration written by Model Lab (onnxruntime backend).`,
    `# Serve: tritonserver --model-repository=<bundle>/triton   → POST /v2/models/${config.name}/infer`,
    `name: ${JSON.stringify(config.name)}`,
    `platform: "onnxruntime_onnx"`,
    `max_batch_size: ${config.maxBatchSize}`,
    `input [\n${config.inputs.map(renderTensor).join(',\n')}\n]`,
    `output [\n${config.outputs.map(renderTensor).join(',\n')}\n]`,
  ];
  if (config.dynamicBatching) {
    lines.push('# Requests are coalesced into one run; they wait at most 100 µs while no full batch can be formed.');
    lines.push('dynamic_batching {\n  max_queue_delay_microseconds: 100\n}');
  }
  lines.push('instance_group [\n  {\n    count: 1\n    kind: KIND_CPU\n  }\n]');
  return `${lines.join('\n')}\n`;
}
