/**
 * Validates the bundle's YAML: Deployment/Service/HorizontalPodAutoscaler against the Kubernetes
 * OpenAPI schemas bundled in `kubernetes-models` (its `validate()` runs ajv over them), the
 * InferenceService against our minimal KServe schema (ajv), plus the rules the export promises
 * (probes on the OIP health routes, resource requests and limits, onnx + v2 for KServe).
 */
import Ajv from 'ajv';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { INFERENCE_SERVICE_SCHEMA } from './inference-service.schema';

/** A parsed YAML mapping; its fields are read with {@link at}, which never assumes a shape. */
type Obj = Record<string, unknown>;

/** `at(doc, 'spec', 'template')`: the value at that path, or undefined where the path breaks off. */
function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) {
    if (!here || typeof here !== 'object') return undefined;
    here = (here as Record<string, unknown>)[key];
  }
  return here;
}

/** A scalar as text for a message ('' for anything else). */
const scalar = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

/** Parses every YAML document; a syntax error names the file and line. */
export function parseYamlDocuments(text: string, file: string): Obj[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length) {
      const e = doc.errors[0];
      throw new Error(`${file}: YAML error at line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS();
    if (!value || typeof value !== 'object') throw new Error(`${file}: document ${i + 1} is not a mapping`);
    return value as Obj;
  });
}

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'v1/Service': Service,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};

/** Problems found in the k8s manifests (empty = valid). */
export function validateK8sYaml(text: string, file: string): string[] {
  const problems: string[] = [];
  let docs: Obj[];
  try {
    docs = parseYamlDocuments(text, file);
  } catch (err) {
    return [(err as Error).message];
  }
  const kinds = docs.map((d) => `${scalar(d.apiVersion)}/${scalar(d.kind)}`);
  for (const required of Object.keys(MODELS)) if (!kinds.includes(required)) problems.push(`${file}: no ${required}`);
  docs.forEach((doc, i) => {
    const key = `${scalar(doc.apiVersion)}/${scalar(doc.kind)}`;
    const Model = MODELS[key];
    const where = `${file} document ${i + 1} (${scalar(doc.kind) || '?'} ${scalar(at(doc, 'metadata', 'name'))})`.trim();
    if (!Model) {
      problems.push(`${where}: unexpected kind ${key}`);
      return;
    }
    try {
      new Model(doc as never).validate();
    } catch (err) {
      problems.push(`${where}: ${(err as Error).message}`);
    }
    if (doc.kind === 'Deployment') problems.push(...deploymentRules(doc, where));
  });
  return problems;
}

function deploymentRules(doc: Obj, where: string): string[] {
  const problems: string[] = [];
  const listed = at(doc, 'spec', 'template', 'spec', 'containers');
  const containers = Array.isArray(listed) ? (listed as unknown[]) : [];
  for (const c of containers) {
    const name = scalar(at(c, 'name'));
    if (at(c, 'readinessProbe', 'httpGet', 'path') !== '/v2/health/ready')
      problems.push(`${where}: container ${name} readinessProbe must GET /v2/health/ready`);
    if (at(c, 'livenessProbe', 'httpGet', 'path') !== '/v2/health/live')
      problems.push(`${where}: container ${name} livenessProbe must GET /v2/health/live`);
    for (const kind of ['requests', 'limits']) {
      for (const r of ['cpu', 'memory'])
        if (at(c, 'resources', kind, r) === undefined) problems.push(`${where}: container ${name} has no resources.${kind}.${r}`);
    }
  }
  if (at(doc, 'spec', 'template', 'spec', 'securityContext', 'runAsNonRoot') !== true)
    problems.push(`${where}: pod securityContext.runAsNonRoot must be true`);
  return problems;
}

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Problems found in the KServe InferenceService (empty = valid). */
export function validateInferenceServiceYaml(text: string, file: string): string[] {
  let docs: Obj[];
  try {
    docs = parseYamlDocuments(text, file);
  } catch (err) {
    return [(err as Error).message];
  }
  if (docs.length !== 1) return [`${file}: expected one InferenceService document, found ${docs.length}`];
  compiled ??= new Ajv({ allErrors: true, strict: false }).compile(INFERENCE_SERVICE_SCHEMA);
  const doc = docs[0];
  const problems = compiled(doc)
    ? []
    : (compiled.errors ?? []).map((e) => {
        const extra = e.params && 'additionalProperty' in e.params ? ` '${scalar(e.params.additionalProperty)}'` : '';
        return `${file}: ${e.instancePath || '(top level)'} ${e.message ?? ''}${extra}`;
      });
  const model = at(doc, 'spec', 'predictor', 'model');
  if (at(model, 'modelFormat', 'name') !== 'onnx') problems.push(`${file}: spec.predictor.model.modelFormat.name must be onnx`);
  if (at(model, 'protocolVersion') !== 'v2')
    problems.push(`${file}: spec.predictor.model.protocolVersion must be v2 (KServe finds no ONNX runtime otherwise)`);
  return problems;
}
