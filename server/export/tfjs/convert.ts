/**
 * ONNX graph → TF graph: walks the (topologically sorted) ONNX nodes, resolving each input to a Value
 * (constant, placeholder or emitted TF tensor), and lets the op's handler emit TF nodes or fold it.
 */
import { toNumber, type OnnxModel, type OnnxValueInfo } from '../../model/onnx/proto';
import { constValue } from './build';
import { TfjsConversionError, Unsupported, type UnsupportedNode } from './errors';
import { optimizeLayout, type LayoutStats } from './layout';
import { partialEval } from './partial';
import { HANDLERS } from './ops';
import { DEFAULT_SETTINGS, NodeCtx, type ConvertSettings } from './ops/types';
import { constFromProto, ONNX, tfDtypeOf, type TfDtype } from './tensor';
import { attr, dtName, TfGraph, type Dim, type Value } from './tf-graph';

export interface TensorSpec {
  name: string;
  tfName: string;
  dtype: TfDtype;
  onnxType: number;
  shape: Dim[] | null;
}

export interface TfjsReport {
  opset: number;
  onnxNodes: number;
  tfNodes: number;
  /** ONNX nodes folded into constants (shape chains, constant subgraphs). */
  foldedNodes: number;
  layout: LayoutStats;
  weightBytes: number;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Inputs/outputs whose ONNX type TF.js narrows (int64 → int32, float64 → float32, …). */
  narrowed: string[];
  /** What the conversion fixed that the ONNX model left open (e.g. a recurrent layer's sequence length). */
  notes: string[];
}

export interface TfjsGraphResult {
  graph: TfGraph;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  report: TfjsReport;
  unsupported: UnsupportedNode[];
}

const SUBGRAPH_OPS = new Set(['If', 'Loop', 'Scan', 'SequenceMap']);
/** Output ranks of refused ops the exporters often write no value_info for (Y of a recurrent layer is rank 4). */
const STAND_IN_RANK: Record<string, number[]> = { LSTM: [4, 3, 3], GRU: [4, 3], RNN: [4, 3] };

function dimsOf(v: OnnxValueInfo | undefined): Dim[] | undefined {
  const dims = v?.type?.tensorType?.shape?.dim;
  if (!dims) return undefined;
  // proto2 optional: only an explicitly set dim_value counts (0 is a real, empty dimension)
  return dims.map((d) => (Object.prototype.hasOwnProperty.call(d, 'dimValue') && !d.dimParam ? toNumber(d.dimValue) : null));
}

/** Converts a decoded model; with `collect`, keeps going past unsupported nodes so the pre-check can list them all. */
export function convertGraph(model: OnnxModel, collect = false, settings: ConvertSettings = DEFAULT_SETTINGS): TfjsGraphResult {
  const graph = model.graph;
  if (!graph) throw new TfjsConversionError([{ node: '(model)', opType: '', reason: 'the model has no graph' }]);
  const opset = toNumber(model.opsetImport.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
  const g = new TfGraph();
  const env = new Map<string, Value>();
  const unsupported: UnsupportedNode[] = [];
  const narrowed: string[] = [];
  const notes: string[] = [];
  const info = new Map<string, OnnxValueInfo>([...(graph.valueInfo ?? []), ...graph.output].map((v) => [v.name, v]));
  for (const t of graph.initializer) {
    try {
      env.set(t.name ?? '', constValue(constFromProto(t)));
    } catch (err) {
      unsupported.push({ node: t.name ?? '', opType: 'initializer', reason: (err as Error).message });
    }
  }
  const inputs: TensorSpec[] = [];
  for (const i of graph.input) {
    if (env.has(i.name)) continue;
    const onnxType = i.type?.tensorType?.elemType ?? 0;
    let dtype: TfDtype;
    try {
      dtype = tfDtypeOf(onnxType);
    } catch (err) {
      unsupported.push({ node: i.name, opType: 'input', reason: (err as Error).message });
      continue;
    }
    const shape = dimsOf(i) ?? null;
    const v = g.placeholder(i.name, { dtype, onnxType, shape: shape ?? undefined });
    env.set(i.name, v);
    inputs.push({ name: i.name, tfName: v.ref!, dtype, onnxType, shape });
    if (onnxType !== ONNX.FLOAT && onnxType !== ONNX.INT32 && onnxType !== ONNX.BOOL) narrowed.push(i.name);
  }
  let folded = 0;
  // Outputs of refused nodes get stand-ins (type and shape from value_info when the exporter wrote them) so
  // the nodes after them are still checked: the pre-check names every refused node, not only the first.
  const standIns = new Set<string>();
  const scratch = new TfGraph();
  graph.node.forEach((node, k) => {
    const name = node.name || `${node.opType}_${k}`;
    const ins = node.input.map((n) => (n ? env.get(n) : undefined));
    const downstream = node.input.some((n) => n && standIns.has(n));
    const standIn = () => {
      for (const [j, o] of node.output.entries()) {
        if (!o) continue;
        const t = info.get(o)?.type?.tensorType;
        let dtype: TfDtype = 'float32';
        try {
          dtype = tfDtypeOf(t?.elemType ?? ONNX.FLOAT);
        } catch {
          /* non-numeric: the node that consumes it will say so */
        }
        const r = STAND_IN_RANK[node.opType]?.[j];
        const shape = dimsOf(info.get(o)) ?? (r ? new Array<Dim>(r).fill(null) : undefined);
        env.set(o, { dtype, onnxType: t?.elemType ?? ONNX.FLOAT, shape, ref: `unsupported/${o}` });
        standIns.add(o);
      }
    };
    const fail = (reason: string) => {
      unsupported.push({ node: name, opType: node.domain ? `${node.domain}:${node.opType}` : node.opType, reason });
      standIn();
    };
    if (node.domain && node.domain !== 'ai.onnx')
      return fail(`operator set '${node.domain}' has no TF.js mapping (only standard ONNX ops convert)`);
    if (SUBGRAPH_OPS.has(node.opType)) return fail('control flow with subgraphs is not supported');
    const handler = HANDLERS[node.opType];
    if (!handler) return fail(`no TF.js mapping for ${node.opType}`);
    if (node.input.some((n, j) => n && !ins[j])) return standIn(); // its input is a non-numeric tensor, already reported
    if (downstream) {
      // Checked in a scratch graph; a refusal here may only reflect what the stand-in does not know (its shape),
      // so it is reported only when every stand-in input had a known shape.
      try {
        const out = handler(new NodeCtx(scratch, node, name, opset, ins, [], settings));
        const outs = Array.isArray(out) ? out : [out];
        node.output.forEach((o, j) => o && outs[j] && env.set(o, { ...outs[j], ref: `unsupported/${o}`, const: undefined }));
        node.output.forEach((o) => o && standIns.add(o));
      } catch (err) {
        const known = node.input.every((n, j) => !n || !standIns.has(n) || ins[j]?.shape?.every((d) => d !== null));
        // the same refusal as an earlier node of this op type (a stack of identical layers) is named too
        const same = unsupported.some((u) => u.opType === node.opType && u.reason === (err as Error).message);
        if ((known || same) && err instanceof Unsupported) fail(err.message);
        else standIn();
      }
      return;
    }
    try {
      const partial = partialEval(handler, node, name, opset, ins);
      const out = partial?.folded ?? handler(new NodeCtx(g, node, name, opset, ins, notes, settings));
      const outs = Array.isArray(out) ? out : [out];
      node.output.forEach((o, j) => {
        const k = partial?.known?.[j];
        const v = k && outs[j] && !outs[j].const ? { ...outs[j], known: k } : outs[j];
        if (!o || !v) return;
        const known = dimsOf(info.get(o));
        const shape = v.shape && known && v.shape.length === known.length ? v.shape.map((d, x) => d ?? known[x]!) : (v.shape ?? known);
        env.set(o, { ...v, shape });
      });
      if (outs.every((v) => !v || v.const)) folded++;
    } catch (err) {
      fail(err instanceof Unsupported ? err.message : `conversion failed: ${(err as Error).message}`);
    }
  });
  const outputs: TensorSpec[] = [];
  const outNames: string[] = [];
  for (const o of graph.output) {
    const v = env.get(o.name);
    if (!v) {
      if (!unsupported.length) unsupported.push({ node: o.name, opType: 'output', reason: 'the output is not produced by any node' });
      continue;
    }
    const [id] = g.emit('Identity', [v], { T: attr.type(v.dtype) }, [v], `${o.name}_out`);
    outNames.push(id.ref!);
    const onnxType = o.type?.tensorType?.elemType ?? v.onnxType;
    outputs.push({ name: o.name, tfName: id.ref!, dtype: v.dtype, onnxType, shape: v.shape ?? null });
    if (onnxType !== ONNX.FLOAT && onnxType !== ONNX.INT32 && onnxType !== ONNX.BOOL) narrowed.push(o.name);
  }
  if (unsupported.length && !collect) throw new TfjsConversionError(unsupported);
  const layout = unsupported.length ? { transposesBefore: 0, transposesAfter: 0 } : optimizeLayout(g, outNames);
  const report: TfjsReport = {
    opset,
    onnxNodes: graph.node.length,
    tfNodes: g.nodes.length,
    foldedNodes: folded,
    layout,
    weightBytes: g.weights.reduce((a, w) => a + w.bytes.length, 0),
    inputs,
    outputs,
    narrowed,
    notes,
  };
  return { graph: g, inputs, outputs, report, unsupported };
}

/** The model.json `signature`: ONNX names as keys, so callers can feed and fetch by the names they know. */
export function signatureOf(inputs: TensorSpec[], outputs: TensorSpec[]) {
  type Entry = { name: string; dtype: ReturnType<typeof dtName>; tensorShape: { dim: { size: string }[] } };
  const entry = (t: TensorSpec): [string, Entry] => [
    t.name,
    { name: `${t.tfName}:0`, dtype: dtName(t.dtype), tensorShape: { dim: (t.shape ?? []).map((d) => ({ size: String(d ?? -1) })) } },
  ];
  return { inputs: Object.fromEntries(inputs.map(entry)), outputs: Object.fromEntries(outputs.map(entry)) };
}
