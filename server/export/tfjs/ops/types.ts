import { attributeValue, toNumber, type OnnxNode, type OnnxTensor } from '../../../model/onnx/proto';
import { Unsupported } from '../errors';
import type { TfGraph, Value } from '../tf-graph';

/** Conversion choices the ONNX model leaves open. */
export interface ConvertSettings {
  /** Steps a recurrent layer over a run-time sequence length is unrolled for (longer inputs fail at run time). */
  maxSequenceLength: number;
}
export const DEFAULT_SETTINGS: ConvertSettings = { maxSequenceLength: 64 };

/** What an op handler gets: the graph to emit into, the node, its resolved input values, attribute readers. */
export class NodeCtx {
  constructor(
    readonly g: TfGraph,
    readonly node: OnnxNode,
    readonly name: string,
    readonly opset: number,
    readonly inputs: (Value | undefined)[],
    private readonly notes: string[] = [],
    readonly settings: ConvertSettings = DEFAULT_SETTINGS,
  ) {}

  /** A fact about the conversion the person should know (kept in the report). */
  note(text: string): void {
    this.notes.push(text);
  }

  /** A required input. */
  in(i: number): Value {
    const v = this.inputs[i];
    if (!v) throw new Unsupported(`input ${i} is missing`);
    return v;
  }
  /** An optional input ('' in ONNX → undefined). */
  opt(i: number): Value | undefined {
    return this.inputs[i];
  }
  has(name: string): boolean {
    return this.node.attribute.some((a) => a.name === name);
  }
  int(name: string, def: number): number {
    const v = attributeValue(this.node, name);
    return v === undefined ? def : Number(v);
  }
  float(name: string, def: number): number {
    const a = this.node.attribute.find((x) => x.name === name);
    return a ? (a.f ?? 0) : def;
  }
  str(name: string, def: string): string {
    const v = attributeValue(this.node, name);
    if (v === undefined) return def;
    // ONNX string attributes arrive as bytes or text; anything else is not a string attribute.
    if (typeof v === 'string') return v;
    if (v instanceof Uint8Array) return new TextDecoder().decode(v);
    if (Array.isArray(v)) return v.join(',');
    return typeof v === 'number' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  }
  ints(name: string): number[] | undefined {
    const a = this.node.attribute.find((x) => x.name === name);
    return a ? (a.ints ?? []).map(toNumber) : undefined;
  }
  floats(name: string): number[] | undefined {
    return this.node.attribute.find((x) => x.name === name)?.floats;
  }
  tensor(name: string): OnnxTensor | undefined {
    return this.node.attribute.find((x) => x.name === name)?.t;
  }
  /** Refuses attributes whose value this mapping does not implement. */
  refuse(name: string, ok: (v: unknown) => boolean, why: string): void {
    const v = attributeValue(this.node, name);
    if (v !== undefined && !ok(v)) throw new Unsupported(`attribute ${name}=${JSON.stringify(v)}: ${why}`);
  }
  hint(suffix = ''): string {
    return this.name + suffix;
  }
}

export type Handler = (c: NodeCtx) => Value | (Value | undefined)[];
