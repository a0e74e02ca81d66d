/**
 * Makes a model servable by onnxruntime-node, which returns tensors only.
 *
 * skl2onnx classifiers end in `ZipMap`, whose output is a sequence of maps (one `{class: probability}`
 * per row); onnxruntime-node cannot hand such values to JavaScript. We replace the ZipMap by an
 * Identity so the same output name carries the `[N, classes]` float tensor ZipMap was built from, and
 * remember ZipMap's class labels as that output's class names. Other non-tensor outputs are dropped
 * from what is served, and every change is reported as a sentence in `rewrites`.
 */
import { typeName } from './describe';
import { attributeValue, type OnnxModel, type OnnxValueInfo } from './proto';

export interface ServableModel {
  model: OnnxModel;
  /** True when the graph was edited (the session must then be created from re-encoded bytes). */
  changed: boolean;
  rewrites: string[];
  /** Class names learnt from rewritten ZipMaps, by output name. */
  outputClassNames: Record<string, string[]>;
}

const FLOAT = 1;

export function makeServable(model: OnnxModel): ServableModel {
  const graph = model.graph!;
  const rewrites: string[] = [];
  const outputClassNames: Record<string, string[]> = {};
  let changed = false;
  const keptOutputs: OnnxValueInfo[] = [];
  for (const output of graph.output) {
    if (output.type?.tensorType) {
      keptOutputs.push(output);
      continue;
    }
    const producerIndex = graph.node.findIndex((n) => n.output.includes(output.name));
    const producer = producerIndex >= 0 ? graph.node[producerIndex] : undefined;
    if (producer && producer.opType === 'ZipMap' && producer.input.length === 1) {
      const labels = (attributeValue(producer, 'classlabels_strings') ?? attributeValue(producer, 'classlabels_int64s')) as
        (string | number)[] | undefined;
      const classNames = (labels ?? []).map(String);
      const source = producer.input[0];
      const batchDim = findBatchDim(model, source);
      graph.node[producerIndex] = {
        input: [source],
        output: [output.name],
        name: `${producer.name || 'ZipMap'}_as_tensor`,
        opType: 'Identity',
        domain: '',
        attribute: [],
      };
      const was = typeName(output.type);
      output.type = {
        tensorType: {
          elemType: FLOAT,
          shape: { dim: [batchDim, classNames.length ? { dimValue: classNames.length } : { dimParam: 'classes' }] },
        },
      };
      keptOutputs.push(output);
      outputClassNames[output.name] = classNames;
      rewrites.push(
        `ZipMap output '${output.name}' (${was}) is served as a float tensor [N, ` +
          `${classNames.length || 'classes'}] of class probabilities: onnxruntime-node ` +
          `returns tensors only.`,
      );
      changed = true;
    } else {
      rewrites.push(
        `Output '${output.name}' is ${typeName(output.type)}, not a tensor: onnxruntime-node cannot return it, so it is not served.`,
      );
      changed = true;
    }
  }
  graph.output = keptOutputs;
  if (keptOutputs.length === 0) throw new Error('the model has no tensor outputs onnxruntime-node can return');
  return { model, changed, rewrites, outputClassNames };
}

/** The batch dimension of a value, from the graph's value_info or the first input, else symbolic 'N'. */
function findBatchDim(model: OnnxModel, name: string): { dimValue?: unknown; dimParam?: string } {
  const graph = model.graph!;
  const info = [...(graph.valueInfo ?? []), ...graph.input, ...graph.output].find((v) => v.name === name);
  const first = info?.type?.tensorType?.shape?.dim?.[0] ?? graph.input[0]?.type?.tensorType?.shape?.dim?.[0];
  return first && (first.dimParam || first.dimValue) ? { ...first } : { dimParam: 'N' };
}
