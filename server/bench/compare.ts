/**
 * One comparison: the original and the chosen variants, each compressed (server/compress), loaded in
 * onnxruntime, compared with the original on sample rows, and timed at every batch size the model
 * allows — all models interleaved round by round, so load on a shared machine skews none of them —
 * plus, optionally, the served original over HTTP. Progress after every step; an AbortSignal
 * stops it between runs. A variant that cannot be made or run is reported with its error, not thrown.
 */
import { readFile } from 'node:fs/promises';
import { loadModel, readReference, type LoadedModel } from '../model/index';
import {
  compressBytes,
  gzipSize,
  loadVariant,
  measureAgreement,
  parseVariant,
  sampleInputs,
  variantInfo,
  type CompressResult,
} from '../compress/index';
import type { FeatureRecord } from '../protocol/signature';
import { measureHttp } from './http';
import { batchSizesFor, measureInterleaved, STANDARD_BATCHES, type LatencyOptions } from './latency';
import { describeMachine } from './machine';
import type { ComparisonReport, HttpLatency, Progress, VariantReport } from '../protocol/perf-report';
import { verdictFor } from './verdict';

export interface CompareOptions extends LatencyOptions {
  /** Variant ids (`int8`, `fp16`, `prune50`…). */
  variants: string[];
  referenceCsv?: string;
  /** A CSV whose rows are used for agreement and timing instead of the reference sample. */
  dataCsv?: string;
  /** Batch sizes to try (default 1, 8, 64, 256; a fixed batch dimension allows only its own). */
  batches?: number[];
  /** Rows for the agreement check (default 256). */
  agreementRows?: number;
  /** Base URL of a server serving this same model: adds end-to-end OIP timings. */
  httpUrl?: string;
  onProgress?: (progress: Progress) => void;
}

export interface Comparison {
  report: ComparisonReport;
  /** The variants' bytes, by id, for saving. */
  results: Map<string, CompressResult>;
}

async function dataRecords(csv: string | undefined, rows: number): Promise<FeatureRecord[] | undefined> {
  if (!csv) return undefined;
  const look = await readReference(csv, { sampleRows: rows, scanRows: rows });
  return look.sample.rows;
}

export async function compareVariants(modelPath: string, options: CompareOptions): Promise<Comparison> {
  const startedAt = new Date().toISOString();
  const specs = options.variants.map(parseVariant);
  const agreementRows = options.agreementRows ?? 256;
  const machine = describeMachine();
  const original = await loadModel(modelPath, { referenceCsv: options.referenceCsv });
  const results = new Map<string, CompressResult>();
  try {
    const batches = batchSizesFor(original.signature, options.batches ?? STANDARD_BATCHES);
    const records = await dataRecords(options.dataCsv, Math.max(agreementRows, ...batches));
    const inputs = new Map(batches.map((b) => [b, sampleInputs(original, b, records).tensors]));
    const httpModes = options.httpUrl ? 2 : 0;
    const total = specs.length + batches.length + httpModes;
    let done = 0;
    const step = (text: string) => options.onProgress?.({ done, total, step: text });

    const originalBytes = await readFile(modelPath);
    const originalReport: VariantReport = {
      id: 'original',
      label: 'original (float32)',
      about: 'The model as exported.',
      fileBytes: originalBytes.length,
      gzipBytes: gzipSize(originalBytes),
      sizeRatio: 1,
      sessionConfig: {},
      latency: [],
      agreement: null,
      nodes: [],
      notes: [],
      verdict: 'The baseline.',
    };

    // Make, load and check every variant first; then time them all together, interleaved.
    const variants: VariantReport[] = [];
    const loaded: { report: VariantReport; model: LoadedModel }[] = [];
    try {
      for (const spec of specs) {
        const info = variantInfo(spec.id);
        step(`${spec.id}: rewriting, loading, checking agreement`);
        let result: CompressResult | undefined;
        try {
          result = compressBytes(originalBytes, spec);
          const variant = await loadVariant(modelPath, result, { referenceCsv: options.referenceCsv });
          const report: VariantReport = {
            id: spec.id,
            label: info.label,
            about: info.about,
            fileBytes: result.fileBytes,
            gzipBytes: result.gzipBytes,
            sizeRatio: originalReport.fileBytes / result.fileBytes,
            sessionConfig: variant.sessionConfig,
            latency: [],
            agreement: null,
            nodes: result.nodes,
            notes: result.notes,
            verdict: '',
          };
          loaded.push({ report, model: variant.model });
          variants.push(report);
          report.agreement = await measureAgreement(original, variant.model, { rows: agreementRows, records, signal: options.signal });
          results.set(spec.id, result);
        } catch (err) {
          if (options.signal?.aborted) throw err;
          const failed = loaded.findIndex((l) => l.report.id === spec.id);
          if (failed >= 0) await loaded.splice(failed, 1)[0].model.dispose();
          const report: VariantReport = variants.find((v) => v.id === spec.id) ?? {
            id: spec.id,
            label: info.label,
            about: info.about,
            fileBytes: result?.fileBytes ?? 0,
            gzipBytes: result?.gzipBytes ?? 0,
            sizeRatio: result ? originalReport.fileBytes / result.fileBytes : 0,
            sessionConfig: result?.sessionConfig ?? {},
            latency: [],
            agreement: null,
            nodes: result?.nodes ?? [],
            notes: [],
            verdict: '',
          };
          report.error = (err as Error).message;
          if (!variants.includes(report)) variants.push(report);
        }
        done++;
      }
      const models = [original, ...loaded.map((l) => l.model)];
      const reports = [originalReport, ...loaded.map((l) => l.report)];
      for (const b of batches) {
        step(`timing batch ${b} (${models.length} model${models.length > 1 ? 's' : ''}, interleaved)`);
        const stats = await measureInterleaved(models, inputs.get(b)!, b, options);
        stats.forEach((s, i) => reports[i].latency.push(s));
        done++;
      }
    } finally {
      await Promise.all(loaded.map((l) => l.model.dispose()));
    }
    for (const v of variants) v.verdict = verdictFor(originalReport, v, machine);

    let http: HttpLatency[] | null = null;
    if (options.httpUrl) {
      http = [];
      const name = original.info.name;
      const largest = Math.max(...batches);
      for (const [mode, b] of [
        ['single-row', batches[0]],
        ['batched', largest],
      ] as const) {
        step(`HTTP ${mode}: timing batch ${b}`);
        http.push(await measureHttp(options.httpUrl, name, inputs.get(b)!, b, mode, options));
        done++;
      }
    }
    step('done');
    return {
      report: {
        schema: 'model-lab.perf/1',
        model: { name: original.info.name, path: original.info.path },
        machine,
        settings: {
          batches,
          warmup: options.warmup ?? 20,
          iterations: options.iterations ?? 200,
          budgetMs: options.budgetMs ?? 1000,
          agreementRows,
          data: options.dataCsv ?? options.referenceCsv ?? null,
        },
        original: originalReport,
        variants,
        http,
        startedAt,
        finishedAt: new Date().toISOString(),
      },
      results,
    };
  } finally {
    await original.dispose();
  }
}
