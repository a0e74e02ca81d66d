/**
 * The bundle's README.md, for the engineer who receives it: what the model is (its signature), how to
 * run each exported target, sample requests made from the real signature and reference rows, and what
 * Model Lab verified (Docker itself was not available, so what was checked instead).
 */
import type { ModelInfo } from '../protocol/api';
import type { Signature } from '../protocol/signature';
import type { ExplainReport } from '../protocol/explain';
import { CONTAINER_PORT } from './docker/dockerfile';
import { explanationSection } from './explain-readme';
import { k8sName } from './k8s/manifests';
import { curlCommand, type SampleRequests } from './sample-requests';
import type { ExportCheck, ExportTarget, TargetFailure } from './types';

export interface ReadmeInput {
  info: ModelInfo;
  signature: Signature;
  modelFile: string;
  signatureFile: string;
  variant: string | null;
  samples: SampleRequests;
  written: ExportTarget[];
  failed: TargetFailure[];
  checks: ExportCheck[];
  toolVersion: string;
  onnxruntimeVersion: string;
  nodeVersion: string;
  /** The explanation report the `explain` target wrote, if it was exported. */
  explanation?: ExplainReport;
}

const dims = (d: (number | string | null)[]): string => `[${d.map((x) => (x === null ? '?' : x)).join(', ')}]`;

function signatureSection(info: ModelInfo, s: Signature): string {
  const features = s.features.map((f) => {
    const extra = f.categories
      ? `one of ${f.categories
          .slice(0, 8)
          .map((c) => `\`${c}\``)
          .join(', ')}${f.categories.length > 8 ? ', …' : ''}`
      : f.min !== undefined && f.max !== undefined
        ? `reference range ${f.min} … ${f.max}`
        : '';
    return `| \`${f.name}\` | ${f.kind} | \`${f.input}\` | ${extra}${f.description ? ` ${f.description}` : ''} |`;
  });
  const outputs = s.outputs.map(
    (o) =>
      `| \`${o.tensor}\` | ${o.dtype} ${dims(o.dims)} | ${o.role}` +
      `${o.classNames ? `: ${o.classNames.map((c) => `\`${c}\``).join(', ')}` : ''} |`,
  );
  return [
    `Task: **${s.task}**. Batch: ${s.batch.dynamic ? 'any number of rows per request' : `exactly ${s.batch.size} row(s) per request`}.`,
    '',
    '| input tensor | type | shape |',
    '|---|---|---|',
    ...info.inputs.map((t) => `| \`${t.name}\` | ${t.dtype} | ${dims(t.dims)} |`),
    '',
    ...(features.length ? ['| feature | kind | tensor | values |', '|---|---|---|---|', ...features, ''] : []),
    '| output | type | meaning |',
    '|---|---|---|',
    ...outputs,
    ...(s.notes.length ? ['', ...s.notes.map((n) => `- ${n}`)] : []),
    ...info.rewrites.filter((r) => !s.notes.includes(r)).map((r) => `- Served graph: ${r}`),
  ].join('\n');
}

/** A JSON body with one list item per line: readable, and still valid JSON to paste. */
function listBody(head: Record<string, unknown>, key: string, items: unknown[]): string {
  const fields = Object.entries(head)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  return ['{', ...fields, `  ${JSON.stringify(key)}: [`, items.map((i) => `    ${JSON.stringify(i)}`).join(',\n'), '  ]', '}'].join('\n');
}

function requestsSection(name: string, samples: SampleRequests): string {
  const base = `http://localhost:${CONTAINER_PORT}`;
  const oip = JSON.stringify(samples.oip);
  const parts = [
    `Open Inference Protocol v2 (\`POST /v2/models/${name}/infer\`; also Triton and KServe):`,
    '',
    '```json',
    oip.length > 4000 ? `${oip.slice(0, 4000)} …(truncated)` : listBody({ id: samples.oip.id }, 'inputs', samples.oip.inputs),
    '```',
    '',
  ];
  if (samples.v1) {
    parts.push(
      `TF Serving / KServe v1 (\`POST /v1/models/${name}:predict\`), rows as \`{feature: value}\`:`,
      '',
      '```json',
      listBody({}, 'instances', samples.v1.instances),
      '```',
      '',
    );
  }
  parts.push('With curl:', '', '```sh', `curl -sf ${base}/v2/health/ready && echo ready`);
  if (oip.length <= 4000) parts.push(curlCommand(`${base}/v2/models/${name}/infer`, samples.oip));
  if (samples.v1) parts.push(curlCommand(`${base}/v1/models/${name}:predict`, samples.v1));
  parts.push('```');
  return parts.join('\n');
}

function howToRun(input: ReadmeInput): string {
  const name = input.info.name;
  const app = k8sName(name);
  const out: string[] = [];
  const has = (t: ExportTarget): boolean => input.written.includes(t);
  if (has('docker')) {
    out.push(
      '### Server with plain Node (no Docker)',
      '',
      `Node ${input.nodeVersion.split('.')[0]}+; installs only onnxruntime-node ` +
        `${input.onnxruntimeVersion} and its dependencies, at the exact versions and hashes this ` +
        `bundle was verified with (server/package-lock.json):`,
      '',
      '```sh',
      'cd server && ONNXRUNTIME_NODE_INSTALL=skip npm ci --omit=dev && cd ..',
      `PORT=${CONTAINER_PORT} node server/index.js     # HOST defaults to 127.0.0.1`,
      '```',
      '',
      "`ONNXRUNTIME_NODE_INSTALL=skip`: onnxruntime-node's install " +
        'script would download CUDA binaries from NuGet on Linux ' +
        'x64; the CPU binaries the server uses ship inside the npm package. ' +
        'npm 11+ does not run it anyway (`allowScripts` in server/package.json denies it); older npm does unless told to skip.',
      '',
      'Environment: `MODEL_PATH` (default: the .onnx in model/), ' +
        '`HOST`, `PORT`, `THREADS` (onnxruntime threads), `BATCH_MAX`, ' +
        '`BATCH_DELAY_MS`, `BATCHING=off`. ' +
        'Routes: OIP v2, `/v1/models/…:predict`, `/invocations` ' +
        '(MLflow), CSV batch, `/metrics` (Prometheus), `/openapi.json`, ' +
        '`/docs`, the form at `/`. One JSON ready line on stdout; ' +
        'SIGTERM drains in-flight requests.',
      '',
      '### Docker',
      '',
      '```sh',
      `docker build -t ${app}-server:1.0.0 .`,
      `docker run --rm -p ${CONTAINER_PORT}:${CONTAINER_PORT} ${app}-server:1.0.0`,
      '```',
      '',
      'The image runs as the unprivileged `node` user, has a HEALTHCHECK ' +
        'on `/v2/health/ready`, and installs production dependencies only. ' +
        '**Docker was not available on the machine that made this ' +
        'bundle**: the image was not built here. What was verified ' +
        'instead is listed below ' +
        '(the bundled server run with node from this folder, and the Dockerfile checked by a parser against these rules).',
      '',
    );
  }
  if (has('k8s')) {
    out.push(
      '### Kubernetes',
      '',
      `Push the image, set it in \`k8s/deployment.yaml\` (\`image: ${app}-server:1.0.0\` is a placeholder), then:`,
      '',
      '```sh',
      'kubectl apply -f k8s/',
      `kubectl port-forward svc/${app} ${CONTAINER_PORT}:80`,
      '```',
      '',
      'Deployment with readiness (`/v2/health/ready`) and liveness ' +
        '(`/v2/health/live`) probes, resource requests/limits, a ' +
        'non-root read-only pod; a ClusterIP Service; a HorizontalPodAutoscaler ' +
        '(2–10 replicas at 70 % CPU).',
      '',
    );
  }
  if (has('kserve')) {
    out.push(
      '### KServe',
      '',
      'Upload the model and set `storageUri` in `kserve/inferenceservice.yaml` ' +
        '(see the comments there), then `kubectl apply -f kserve/inferenceservice.yaml`. ' +
        `KServe serves it with Triton under the name \`${app}\`.`,
      '',
    );
  }
  if (has('triton')) {
    out.push(
      '### Triton Inference Server',
      '',
      '```sh',
      'tritonserver --model-repository=$PWD/triton',
      '```',
      '',
      `\`triton/${name}/config.pbtxt\` declares the inputs/outputs` +
        `${input.signature.batch.dynamic ? ' and dynamic batching' : ''}; \`triton/` +
        `${name}/1/model.onnx\` is the servable graph` +
        `${input.info.rewrites.length ? ' (with the rewrites listed above, since Triton returns tensors only)' : ''}.`,
      '',
    );
  }
  if (has('tfjs')) {
    out.push(
      '### TF.js (browser or Node)',
      '',
      "`tfjs/model.json` + weight shards is a TF.js graph model: `await tf.loadGraphModel('tfjs/model.json')`. " +
        '`tfjs/index.html` loads it with the vendored `@tensorflow/tfjs` ' +
        '(no CDN) and runs the sample input; serve the folder over ' +
        'HTTP (`npx http-server tfjs`), browsers do not fetch from `file://`.',
      '',
    );
  }
  return out.join('\n');
}

function checksSection(checks: ExportCheck[], failed: TargetFailure[]): string {
  const icon = { pass: 'pass', fail: '**FAIL**', skipped: 'skipped' };
  return [
    '| target | check | result | detail |',
    '|---|---|---|---|',
    ...checks.map((c) => `| ${c.target} | ${c.name} | ${icon[c.status]} | ${c.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`),
    ...(failed.length ? ['', 'Not exported:', ...failed.map((f) => `- **${f.target}**: ${f.reason}`)] : []),
  ].join('\n');
}

export function renderReadme(input: ReadmeInput): string {
  const { info } = input;
  const sourceFile = info.path.split(/[\\/]/).pop() ?? info.path;
  const producer = `${info.producer.name || 'unknown'} ${info.producer.version}`;
  const parameters = info.parameterCount.toLocaleString('en-US');
  const opsets = info.opsets.map((o) => `${o.domain || 'ai.onnx'} ${o.version}`).join(', ');
  const readsItself = 'the server reads it automatically';
  return `# ${info.name} — deployment bundle

Exported by Model Lab ${input.toolVersion} from \`${sourceFile}\`${input.variant ? ` (variant: ${input.variant})` : ''}.
Producer: ${producer}; ${parameters} parameters, ${info.nodeCount} nodes; opsets ${opsets}.
Every file and its sha256 is listed in \`MANIFEST.json\`, with the checks below.

## The model

\`${input.modelFile}\` with its signature \`${input.signatureFile}\` (how named features map onto tensors; ${readsItself}).

${signatureSection(info, input.signature)}

## Sample requests

${requestsSection(info.name, input.samples)}

## How to run

${howToRun(input)}
${input.explanation ? `${explanationSection(input.explanation)}\n` : ''}## Verified before handoff

${checksSection(input.checks, input.failed)}
`;
}
