/**
 * `k8s/`: Deployment (probes on the OIP health routes, resource requests/limits, hardened pod), Service
 * and HorizontalPodAutoscaler (autoscaling/v2) for the bundled server's image; and
 * `kserve/inferenceservice.yaml` for clusters that run KServe (Triton serves the ONNX file there).
 * Objects are built as data and written with the `yaml` package, so they are valid YAML by construction;
 * `validate.ts` checks them against the Kubernetes schemas.
 */
import { Document, isScalar } from 'yaml';
import { CONTAINER_PORT } from '../docker/dockerfile';
import { defaultSizing, type ManifestComment, type ManifestSizing } from './plan-sizing';

/** What each object should say: a note above it and comments beside sized values (see plan-sizing.ts). */
const annotations = new WeakMap<object, { note: string[]; comments: ManifestComment[] }>();

/** One object as YAML, with its note above and its comments beside the values they explain. */
function stringifyCommented(obj: Record<string, unknown>): string {
  const doc = new Document(obj, { aliasDuplicateObjects: false });
  const said = annotations.get(obj);
  if (said) {
    if (said.note.length) doc.commentBefore = said.note.map((line) => ` ${line}`).join('\n');
    for (const c of said.comments) {
      const node = doc.getIn(c.path, true);
      if (isScalar(node)) node.comment = c.text;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** A Kubernetes object name (RFC 1123 label, also what KServe accepts): lower-case, digits, '-'. */
export function k8sName(modelName: string): string {
  const name = modelName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .replace(/-+$/, '')
    .slice(0, 50);
  return name || 'model';
}

/** Memory for the container: the runtime, the model's weights (several copies while loading), headroom. */
export function memoryMi(modelBytes: number): { request: number; limit: number } {
  const mi = Math.ceil(modelBytes / (1024 * 1024));
  const request = Math.max(256, 256 + 4 * mi);
  return { request, limit: Math.max(512, 2 * request) };
}

export function deploymentObjects(options: {
  modelName: string;
  modelBytes: number;
  image: string;
  /** From the saved capacity plan (plan-sizing.ts); default: today's sizes and a note on how to plan. */
  sizing?: ManifestSizing;
}): Record<string, unknown>[] {
  const sizing = options.sizing ?? defaultSizing();
  const app = k8sName(options.modelName);
  const labels = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/component': 'predictor', 'app.kubernetes.io/managed-by': 'model-lab' };
  const selector = { 'app.kubernetes.io/name': app, 'app.kubernetes.io/component': 'predictor' };
  const memory = memoryMi(options.modelBytes);
  const deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, labels },
    spec: {
      replicas: sizing.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels,
          annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(CONTAINER_PORT), 'prometheus.io/path': '/metrics' },
        },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'server',
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              ports: [{ name: 'http', containerPort: CONTAINER_PORT, protocol: 'TCP' }],
              env: [
                { name: 'HOST', value: '0.0.0.0' },
                { name: 'PORT', value: String(CONTAINER_PORT) },
                // onnxruntime would otherwise size its thread pool to the node's cores, not the CPU limit.
                { name: 'THREADS', value: String(sizing.threads) },
              ],
              resources: {
                requests: { cpu: sizing.cpu.request, memory: `${memory.request}Mi` },
                limits: { cpu: sizing.cpu.limit, memory: `${memory.limit}Mi` },
              },
              // The model loads and warms up before /v2/health/ready answers 200.
              startupProbe: { httpGet: { path: '/v2/health/live', port: 'http' }, periodSeconds: 2, failureThreshold: 60 },
              readinessProbe: {
                httpGet: { path: '/v2/health/ready', port: 'http' },
                periodSeconds: 10,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              livenessProbe: {
                httpGet: { path: '/v2/health/live', port: 'http' },
                periodSeconds: 20,
                timeoutSeconds: 2,
                failureThreshold: 3,
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: app, labels },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }] },
  };
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: app, labels },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: app },
      minReplicas: sizing.hpa.min,
      maxReplicas: sizing.hpa.max,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: sizing.hpa.cpuUtilization } } },
      ],
    },
  };
  annotations.set(deployment, { note: sizing.note, comments: sizing.comments.deployment });
  annotations.set(hpa, { note: sizing.note, comments: sizing.comments.hpa });
  return [deployment, service, hpa];
}

export function renderK8sYaml(objects: Record<string, unknown>[], header: string): string {
  return `${header}${objects.map(stringifyCommented).join('---\n')}`;
}

export function inferenceServiceObject(options: {
  modelName: string;
  modelBytes: number;
  sizing?: ManifestSizing;
}): Record<string, unknown> {
  const sizing = options.sizing ?? defaultSizing();
  const memory = memoryMi(options.modelBytes);
  const cpu = { requests: sizing.cpu.request, limits: sizing.cpu.limit };
  const obj = {
    apiVersion: 'serving.kserve.io/v1beta1',
    kind: 'InferenceService',
    metadata: { name: k8sName(options.modelName), labels: { 'app.kubernetes.io/managed-by': 'model-lab' } },
    spec: {
      predictor: {
        minReplicas: sizing.kserve.minReplicas,
        maxReplicas: sizing.kserve.maxReplicas,
        ...(sizing.kserve.containerConcurrency === null ? {} : { containerConcurrency: sizing.kserve.containerConcurrency }),
        model: {
          modelFormat: { name: 'onnx' },
          protocolVersion: 'v2',
          storageUri: 's3://YOUR-BUCKET/models/' + k8sName(options.modelName),
          resources: {
            requests: { cpu: cpu.requests, memory: `${memory.request}Mi` },
            limits: { cpu: cpu.limits, memory: `${memory.limit}Mi` },
          },
        },
      },
    },
  };
  annotations.set(obj, { note: sizing.note, comments: sizing.comments.kserve });
  return obj;
}

export function renderInferenceService(obj: Record<string, unknown>, modelName: string): string {
  const name = k8sName(modelName);
  return `# KServe InferenceService for the '${modelName}' model (exported by Model Lab).
# KServe serves ONNX with its Triton runtime over the Open Inference Protocol v2:
#   - modelFormat.name: onnx and protocolVersion: v2 select that runtime (without protocolVersion: v2,
#     KServe answers "no runtime found").
#   - storageUri is a PLACEHOLDER: upload triton/${modelName}/1/model.onnx from this bundle as
#     s3://YOUR-BUCKET/models/${name}/model.onnx (or gs://, pvc://…) and set storageUri to that folder.
#   - To serve the whole Triton repository instead (with its config.pbtxt and dynamic batching), upload
#     triton/ and use modelFormat.name: triton.
# Apply: kubectl apply -f kserve/inferenceservice.yaml
# Check: kubectl get inferenceservice ${name}   (READY=True), then POST /v2/models/${name}/infer
${stringifyCommented(obj)}`;
}
