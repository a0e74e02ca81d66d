/**
 * The benchmark engine on real sessions: well-formed percentiles and counts (never timing thresholds),
 * batch sizes a model allows, CPU flag parsing, progress and cancellation, HTTP end-to-end timing
 * against a real server, and a comparison report that validates against its documented schema.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  batchSizesFor,
  compareVariants,
  ComparisonReportSchema,
  formatComparison,
  measureBatch,
  measureHttp,
  parseCpuInfo,
  percentile,
  summarize,
} from '../../server/bench/index';
import { sampleInputs } from '../../server/compress/index';
import { loadModel } from '../../server/model/index';
import { startTestServer } from '../helpers/server';

const root = join(__dirname, '..', '..');
const BC = join(root, 'samples/breast-cancer/breast_cancer.onnx');
const BC_REF = join(root, 'samples/breast-cancer/reference.csv');

describe('statistics', () => {
  it('percentiles interpolate between ranks; mean and sample stddev are exact', () => {
    const s = summarize([5, 1, 4, 2, 3]);
    assert.deepEqual([s.n, s.min, s.max, s.p50, s.mean], [5, 1, 5, 3, 3]);
    assert.equal(s.p95, 4.8);
    assert.ok(Math.abs(s.stddev - Math.sqrt(2.5)) < 1e-12);
    assert.equal(percentile([10], 99), 10);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it('reads the CPU model and the int8-relevant flags from /proc/cpuinfo text', () => {
    const text = 'processor\t: 0\nmodel name\t: Intel(R) Xeon(R) Gold 6338\nflags\t\t: fpu sse avx2 avx512f avx512_vnni\n';
    const cpu = parseCpuInfo(text);
    assert.equal(cpu.cpuModel, 'Intel(R) Xeon(R) Gold 6338');
    assert.deepEqual(cpu.flags, { avx2: true, avx512f: true, avx512vnni: true, avxvnni: false, neonDotprod: false });
    assert.deepEqual(parseCpuInfo('').flags, { avx2: false, avx512f: false, avx512vnni: false, avxvnni: false, neonDotprod: false });
  });
});

describe('latency', () => {
  it('times N runs per batch size with ordered percentiles and consistent throughput', async () => {
    const model = await loadModel(BC, { referenceCsv: BC_REF });
    try {
      assert.deepEqual(batchSizesFor(model.signature), [1, 8, 64, 256]);
      for (const batch of [1, 64]) {
        const inputs = sampleInputs(model, batch).tensors;
        const l = await measureBatch(model, inputs, batch, { iterations: 25, budgetMs: 60_000, warmup: 2 });
        assert.equal(l.iterations, 25, 'exactly the iterations asked for when the budget allows');
        assert.ok(l.minUs > 0 && l.minUs <= l.p50Us && l.p50Us <= l.p95Us && l.p95Us <= l.p99Us && l.p99Us <= l.maxUs, JSON.stringify(l));
        assert.ok(Math.abs(l.rowsPerSecond - (batch * 1e6) / l.meanUs) < 1e-6 * l.rowsPerSecond);
        assert.ok(l.peakRssBytes > 10 * 1024 * 1024);
      }
      const few = await measureBatch(model, sampleInputs(model, 1).tensors, 1, {
        iterations: 1000,
        budgetMs: 0,
        minIterations: 3,
        warmup: 0,
      });
      assert.equal(few.iterations, 3, 'a used-up budget stops at minIterations');
    } finally {
      await model.dispose();
    }
  });

  it('a fixed batch dimension allows only its own size', async () => {
    const model = await loadModel(join(root, 'test/fixtures/models/fixed_batch.onnx'));
    assert.deepEqual(batchSizesFor(model.signature), [1]);
    await model.dispose();
  });

  it('times OIP requests end to end against a real server', async () => {
    const server = await startTestServer(BC, { host: { referenceCsv: BC_REF } });
    const model = await loadModel(BC, { referenceCsv: BC_REF });
    try {
      const one = await measureHttp(server.url, 'breast_cancer', sampleInputs(model, 1).tensors, 1, 'single-row', {
        iterations: 10,
        warmup: 1,
        budgetMs: 60_000,
      });
      const many = await measureHttp(server.url, 'breast_cancer', sampleInputs(model, 64).tensors, 64, 'batched', {
        iterations: 5,
        warmup: 1,
        budgetMs: 60_000,
      });
      assert.equal(one.iterations, 10);
      assert.equal(many.iterations, 5);
      assert.ok(one.p50Us <= one.p99Us && many.p50Us <= many.p99Us);
      await assert.rejects(
        measureHttp(server.url, 'nope', sampleInputs(model, 1).tensors, 1, 'single-row', { iterations: 1 }),
        /answered 404/,
      );
    } finally {
      await model.dispose();
      await server.close();
    }
  });
});

describe('comparison', () => {
  it('original + variants → a report matching its schema, progress to done/total, a failed variant reported not thrown', async () => {
    const progress: { done: number; total: number }[] = [];
    const { report, results } = await compareVariants(BC, {
      variants: ['int8', 'fp16', 'int8-weights'],
      referenceCsv: BC_REF,
      batches: [1, 32],
      iterations: 5,
      warmup: 1,
      agreementRows: 64,
      onProgress: (p) => progress.push(p),
    });
    ComparisonReportSchema.parse(report);
    assert.deepEqual(
      report.variants.map((v) => v.id),
      ['int8', 'fp16', 'int8-weights'],
    );
    assert.deepEqual([...results.keys()], ['int8', 'fp16', 'int8-weights']);
    for (const v of [report.original, ...report.variants])
      assert.deepEqual(
        v.latency.map((l) => [l.batch, l.iterations]),
        [
          [1, 5],
          [32, 5],
        ],
      );
    assert.equal(report.variants.find((v) => v.id === 'int8-weights')!.sessionConfig['session.disable_quant_qdq'], '1');
    for (const v of report.variants) assert.match(v.verdict, /smaller file .* At batch 1: .* At batch 32: /);
    assert.ok(
      progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done),
      'progress never goes back',
    );
    assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
    assert.match(formatComparison(report), /int8-weights/);

    const iris = await compareVariants(join(root, 'samples/iris/iris.onnx'), {
      variants: ['int8'],
      batches: [1],
      iterations: 2,
      warmup: 0,
      agreementRows: 4,
    });
    assert.match(iris.report.variants[0].error!, /no quantizable ops/);
    assert.match(iris.report.variants[0].verdict, /^Not usable: no quantizable ops/);
  });

  it('an AbortSignal stops a comparison between runs', async () => {
    const abort = new AbortController();
    const started = compareVariants(BC, {
      variants: ['int8', 'fp16'],
      referenceCsv: BC_REF,
      iterations: 1_000_000,
      budgetMs: 60_000,
      onProgress: (p) => {
        if (p.step.includes('timing')) abort.abort();
      },
      signal: abort.signal,
    });
    await assert.rejects(started, (err: Error) => err.name === 'AbortError');
  });
});
