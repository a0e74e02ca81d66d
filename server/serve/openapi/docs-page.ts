/**
 * `GET /docs`: a self-contained page (no scripts, no CDN — it must work offline) listing the routes with
 * copy-paste curl examples built from the served model's signature.
 */
import type { LoadedModel } from '../../model/types';
import { OIP_DATATYPE } from '../../protocol/api';
import { encodeRecords, readScalar, type PlainTensor } from '../../protocol/codec';
import type { Feature, FeatureRecord, TensorInfo } from '../../protocol/signature';
import { documentedRoutes } from './routes-table';
import { escapeHtml } from '../../protocol/html';

/** Tensors with more values than this are shown abbreviated in examples. */
const MAX_EXAMPLE_VALUES = 64;

/** What values a feature takes, for the features table: its categories, or its reference range. */
function valuesOf(f: Feature): string {
  return f.categories?.join(', ') ?? (f.min !== undefined ? `${f.min} … ${f.max}` : '');
}

function exampleValue(f: Feature): unknown {
  if (f.example !== undefined) return f.example;
  if (f.kind === 'category') return f.categories?.[0] ?? 'a';
  if (f.kind === 'boolean') return false;
  if (f.min !== undefined && f.max !== undefined) return f.kind === 'integer' ? Math.round((f.min + f.max) / 2) : (f.min + f.max) / 2;
  return 0;
}

function zeroTensor(info: TensorInfo): PlainTensor {
  const dims = info.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const count = dims.reduce((a, b) => a * b, 1);
  const zero = info.dtype === 'string' ? '' : info.dtype === 'bool' ? false : 0;
  return { name: info.name, dtype: info.dtype, dims, data: new Array(count).fill(zero) as string[] };
}

/** One example row's tensors: encoded from example feature values, or zeros when features don't apply. */
function exampleTensors(model: LoadedModel, record: FeatureRecord): PlainTensor[] {
  try {
    return encodeRecords(model.signature, [record]);
  } catch {
    return model.info.inputs.map(zeroTensor);
  }
}

function oipExample(model: LoadedModel, record: FeatureRecord): string {
  const inputs = exampleTensors(model, record).map((t) => {
    const data = Array.isArray(t.data) ? t.data : Array.from({ length: t.data.length }, (_, i) => readScalar(t, i));
    return {
      name: t.name,
      shape: t.dims,
      datatype: OIP_DATATYPE[t.dtype],
      data: data.length > MAX_EXAMPLE_VALUES ? `…${data.length} values…` : data,
    };
  });
  return JSON.stringify({ inputs });
}

function csvCell(v: unknown): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The docs page for `origin` (e.g. `http://127.0.0.1:8080`), shell-quoted for POSIX shells. */
export function renderDocsPage(model: LoadedModel, origin: string, nonce: string, options: { lab?: boolean } = {}): string {
  const routes = documentedRoutes({ lab: options.lab ?? true });
  const name = model.info.name;
  const m = encodeURIComponent(name);
  const features = model.signature.features;
  const record: FeatureRecord = Object.fromEntries(features.map((f) => [f.name, exampleValue(f)]));
  const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const curlJson = (path: string, body: string) => `curl -s ${sq(origin + path)} -H 'Content-Type: application/json' -d ${sq(body)}`;
  const examples: [string, string][] = [['Open Inference Protocol v2', curlJson(`/v2/models/${m}/infer`, oipExample(model, record))]];
  if (features.length && model.signature.inputs.every((b) => b.kind !== 'raw')) {
    examples.push(
      ['TF Serving / KServe v1 (named features)', curlJson(`/v1/models/${m}:predict`, JSON.stringify({ instances: [record] }))],
      [
        'MLflow',
        curlJson(
          '/invocations',
          JSON.stringify({ dataframe_split: { columns: features.map((f) => f.name), data: [features.map((f) => record[f.name])] } }),
        ),
      ],
      [
        'CSV batch (streams; add -H "Accept: application/x-ndjson" for JSON lines)',
        `printf '%s\\n' ${sq(features.map((f) => csvCell(f.name)).join(','))} ` +
          `${sq(features.map((f) => csvCell(record[f.name])).join(','))} > rows.csv\n` +
          `curl -s ${sq(`${origin}/v2/models/${m}/predict-csv`)} -H 'Content-Type: text/csv' --data-binary @rows.csv`,
      ],
    );
  }
  const groups = [...new Set(routes.map((r) => r.group))];
  const routeList = groups
    .map(
      (g) =>
        `<h3>${escapeHtml(g)}</h3><table>${routes
          .filter((r) => r.group === g)
          .map(
            (r) =>
              `<tr><td class="m">${r.method.toUpperCase()}</td><td><code>` +
              `${escapeHtml(r.path.replace('{model}', name))}</code></td><td>${escapeHtml(r.summary)}</td></tr>`,
          )
          .join('')}</table>`,
    )
    .join('\n');
  const featureRows = features
    .map(
      (f) =>
        `<tr><td><code>${escapeHtml(f.name)}</code></td><td>${f.kind}</td><td>` +
        `${escapeHtml(f.input)}</td><td>${escapeHtml(valuesOf(f))}</td></tr>`,
    )
    .join('');
  const featureTable = features.length
    ? `<table><tr><th>name</th><th>kind</th><th>input tensor</th><th>values</th></tr>${featureRows}</table>`
    : '<p>This model takes raw tensors only.</p>';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(name)} — Model Lab API</title>
<style nonce="${nonce}">body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
pre{background:#8881;padding:.7rem;overflow-x:auto;white-space:pre-wrap;word-break:break-all}
td{padding:.15rem .6rem;vertical-align:top}.m{font-weight:600}</style></head>
<body><h1>Model Lab API — <code>${escapeHtml(name)}</code></h1>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).
Errors are <code>{"error": "…"}</code> naming the field, with status 400/404/413/415.</p>
<h2>Features</h2>${featureTable}
<h2>Examples</h2>${examples.map(([title, cmd]) => `<h3>${escapeHtml(title)}</h3><pre>${escapeHtml(cmd)}</pre>`).join('\n')}
<h2>Routes</h2>${routeList}
</body></html>`;
}
