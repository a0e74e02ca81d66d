/**
 * A minimal JSON schema for KServe's `serving.kserve.io/v1beta1` InferenceService, written from the
 * CRD fields the bundle uses (no npm package ships KServe's schemas). Where the CRD is open, this is
 * strict on the fields we write, so a typo (`protocolversion`) fails here instead of being pruned
 * silently by the API server.
 */
const quantity = {
  anyOf: [
    { type: 'integer' },
    { type: 'string', pattern: '^[+-]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][+-]?[0-9]+|[numkMGTPE]i?|[KMGTPE]i)?$' },
  ],
};
const resourceList = { type: 'object', additionalProperties: quantity };

export const INFERENCE_SERVICE_SCHEMA = {
  $id: 'model-lab/kserve-inferenceservice-v1beta1',
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { const: 'serving.kserve.io/v1beta1' },
    kind: { const: 'InferenceService' },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        // KServe names become DNS labels of the predictor's host name (RFC 1035 label).
        name: { type: 'string', pattern: '^[a-z]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: {
      type: 'object',
      required: ['predictor'],
      properties: {
        predictor: {
          type: 'object',
          required: ['model'],
          properties: {
            minReplicas: { type: 'integer', minimum: 0 },
            maxReplicas: { type: 'integer', minimum: 0 },
            scaleTarget: { type: 'integer', minimum: 1 },
            // Requests one pod takes at once (0 = no limit); the export sets it from the load test's knee.
            containerConcurrency: { type: 'integer', minimum: 0 },
            scaleMetric: { enum: ['cpu', 'memory', 'concurrency', 'rps'] },
            serviceAccountName: { type: 'string' },
            model: {
              type: 'object',
              required: ['modelFormat', 'storageUri'],
              additionalProperties: false,
              properties: {
                modelFormat: {
                  type: 'object',
                  required: ['name'],
                  additionalProperties: false,
                  properties: { name: { type: 'string', minLength: 1 }, version: { type: 'string' } },
                },
                protocolVersion: { enum: ['v1', 'v2', 'grpc-v1', 'grpc-v2'] },
                runtime: { type: 'string' },
                storageUri: { type: 'string', pattern: '^(s3|gs|pvc|https?|hdfs|webhdfs|oci|hf)://.+' },
                resources: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { requests: resourceList, limits: resourceList },
                },
                env: { type: 'array', items: { type: 'object', required: ['name'] } },
                args: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  },
} as const;
