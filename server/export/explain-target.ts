/**
 * The `explain` part of a bundle: the explanation report of the exported model for the engineer who
 * receives it — permutation importance, partial dependence / ICE and global SHAP values computed on the
 * reference CSV (server/explain) and written as `explain/report.html` (self-contained, inline SVG) and
 * `explain/report.json` (server/explain/REPORT_SCHEMA.md). Opt-in: it needs the reference data, and it
 * is about the model, not a way to deploy it. The bundled server does not change.
 *
 * The defaults are small on purpose (a few hundred rows, three repeats, ten grid points): the report
 * should take seconds inside an export, and it says in its notes when it used a sample.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LoadedModel } from '../model';
import type { ExplainReport } from '../protocol/explain';
import { ExportError } from './staging';
import type { ExportCheck } from './types';
import { checkExplainReportShape, externalReferences } from './verify/explain-report';

/**
 * The part of targets.ts's BundleContext this target reads and writes (declared here, not imported, so
 * targets.ts can register the writer without an import cycle).
 */
export interface ExplainBundleContext {
  dir: string;
  modelFile: string;
  dev: LoadedModel;
  signal?: AbortSignal;
  /** Set by `write`: the report as written, for the checks and the bundle README. */
  explanation?: ExplainReport;
}

export const EXPLAIN_REPORT_HTML = 'explain/report.html';
export const EXPLAIN_REPORT_JSON = 'explain/report.json';

/** Options of the engine run inside an export: every method, seconds rather than minutes. */
export const BUNDLE_EXPLAIN_OPTIONS = {
  methods: ['permutation', 'pdp', 'shap'],
  maxRows: 500,
  nRepeats: 3,
  gridResolution: 10,
  iceRows: 20,
  background: 50,
  globalRows: 50,
  seed: 0,
} as const;

/** Why an explanation report cannot be exported without reference data, in words a person can act on. */
export const NO_REFERENCE_REASON =
  'the explanation report is computed on the reference data and this export has none: start the server with ' +
  '--reference <csv> (in VS Code: "Set as Reference for the Open Model"), or pass --reference <csv> to model-lab export';

/** The reference CSV an explanation would use, or the reason there is none. */
export function explainPrecheck(referenceCsv: string | undefined): { ok: boolean; problems: string[] } {
  if (!referenceCsv) return { ok: false, problems: [NO_REFERENCE_REASON] };
  if (!existsSync(referenceCsv))
    return { ok: false, problems: [`the reference CSV ${basename(referenceCsv)} no longer exists (deleted or moved); choose another`] };
  return { ok: true, problems: [] };
}

/** Refuses an export that asks for the report without reference data, before anything is written. */
export function refuseExplainWithoutReference(referenceCsv: string | undefined): void {
  const { ok, problems } = explainPrecheck(referenceCsv);
  if (!ok) throw new ExportError(`explain: ${problems[0]}`);
}

/**
 * The report as it goes into the bundle: the model path is the bundle's model file and the data path the
 * reference CSV's file name, not paths of the exporting machine.
 */
function forBundle(report: ExplainReport, modelFile: string, referenceCsv: string): ExplainReport {
  return { ...report, model: { ...report.model, path: modelFile }, data: { ...report.data, path: basename(referenceCsv) } };
}

const timed = async (name: string, fn: () => Promise<Omit<ExportCheck, 'target' | 'name' | 'ms'>>): Promise<ExportCheck> => {
  const started = performance.now();
  try {
    return { target: 'explain', name, ...(await fn()), ms: Math.round(performance.now() - started) };
  } catch (err) {
    const detail = (err as Error).message.split('\n')[0];
    return { target: 'explain', name, status: 'fail', detail, ms: Math.round(performance.now() - started) };
  }
};

export const explainTarget = {
  target: 'explain' as const,
  async write(ctx: ExplainBundleContext): Promise<void> {
    const referenceCsv = ctx.dev.reference?.path;
    refuseExplainWithoutReference(referenceCsv);
    // Loaded on first use: most exports do not explain.
    const { explainModel } = await import('../explain/index');
    const { renderHtml } = await import('../explain/report/index');
    const report = forBundle(
      await explainModel({
        ...BUNDLE_EXPLAIN_OPTIONS,
        methods: [...BUNDLE_EXPLAIN_OPTIONS.methods],
        model: ctx.dev,
        data: referenceCsv!,
        signal: ctx.signal,
      }),
      ctx.modelFile,
      referenceCsv!,
    );
    await mkdir(join(ctx.dir, 'explain'), { recursive: true });
    await writeFile(join(ctx.dir, EXPLAIN_REPORT_JSON), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(join(ctx.dir, EXPLAIN_REPORT_HTML), renderHtml(report));
    ctx.explanation = report;
  },
  async verify(ctx: ExplainBundleContext): Promise<ExportCheck[]> {
    return [
      await timed('explain-report-json', async () => {
        const problems = checkExplainReportShape(JSON.parse(await readFile(join(ctx.dir, EXPLAIN_REPORT_JSON), 'utf8')));
        if (problems.length) return { status: 'fail', detail: `${EXPLAIN_REPORT_JSON}: ${problems.slice(0, 5).join('; ')}` };
        const r = ctx.explanation!;
        return {
          status: 'pass',
          detail:
            `${EXPLAIN_REPORT_JSON} parses as an explanation report (REPORT_SCHEMA.md): ${r.model.features.length} features, ` +
            `${r.model.outputs.length} output(s), ${Object.keys(r.timings).join(' + ')} on ${r.data.rows} rows of ${r.data.path}`,
          measured: { rows: r.data.rows, ...Object.fromEntries(Object.entries(r.timings).map(([m, ms]) => [`${m}Ms`, Math.round(ms)])) },
        };
      }),
      await timed('explain-report-html', async () => {
        const html = await readFile(join(ctx.dir, EXPLAIN_REPORT_HTML), 'utf8');
        const external = externalReferences(html);
        if (external.length)
          return { status: 'fail', detail: `${EXPLAIN_REPORT_HTML} loads from outside the file: ${external.slice(0, 3).join(', ')}` };
        const charts = (html.match(/<svg[\s>]/g) ?? []).length;
        if (!charts) return { status: 'fail', detail: `${EXPLAIN_REPORT_HTML} has no chart` };
        return {
          status: 'pass',
          detail: `${EXPLAIN_REPORT_HTML} is self-contained: ${charts} inline SVG charts, no scripts, no external URLs`,
          measured: { charts, bytes: Buffer.byteLength(html) },
        };
      }),
    ];
  },
} satisfies {
  target: 'explain';
  write(ctx: ExplainBundleContext): Promise<void>;
  verify(ctx: ExplainBundleContext): Promise<ExportCheck[]>;
};
