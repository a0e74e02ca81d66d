/**
 * The checks behind the bundle: the Dockerfile parser and rules (the generated Dockerfile passes, a
 * broken one fails each rule at its line), and schema validation of the Kubernetes and KServe YAML
 * (generated passes; a wrong type, a missing probe, a typo'd field, a missing protocolVersion fail).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parse, stringify } from 'yaml';
import { checkDockerfile, parseDockerfile, validateInferenceServiceYaml, validateK8sYaml } from '../../server/export';
import { baseImagePinned } from '../../server/export/docker/dockerfile-rules';
import { renderDockerfile } from '../../server/export/docker/dockerfile';
import { deploymentObjects, inferenceServiceObject, renderInferenceService, renderK8sYaml } from '../../server/export/k8s/manifests';

const generated = renderDockerfile({ modelName: 'iris', modelFile: 'model/iris.onnx', toolVersion: '0.1.0', nodeVersion: '20.20.2' });

describe('Dockerfile parser and rules', () => {
  test('the generated Dockerfile passes every rule', () => {
    assert.deepEqual(checkDockerfile(generated), []);
    const from = parseDockerfile(generated).find((i) => i.keyword === 'FROM')!;
    assert.equal(from.args, 'node:20.20.2-bookworm-slim');
  });

  test('continuations, comments and the exec form are parsed', () => {
    const parsed = parseDockerfile('# c\nFROM node:20.1.0\nENV A=1 \\\n    B=2\n\nHEALTHCHECK CMD ["node", "-e", "x"]\n');
    assert.deepEqual(
      parsed.map((i) => [i.keyword, i.line]),
      [
        ['FROM', 2],
        ['ENV', 3],
        ['HEALTHCHECK', 6],
      ],
    );
    assert.equal(parsed[1].args, 'A=1 B=2');
    assert.deepEqual(parseDockerfile('CMD ["node", "index.js"]')[0].exec, ['node', 'index.js']);
    assert.throws(() => parseDockerfile('FROM x\n!!!\n'), /line 2/);
  });

  test('a broken Dockerfile fails each rule, naming the line', () => {
    const broken = [
      'FROM node:latest', // 1: not pinned
      'WORKDIR /app',
      'COPY . .', // 3: code before the install
      'RUN npm install', // 4: not npm ci, dev deps
      'USER root', // 5: root
      'CMD ["node", "index.js"]',
    ].join('\n');
    const v = checkDockerfile(broken);
    const byRule = (rule: string) => v.filter((x) => x.rule === rule);
    assert.equal(byRule('pinned-base')[0]?.line, 1);
    assert.equal(byRule('layer-order')[0]?.line, 3);
    assert.equal(byRule('production-install').length, 2);
    assert.equal(byRule('non-root')[0]?.line, 5);
    assert.equal(byRule('healthcheck').length, 1);
    assert.equal(byRule('expose').length, 1);
    assert.equal(byRule('env-config').length, 1);
    // Each rule alone: removing USER from the good file is caught too.
    assert.deepEqual(
      checkDockerfile(generated.replace(/^USER node$/m, '')).map((x) => x.rule),
      ['non-root'],
    );
    assert.deepEqual(
      checkDockerfile(generated.replace(/--omit=dev /, '')).map((x) => x.rule),
      ['production-install'],
    );
    assert.deepEqual(
      checkDockerfile(generated.replace('/v2/health/ready', '/healthz')).map((x) => x.rule),
      ['healthcheck'],
    );
  });

  test('pinned means an exact version tag or a digest', () => {
    assert.equal(baseImagePinned('node:20').pinned, false);
    assert.equal(baseImagePinned('node').pinned, false);
    assert.equal(baseImagePinned('node:latest').pinned, false);
    assert.equal(baseImagePinned('node:20.20.2-bookworm-slim').pinned, true);
    assert.equal(baseImagePinned(`node@sha256:${'a'.repeat(64)}`).pinned, true);
  });
});

describe('Kubernetes and KServe YAML against their schemas', () => {
  const objects = deploymentObjects({ modelName: 'Flights_Model', modelBytes: 2_000_000, image: 'flights-server:1.0.0' });
  const k8sYaml = renderK8sYaml(objects, '# header\n');

  test('the generated Deployment, Service and HPA are valid', () => {
    assert.deepEqual(validateK8sYaml(k8sYaml, 'k8s/'), []);
    const deployment = parse(k8sYaml.split('---\n')[0]);
    assert.equal(deployment.metadata.name, 'flights-model', 'a valid DNS-1123 name from the model name');
  });

  test('a wrong type, a missing probe and a missing limit are reported', () => {
    const [deployment, service, hpa] = structuredClone(objects) as any[];
    deployment.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    delete deployment.spec.template.spec.containers[0].readinessProbe;
    delete deployment.spec.template.spec.containers[0].resources.limits.memory;
    const problems = validateK8sYaml(renderK8sYaml([deployment, service, hpa], ''), 'k8s/');
    assert.ok(
      problems.some((p) => /containerPort must be integer/.test(p)),
      problems.join('\n'),
    );
    assert.ok(problems.some((p) => /readinessProbe/.test(p)));
    assert.ok(problems.some((p) => /limits\.memory/.test(p)));
    const badHpa = structuredClone(hpa);
    delete badHpa.spec.maxReplicas;
    assert.ok(validateK8sYaml(renderK8sYaml([objects[0], objects[1], badHpa], ''), 'k8s/').some((p) => /maxReplicas/.test(p)));
    assert.ok(validateK8sYaml('a: [1', 'k8s/x.yaml')[0].startsWith('k8s/x.yaml: YAML error'));
  });

  test('the InferenceService is valid; protocolVersion, typos and names are checked', () => {
    const isvc = inferenceServiceObject({ modelName: 'iris', modelBytes: 1000 }) as any;
    const text = renderInferenceService(isvc, 'iris');
    assert.deepEqual(validateInferenceServiceYaml(text, 'isvc.yaml'), []);
    assert.match(text, /storageUri is a PLACEHOLDER/);
    const withoutV2 = structuredClone(isvc);
    delete withoutV2.spec.predictor.model.protocolVersion;
    assert.ok(validateInferenceServiceYaml(stringify(withoutV2), 'isvc.yaml').some((p) => /protocolVersion must be v2/.test(p)));
    const typo = structuredClone(isvc);
    typo.spec.predictor.model.protocolversion = 'v2';
    assert.ok(validateInferenceServiceYaml(stringify(typo), 'isvc.yaml').some((p) => /protocolversion/.test(p)));
    const badName = structuredClone(isvc);
    badName.metadata.name = 'Iris_Model';
    assert.ok(validateInferenceServiceYaml(stringify(badName), 'isvc.yaml').some((p) => /metadata\/name/.test(p)));
  });
});
