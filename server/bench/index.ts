/**
 * server/bench — how fast a model runs here: in-process latency percentiles per batch size, throughput,
 * memory, the CPU's int8-relevant flags, end-to-end OIP latency over HTTP, and the comparison of a model
 * with its compressed variants (sizes, latency, agreement, accuracy, an honest verdict).
 * The report's JSON schema is `ComparisonReportSchema` (schema.ts).
 *
 * @example
 * const { report } = await compareVariants('model.onnx', { variants: ['int8', 'fp16'], referenceCsv: 'data.csv',
 *   onProgress: (p) => console.error(`${p.done}/${p.total} ${p.step}`), signal: AbortSignal.timeout(60_000) });
 */
export { compareVariants, type CompareOptions, type Comparison } from './compare';
export { batchSizesFor, measureBatch, measureInterleaved, STANDARD_BATCHES, type LatencyOptions } from './latency';
export { measureHttp, oipRequest } from './http';
export { describeMachine, parseCpuInfo } from './machine';
export { percentile, summarize, type Summary } from './stats';
export { speedRatio, verdictFor } from './verdict';
export { formatBytes, formatComparison, formatUs, table } from './format';
export { comparisonCsv } from './report-csv';
export {
  ComparisonReportSchema,
  LatencyStatsSchema,
  HttpLatencySchema,
  MachineSchema,
  VariantReportSchema,
  type ComparisonReport,
  type HttpLatency,
  type LatencyStats,
  type Machine,
  type Progress,
  type VariantReport,
} from '../protocol/perf-report';
