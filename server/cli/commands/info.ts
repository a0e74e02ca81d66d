/** `model-lab info <model>`: what a model file is, without starting a session. */
import { inspectModel } from '../../model/index';
import type { ModelInfo } from '../../protocol/api';
import type { Dim, Signature, TensorInfo } from '../../protocol/signature';
import { parseCommandLine, requireFile } from '../args';
import type { Command } from '../command';

const usage = `Usage: model-lab info <model.onnx> [--json] [--reference <csv>]

Describes a model: its signature (features, task, classes), inputs and outputs, opsets, producer,
parameter count, op histogram and size. Reads the file only; no onnxruntime session is created.

Options:
  --json             print {"info": ..., "signature": ...} as JSON instead of tables
  --reference <csv>  reference data, used to name features like the server would

Example: model-lab info samples/iris/iris.onnx --reference samples/iris/reference.csv`;

const info: Command = {
  name: 'info',
  summary: 'describe a model: signature, inputs/outputs, opsets, parameters, ops',
  usage,
  async run(args) {
    const { values, positionals } = parseCommandLine(
      'info',
      args,
      {
        json: { type: 'boolean' },
        reference: { type: 'string' },
      },
      ['model'],
    );
    const modelPath = requireFile(positionals[0], 'model file');
    const referenceCsv = typeof values.reference === 'string' ? requireFile(values.reference, 'reference CSV') : undefined;
    const { info: modelInfo, signature } = await inspectModel(modelPath, { referenceCsv });
    process.stdout.write(values.json ? `${JSON.stringify({ info: modelInfo, signature }, null, 2)}\n` : formatInfo(modelInfo, signature));
    return 0;
  },
};

export default info;

/** The human-readable report: a header block, then tables. Exported for tests and other faces. */
export function formatInfo(m: ModelInfo, s: Signature): string {
  const lines: string[] = [];
  const opsets = m.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const header: [string, string][] = [
    ['Model', `${m.name}  (${m.path})`],
    ['Size', formatBytes(m.fileBytes)],
    ['Producer', `${m.producer.name || 'unknown'} ${m.producer.version}`.trim()],
    ['Format', `IR ${m.irVersion}; opsets ${opsets || 'none'}${m.modelVersion ? `; model version ${m.modelVersion}` : ''}`],
    [
      'Graph',
      `${m.nodeCount.toLocaleString('en-US')} nodes, ` +
        `${m.parameterCount.toLocaleString('en-US')} parameters in ${m.initializerCount} initializers`,
    ],
    ['Task', s.task + (s.classNames?.length ? ` (${s.classNames.length} classes: ${truncateList(s.classNames, 10)})` : '')],
    ['Batch', s.batch.dynamic ? 'dynamic (any number of rows; batching possible)' : `fixed: exactly ${s.batch.size ?? '?'} row(s) per run`],
    ...signatureLines(s),
  ];
  if (m.docString) header.push(['Doc', m.docString.split('\n')[0]]);
  const keyWidth = Math.max(...header.map(([k]) => k.length));
  for (const [k, v] of header) lines.push(`${k.padEnd(keyWidth)}  ${v}`);

  lines.push(
    '',
    'Inputs',
    ...table(
      ['name', 'dtype', 'shape', 'binding'],
      m.inputs.map((t) => {
        const b = s.inputs.find((x) => x.tensor === t.name);
        return [
          t.name,
          t.dtype,
          shape(t),
          b ? `${b.kind}${b.features.length ? ` (${b.features.length} feature${b.features.length > 1 ? 's' : ''})` : ''}` : '',
        ];
      }),
    ),
  );
  lines.push(
    '',
    'Outputs',
    ...table(
      ['name', 'dtype', 'shape', 'role'],
      m.outputs.map((t) => {
        const b = s.outputs.find((x) => x.tensor === t.name);
        return [t.name, t.dtype, shape(t), b?.role ?? '(not served)'];
      }),
    ),
  );
  if (s.features.length) {
    lines.push(
      '',
      `Features (${s.features.length})`,
      ...table(
        ['name', 'kind', 'input', 'values'],
        s.features.map((f) => [
          f.name,
          f.kind,
          f.column === undefined ? f.input : `${f.input}[${f.column}]`,
          f.categories?.length
            ? truncateList(f.categories, 8)
            : f.min !== undefined || f.max !== undefined
              ? `${f.min ?? '?'} … ${f.max ?? '?'}`
              : '',
        ]),
      ),
    );
  }
  const ops = Object.entries(m.opHistogram).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (ops.length)
    lines.push(
      '',
      'Ops',
      ...table(
        ['op', 'count'],
        ops.map(([op, n]) => [op, String(n)]),
      ),
    );
  const metadata = Object.entries(m.metadata);
  if (metadata.length)
    lines.push(
      '',
      'Metadata',
      ...table(
        ['key', 'value'],
        metadata.map(([k, v]) => [k, v.length > 60 ? `${v.slice(0, 60)}…` : v]),
      ),
    );
  const notes = [...new Set([...m.rewrites, ...s.notes])];
  if (notes.length) lines.push('', 'Notes', ...notes.map((n) => `  - ${n}`));
  return `${lines.join('\n')}\n`;
}

/** Where each part of the signature came from (`Signature`: features, then task, classes, target). */
function signatureLines(s: Signature): [string, string][] {
  const o = s.origins;
  if (!o) return [['Signature', `from ${s.source}${s.target ? `; target column '${s.target}'` : ''}`]];
  return [
    ['Signature', `inputs: ${o.features}`],
    ['', `task ${s.task}: from ${o.task}`],
    ...(o.classes ? [['', `class names: from ${o.classes}`] as [string, string]] : []),
    ...(s.target ? [['', `target column '${s.target}': from ${o.target ?? 'the signature'}`] as [string, string]] : []),
  ];
}

function shape(t: TensorInfo): string {
  return `[${t.dims.map((d: Dim) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ')}`.trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function truncateList(items: string[], max: number): string {
  return items.slice(0, max).join(', ') + (items.length > max ? `, … (+${items.length - max})` : '');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
