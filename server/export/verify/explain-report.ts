/**
 * Checks of the bundle's explanation report: `report.json` has the documented shape
 * (server/explain/REPORT_SCHEMA.md, typed as ExplainReport in server/protocol/explain.ts) with arrays
 * as long as the features and outputs they follow, and `report.html` loads nothing from outside itself.
 */
import { z } from 'zod';
import type { ExplainReport } from '../../protocol/explain';

const value = z.union([z.number(), z.string(), z.null()]);
const matrix = z.array(z.array(z.number()));

/** The report's shape; `satisfies` below fails to compile when ExplainReport changes and this does not. */
const ReportSchema = z.object({
  model: z.object({
    path: z.string(),
    task: z.enum(['classification', 'regression']),
    features: z.array(z.string()).min(1),
    outputs: z.array(z.string()).min(1),
    output: z.string(),
  }),
  data: z.object({
    path: z.string().nullable(),
    rows: z.number().int().min(1),
    rowsInFile: z.number().int(),
    target: z.string().nullable(),
  }),
  seed: z.number().int(),
  permutation: z
    .object({
      metric: z.string(),
      metricLabel: z.string(),
      lowerIsBetter: z.boolean(),
      baseline: z.number(),
      nRepeats: z.number().int().min(1),
      rows: z.number().int(),
      target: z.string().nullable(),
      features: z.array(z.object({ feature: z.string(), mean: z.number(), std: z.number(), repeats: z.array(z.number()) })),
    })
    .nullable(),
  partialDependence: z
    .object({
      rows: z.number().int(),
      gridResolution: z.number().int(),
      percentiles: z.tuple([z.number(), z.number()]),
      curves: z.array(
        z.object({
          feature: z.string(),
          kind: z.enum(['number', 'category']),
          grid: z.array(value),
          average: matrix,
          ice: z.object({ rows: z.array(z.number().int()), values: z.array(matrix) }),
        }),
      ),
      interaction: z
        .object({
          features: z.tuple([z.string(), z.string()]),
          grids: z.tuple([z.array(value), z.array(value)]),
          average: z.array(matrix),
        })
        .nullable(),
    })
    .nullable(),
  shap: z
    .object({
      method: z.enum(['exact', 'kernel', 'tree']),
      methodNote: z.string(),
      expectedValue: z.array(z.number()),
      backgroundRows: z.number().int(),
      coalitions: z.number().nullable(),
      local: z
        .object({ row: z.number().int().nullable(), values: z.array(value), prediction: z.array(z.number()), shap: matrix, ms: z.number() })
        .nullable(),
      global: z
        .object({
          rows: z.array(z.number().int()),
          meanAbs: matrix,
          shap: z.array(matrix),
          values: z.array(z.array(value)),
          ms: z.number(),
        })
        .nullable(),
    })
    .nullable(),
  timings: z.record(z.string(), z.number()),
  notes: z.array(z.string()),
}) satisfies z.ZodType<ExplainReport>;

/** What is wrong with a parsed report.json (empty when it is a well-formed report). */
export function checkExplainReportShape(parsed: unknown): string[] {
  const result = ReportSchema.safeParse(parsed);
  if (!result.success) return result.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
  const r = result.data;
  const features = r.model.features.length;
  const outputs = r.model.outputs.length;
  const problems: string[] = [];
  const expect = (ok: boolean, what: string): void => {
    if (!ok) problems.push(what);
  };
  if (r.permutation)
    expect(
      r.permutation.features.length === features,
      `permutation.features has ${r.permutation.features.length} entries for ${features} features`,
    );
  for (const c of r.partialDependence?.curves ?? []) {
    expect(r.model.features.includes(c.feature), `partialDependence curve of an unknown feature '${c.feature}'`);
    expect(
      c.average.length === outputs && c.average.every((a) => a.length === c.grid.length),
      `partialDependence.${c.feature}.average is not [output][grid point]`,
    );
  }
  const s = r.shap;
  if (s) {
    expect(s.expectedValue.length === outputs, `shap.expectedValue has ${s.expectedValue.length} entries for ${outputs} outputs`);
    if (s.local)
      expect(
        s.local.shap.length === outputs && s.local.shap.every((v) => v.length === features),
        'shap.local.shap is not [output][feature]',
      );
    if (s.global)
      expect(
        s.global.meanAbs.length === outputs && s.global.meanAbs.every((v) => v.length === features),
        'shap.global.meanAbs is not [output][feature]',
      );
  }
  if (!r.permutation && !r.partialDependence && !r.shap) problems.push('no method was computed');
  return problems;
}

/**
 * Everything in an HTML page that would load from elsewhere: scripts, stylesheets, frames, images or
 * links to absolute or protocol-relative URLs, CSS `url(…)`/`@import` of them. An SVG's `xmlns`
 * namespace names a URL but loads nothing, so it is not counted.
 */
export function externalReferences(html: string): string[] {
  const found: string[] = [];
  const attr =
    /\s(?:src|href|xlink:href|srcset|action|formaction|poster|data|background)\s*=\s*["']?\s*((?:[a-z][a-z0-9+.-]*:)?\/\/[^"'\s>]*)/gi;
  for (const m of html.matchAll(attr)) found.push(m[1]);
  for (const m of html.matchAll(/url\(\s*["']?\s*((?:[a-z][a-z0-9+.-]*:)?\/\/[^"')\s]*)/gi)) found.push(m[1]);
  for (const m of html.matchAll(/@import\s+(?:url\()?\s*["']?([^"');\s]+)/gi)) found.push(`@import ${m[1]}`);
  for (const m of html.matchAll(/<(script|iframe|object|embed|link)\b[^>]*>/gi)) found.push(`<${m[1].toLowerCase()}>`);
  return [...new Set(found)];
}
