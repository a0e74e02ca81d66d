/**
 * The peers must serve the same network as Model Lab, not a look-alike: this reads the sample's ONNX
 * graph (Sub mean → Div std → Gemm/Relu … → Softmax, as torch.onnx exported it in
 * samples/generators/breast_cancer.py) and writes its weights as JSON for the Python peers. The torch
 * source model is not kept in the repo, and retraining would give other weights.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dimsOf, readFloats, type TensorProto } from '../../server/compress/graph';
import { decodeModel } from '../../server/model/onnx/proto';

export interface DenseLayer {
  /** [out][in], as torch stores it (Gemm transB=1). */
  weight: number[][];
  bias: number[];
}
export interface MlpWeights {
  inputName: string;
  outputName: string;
  mean: number[];
  std: number[];
  layers: DenseLayer[];
}

/** The weights of a standardise → dense/relu … → softmax graph; throws when the graph has another shape. */
export function readMlpWeights(onnxPath: string): MlpWeights {
  const graph = decodeModel(readFileSync(onnxPath)).graph;
  if (!graph) throw new Error(`${onnxPath} has no graph`);
  const init = new Map(graph.initializer.map((t) => [t.name ?? '', t as TensorProto]));
  const floats = (name: string) => Array.from(readFloats(init.get(name)!));
  const constantOf = (op: string) => {
    const node = graph.node.find((n) => n.opType === op);
    const name = node?.input.find((i) => init.has(i));
    if (!name) throw new Error(`${onnxPath}: no ${op} by a constant; the peers only rebuild standardise → MLP → softmax networks`);
    return floats(name);
  };
  const layers = graph.node
    .filter((n) => n.opType === 'Gemm')
    .map((n) => {
      const w = init.get(n.input[1]);
      if (!w) throw new Error(`${onnxPath}: Gemm weight '${n.input[1]}' is not an initializer`);
      const [out, inp] = dimsOf(w);
      const flat = floats(n.input[1]);
      return { weight: Array.from({ length: out }, (_, o) => flat.slice(o * inp, (o + 1) * inp)), bias: floats(n.input[2]) };
    });
  const ops = graph.node.map((n) => n.opType).join(' ');
  if (ops !== 'Sub Div ' + layers.map(() => 'Gemm').join(' Relu ') + ' Softmax') throw new Error(`${onnxPath}: unexpected graph '${ops}'`);
  return { inputName: graph.input[0].name, outputName: graph.output[0].name, mean: constantOf('Sub'), std: constantOf('Div'), layers };
}

export function writeMlpWeights(onnxPath: string, jsonPath: string): MlpWeights {
  const weights = readMlpWeights(onnxPath);
  writeFileSync(jsonPath, JSON.stringify(weights));
  return weights;
}
