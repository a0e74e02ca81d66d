/**
 * Integer inputs that index a table stored in the model — token ids fed to an embedding (`Gather` on a
 * stored `[vocabulary, width]` matrix, possibly through a Cast) — and the range that table allows. The
 * signature gives those features `0 … rows-1`, so generated sample rows are real token ids rather than
 * 0s and 1s, and the Predict form can say what the numbers are.
 */
import { toNumber, type OnnxModel } from '../onnx/proto';

export interface IndexRange {
  min: number;
  max: number;
  /** Words for a note: "token ids: rows of the embedding table 'embed.weight' (2000 × 64)". */
  why: string;
}

/** Ranges by graph input name, for inputs used as the indices of a Gather on a stored table. */
export function indexRanges(model: OnnxModel): Map<string, IndexRange> {
  const graph = model.graph;
  const ranges = new Map<string, IndexRange>();
  if (!graph) return ranges;
  const tables = new Map(graph.initializer.filter((t) => t.name).map((t) => [t.name!, t.dims.map(toNumber)]));
  const initializerNames = new Set(tables.keys());
  for (const input of graph.input) {
    if (initializerNames.has(input.name)) continue;
    // The input itself and what Casts/Identities make of it.
    const names = new Set([input.name]);
    for (const node of graph.node)
      if ((node.opType === 'Cast' || node.opType === 'Identity') && names.has(node.input[0] ?? ''))
        node.output.forEach((o) => names.add(o));
    const uses = graph.node.filter((n) => n.input.some((x) => names.has(x)) && !(n.opType === 'Cast' || n.opType === 'Identity'));
    // One lookup is enough: any other value makes that Gather fail (other uses, e.g. a padding mask, don't widen it).
    const gathers = uses.filter((n) => n.opType === 'Gather' && names.has(n.input[1] ?? '') && tables.has(n.input[0] ?? ''));
    if (!gathers.length) continue;
    const axis = (n: (typeof gathers)[number]) => {
      const a = n.attribute.find((x) => x.name === 'axis');
      return a ? toNumber(a.i) : 0;
    };
    const sizes = gathers.map((g) => {
      const dims = tables.get(g.input[0])!;
      const ax = axis(g);
      return dims[ax < 0 ? dims.length + ax : ax] ?? 0;
    });
    const rows = Math.min(...sizes);
    if (!(rows > 0)) continue;
    const table = gathers[sizes.indexOf(rows)].input[0];
    const dims = tables.get(table)!;
    ranges.set(input.name, {
      min: 0,
      max: rows - 1,
      why: `token ids: rows of the embedding table '${table}' (${dims.join(' × ')})`,
    });
  }
  return ranges;
}
