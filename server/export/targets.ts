/**
 * The bundle's targets: each writes its files into the staging folder and then checks them. A target
 * that cannot be written (pre-check refused, tool missing) throws, and its files are left out; a check
 * that fails keeps the files but is reported (and makes the CLI exit 1).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectModel, loadModel, type LoadedModel, type OnnxModel } from '../model';
import type { ModelInfo } from '../protocol/api';
import type { Signature } from '../protocol/signature';
import { VERSION } from '../protocol/version';
import { checkDockerfile } from './docker/dockerfile-rules';
import { renderDockerfile, renderDockerignore } from './docker/dockerfile';
import { deploymentObjects, inferenceServiceObject, k8sName, renderInferenceService, renderK8sYaml } from './k8s/manifests';
import { validateInferenceServiceYaml, validateK8sYaml } from './k8s/validate';
import { sizingForModel } from './k8s/plan-sizing';
import type { SampleRequests } from './sample-requests';
import { onnxruntimeVersion, writeServerFolder } from './server-bundle';
import { loadTfjsConverter, writeTfjsPage } from './tfjs-target';
import { describeUnsupported } from './tfjs';
import { renderTritonConfig, TRITON_TYPE, tritonConfig } from './triton/config';
import { explainTarget } from './explain-target';
import type { ExplainReport } from '../protocol/explain';
import { compareValues } from './verify/compare';
import { verifyBundledServer } from './verify/server-parity';
import type { ExportCheck, ExportTarget } from './types';

/** Everything a target needs, gathered once per export. */
export interface BundleContext {
  dir: string;
  sourcePath: string;
  info: ModelInfo;
  signature: Signature;
  decoded: OnnxModel;
  /** The graph onnxruntime serves (ZipMap replaced), for Triton. */
  servableBytes: Uint8Array;
  modelFile: string;
  signatureFile: string;
  samples: SampleRequests;
  dev: LoadedModel;
  verifyInstall: 'node-path' | 'npm-ci';
  signal?: AbortSignal;
  /** The explanation report the `explain` target wrote (for the README). */
  explanation?: ExplainReport;
}

export interface TargetWriter {
  target: ExportTarget;
  write(ctx: BundleContext): Promise<void>;
  verify(ctx: BundleContext): Promise<ExportCheck[]>;
}

/** Agreement needed between the bundled server (same onnxruntime) and the dev model: essentially exact. */
export const SERVER_TOLERANCE = 1e-6;
/** TF.js runs other kernels (float32 accumulation order differs): the issue's bar. */
export const TFJS_TOLERANCE = 1e-4;

export async function timedCheck(
  target: ExportCheck['target'],
  name: string,
  fn: () => Promise<Omit<ExportCheck, 'target' | 'name' | 'ms'>>,
): Promise<ExportCheck> {
  const started = performance.now();
  try {
    const r = await fn();
    return { target, name, ...r, ms: Math.round(performance.now() - started) };
  } catch (err) {
    return { target, name, status: 'fail', detail: (err as Error).message.split('\n')[0], ms: Math.round(performance.now() - started) };
  }
}

const problemsCheck = (problems: string[], okDetail: string): Omit<ExportCheck, 'target' | 'name' | 'ms'> =>
  problems.length ? { status: 'fail', detail: problems.slice(0, 5).join('; ') } : { status: 'pass', detail: okDetail };

function sameSignature(a: Signature, b: Signature): string[] {
  // Where each part came from (origins, source, notes) differs by design: the copy reads the signature file.
  const strip = (s: Signature): unknown => JSON.parse(JSON.stringify({ ...s, source: undefined, notes: undefined, origins: undefined }));
  const c = compareValues(strip(a), strip(b), 'signature', 0);
  return c.mismatches;
}

const onnx: TargetWriter = {
  target: 'onnx',
  async write() {
    /* model/ is written for every bundle (see index.ts) */
  },
  async verify(ctx) {
    return [
      await timedCheck('onnx', 'signature-roundtrip', async () => {
        const bundled = await inspectModel(join(ctx.dir, ctx.modelFile));
        return problemsCheck(
          sameSignature(ctx.signature, bundled.signature),
          `${ctx.modelFile} with ${ctx.signatureFile} gives the same signature as the dev model (` +
            `${ctx.signature.features.length} features, ${ctx.signature.outputs.length} outputs) ` +
            `without the reference CSV`,
        );
      }),
    ];
  },
};

const docker: TargetWriter = {
  target: 'docker',
  async write(ctx) {
    const folder = await writeServerFolder(ctx.dir, ctx.info.name);
    if (folder.lockfile === 'missing') throw new Error(`cannot make server/package-lock.json (npm ci needs it): ${folder.lockfileError}`);
    await writeFile(
      join(ctx.dir, 'Dockerfile'),
      renderDockerfile({ modelName: ctx.info.name, modelFile: ctx.modelFile, toolVersion: VERSION }),
    );
    await writeFile(join(ctx.dir, '.dockerignore'), renderDockerignore());
  },
  async verify(ctx) {
    const checks: ExportCheck[] = [];
    checks.push(
      await timedCheck('docker', 'server-parity', async () => {
        const r = await verifyBundledServer({
          bundleDir: ctx.dir,
          modelFile: ctx.modelFile,
          modelName: ctx.info.name,
          dev: ctx.dev,
          samples: ctx.samples,
          install: ctx.verifyInstall,
          tolerance: SERVER_TOLERANCE,
          signal: ctx.signal,
        });
        return { status: r.ok ? 'pass' : 'fail', detail: r.detail, measured: r.measured };
      }),
    );
    checks.push(
      await timedCheck('docker', 'dockerfile-rules', async () => {
        const violations = checkDockerfile(await readFile(join(ctx.dir, 'Dockerfile'), 'utf8'));
        return problemsCheck(
          violations.map((v) => `${v.line ? `line ${v.line}: ` : ''}${v.message} [${v.rule}]`),
          'pinned base image, npm ci --omit=dev before the code is ' +
            'copied, non-root USER, EXPOSE, ENV config, HEALTHCHECK ' +
            'on /v2/health/ready, CMD',
        );
      }),
    );
    checks.push(
      await timedCheck('docker', 'lockfile', async () => {
        const lock = JSON.parse(await readFile(join(ctx.dir, 'server/package-lock.json'), 'utf8')) as {
          packages?: Record<string, { version?: string }>;
        };
        const pinned = lock.packages?.['node_modules/onnxruntime-node']?.version;
        const want = onnxruntimeVersion();
        return problemsCheck(
          pinned === want ? [] : [`server/package-lock.json pins onnxruntime-node ${pinned ?? '(nothing)'}, this machine runs ${want}`],
          `server/package-lock.json pins onnxruntime-node ${want} (the version verified here)`,
        );
      }),
    );
    checks.push(
      await timedCheck('docker', 'docker-build', () =>
        Promise.resolve({
          status: 'skipped',
          detail: dockerEngineReachable()
            ? 'a Docker engine is reachable here, but Model Lab does not build images: run docker build . in the bundle'
            : 'Docker is not available on this machine (no reachable Docker ' +
              'engine): the image was not built; the server was run with ' +
              'node from the bundle and the Dockerfile checked by the ' +
              'parser instead',
        }),
      ),
    );
    return checks;
  },
};

/** A Docker CLI alone is not enough: `docker version` fails when it cannot reach an engine. */
function dockerEngineReachable(): boolean {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

const k8sHeader = (name: string): string => `# Kubernetes manifests for the '${name}' prediction server (exported by Model Lab).
# image: is a placeholder: build the image from the bundle's Dockerfile, push it, and set it here.
# kubectl apply -f k8s/
`;

const k8s: TargetWriter = {
  target: 'k8s',
  async write(ctx) {
    await mkdir(join(ctx.dir, 'k8s'), { recursive: true });
    const [deployment, service, hpa] = deploymentObjects({
      modelName: ctx.info.name,
      modelBytes: ctx.info.fileBytes,
      image: `${k8sName(ctx.info.name)}-server:1.0.0`,
      // Replicas, autoscaling and CPU from the capacity plan saved beside the model, when there is one.
      sizing: await sizingForModel(ctx.sourcePath),
    });
    await writeFile(join(ctx.dir, 'k8s/deployment.yaml'), renderK8sYaml([deployment], k8sHeader(ctx.info.name)));
    await writeFile(join(ctx.dir, 'k8s/service.yaml'), renderK8sYaml([service], k8sHeader(ctx.info.name)));
    await writeFile(join(ctx.dir, 'k8s/hpa.yaml'), renderK8sYaml([hpa], k8sHeader(ctx.info.name)));
  },
  async verify(ctx) {
    return [
      await timedCheck('k8s', 'k8s-schema', async () => {
        const files = ['deployment.yaml', 'service.yaml', 'hpa.yaml'];
        const text = (await Promise.all(files.map((f) => readFile(join(ctx.dir, 'k8s', f), 'utf8')))).join('\n---\n');
        return problemsCheck(
          validateK8sYaml(text, 'k8s/'),
          'Deployment (apps/v1), Service (v1), HorizontalPodAutoscaler ' +
            '(autoscaling/v2) valid against the Kubernetes schemas (kubernetes-models); ' +
            'probes on /v2/health/ready and /v2/health/live; requests ' +
            'and limits set',
        );
      }),
    ];
  },
};

const kserve: TargetWriter = {
  target: 'kserve',
  async write(ctx) {
    await mkdir(join(ctx.dir, 'kserve'), { recursive: true });
    await writeFile(
      join(ctx.dir, 'kserve/inferenceservice.yaml'),
      renderInferenceService(
        inferenceServiceObject({ modelName: ctx.info.name, modelBytes: ctx.info.fileBytes, sizing: await sizingForModel(ctx.sourcePath) }),
        ctx.info.name,
      ),
    );
  },
  async verify(ctx) {
    return [
      await timedCheck('kserve', 'kserve-schema', async () =>
        problemsCheck(
          validateInferenceServiceYaml(
            await readFile(join(ctx.dir, 'kserve/inferenceservice.yaml'), 'utf8'),
            'kserve/inferenceservice.yaml',
          ),
          'InferenceService valid against the bundled minimal KServe ' +
            'v1beta1 schema (modelFormat onnx, protocolVersion v2, storageUri ' +
            'placeholder)',
        ),
      ),
    ];
  },
};

const triton: TargetWriter = {
  target: 'triton',
  async write(ctx) {
    const dir = join(ctx.dir, 'triton', ctx.info.name);
    await mkdir(join(dir, '1'), { recursive: true });
    await writeFile(join(dir, '1', 'model.onnx'), ctx.servableBytes);
    await writeFile(
      join(dir, 'config.pbtxt'),
      renderTritonConfig(tritonConfig(ctx.info.name, ctx.info.inputs, ctx.info.outputs, ctx.signature)),
    );
  },
  async verify(ctx) {
    return [
      await timedCheck('triton', 'triton-model', async () => {
        const dir = join(ctx.dir, 'triton', ctx.info.name);
        const problems = checkTritonConfig(await readFile(join(dir, 'config.pbtxt'), 'utf8'), ctx.info);
        // The copy must load and answer like the dev model with tensor outputs only (Triton's ORT backend).
        const copy = await loadModel(join(dir, '1', 'model.onnx'), { signaturePath: join(ctx.dir, ctx.signatureFile) });
        try {
          if (copy.info.rewrites.length) problems.push(`1/model.onnx still needs rewrites: ${copy.info.rewrites.join('; ')}`);
          const expected = await ctx.dev.run(ctx.samples.tensors);
          const got = await copy.run(ctx.samples.tensors);
          const toJs = (ts: typeof got): unknown =>
            ts.map((t) => Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? Number(v) : v)));
          problems.push(...compareValues(toJs(expected), toJs(got), 'triton model', SERVER_TOLERANCE).mismatches);
        } finally {
          await copy.dispose();
        }
        return problemsCheck(
          problems,
          `config.pbtxt matches the graph's ${ctx.info.inputs.length} input(s) and ` +
            `${ctx.info.outputs.length} output(s); 1/model.onnx runs in onnxruntime with tensor ` +
            `outputs and answers like the dev model`,
        );
      }),
    ];
  },
};

/** Reads back name / data_type / dims of each input/output block and compares with the graph. */
export function checkTritonConfig(text: string, info: ModelInfo): string[] {
  const problems: string[] = [];
  if (!/platform:\s*"onnxruntime_onnx"/.test(text)) problems.push('config.pbtxt: platform is not onnxruntime_onnx');
  const batched = Number(/max_batch_size:\s*(\d+)/.exec(text)?.[1] ?? 'NaN') > 0;
  for (const [section, tensors] of [
    ['input', info.inputs],
    ['output', info.outputs],
  ] as const) {
    const body = new RegExp(`\\n${section} \\[([\\s\\S]*?)\\n\\]`).exec(text)?.[1] ?? '';
    const blocks = [...body.matchAll(/name:\s*"([^"]*)"\s*data_type:\s*(\w+)\s*dims:\s*\[([^\]]*)\]/g)];
    if (blocks.length !== tensors.length) problems.push(`config.pbtxt: ${blocks.length} ${section}(s), the graph has ${tensors.length}`);
    for (const t of tensors) {
      const b = blocks.find((m) => m[1] === t.name);
      if (!b) {
        problems.push(`config.pbtxt: no ${section} '${t.name}'`);
        continue;
      }
      if (b[2] !== TRITON_TYPE[t.dtype]) problems.push(`config.pbtxt: ${section} '${t.name}' has ${b[2]}, the graph ${t.dtype}`);
      const rank = b[3].split(',').filter((d) => d.trim()).length;
      const expectedRank = Math.max(1, t.dims.length - (batched ? 1 : 0));
      if (rank !== expectedRank) problems.push(`config.pbtxt: ${section} '${t.name}' has ${rank} dims, expected ${expectedRank}`);
    }
  }
  return problems;
}

const tfjs: TargetWriter = {
  target: 'tfjs',
  async write(ctx) {
    const { api, reason } = loadTfjsConverter();
    if (!api) throw new Error(reason);
    const unsupported = api.precheck(ctx.decoded);
    if (unsupported.length) {
      // Grouped by reason: "2 nodes: LSTM (a, b) — …", every node named (up to 6 per group).
      throw new Error(`the TF.js converter does not support ${describeUnsupported(unsupported)}`);
    }
    const dir = join(ctx.dir, 'tfjs');
    const names = await api.convertAndWrite(ctx.decoded, dir);
    await writeTfjsPage(dir, ctx.samples.tensors, names);
  },
  async verify(ctx) {
    return [
      await timedCheck('tfjs', 'tfjs-parity', async () => {
        const { api } = loadTfjsConverter();
        if (!api || !existsSync(join(ctx.dir, 'tfjs/model.json'))) return { status: 'skipped', detail: 'no TF.js model was written' };
        const expected = await ctx.dev.run(ctx.samples.tensors);
        const r = await api.parity(join(ctx.dir, 'tfjs'), ctx.samples.tensors, expected);
        const measured = { maxAbsDiff: r.maxAbsDiff, tolerance: TFJS_TOLERANCE, rows: ctx.samples.rows };
        return r.maxAbsDiff <= TFJS_TOLERANCE
          ? {
              status: 'pass',
              detail:
                `@tensorflow/tfjs (cpu backend) vs onnxruntime on ${ctx.samples.rows} sample row(s), ` +
                `outputs ${r.compared.join(', ')}: max abs diff ${r.maxAbsDiff.toExponential(2)} ≤ ${TFJS_TOLERANCE}`,
              measured,
            }
          : {
              status: 'fail',
              detail:
                `TF.js differs from onnxruntime by up to ${r.maxAbsDiff.toExponential(2)} (tolerance ` +
                `${TFJS_TOLERANCE}) on outputs ${r.compared.join(', ')}`,
              measured,
            };
      }),
    ];
  },
};

export const TARGET_WRITERS: Record<ExportTarget, TargetWriter> = { onnx, docker, k8s, kserve, triton, tfjs, explain: explainTarget };
