import { ModelLabError } from '../../protocol/errors';

/**
 * Thrown by an op handler when an ONNX node (or one attribute combination) has no TF.js mapping. The
 * converter collects these into a {@link TfjsConversionError}; should one escape alone it is still the
 * model's limit (422), not our fault.
 */
export class Unsupported extends ModelLabError {
  constructor(reason: string) {
    super(reason, { status: 422 });
  }
}

/** One node the converter cannot translate, as the pre-check lists it. */
export interface UnsupportedNode {
  node: string;
  opType: string;
  reason: string;
}

/** Unsupported nodes with the same op type and reason, as one line of the pre-check. */
export interface UnsupportedGroup {
  opType: string;
  reason: string;
  nodes: string[];
}

/** Groups by (op type, reason), in the order each group first appears in the graph. */
export function groupUnsupported(list: UnsupportedNode[]): UnsupportedGroup[] {
  const groups = new Map<string, UnsupportedGroup>();
  for (const u of list) {
    const key = `${u.opType}\u0000${u.reason}`;
    const g = groups.get(key) ?? { opType: u.opType, reason: u.reason, nodes: [] };
    g.nodes.push(u.node);
    groups.set(key, g);
  }
  return [...groups.values()];
}

/** "2 nodes: LSTM (lstm_1, lstm_2) — no TF.js mapping for LSTM; 1 node: …" (at most `maxNames` names per group). */
export function describeUnsupported(list: UnsupportedNode[], maxGroups = 8, maxNames = 6): string {
  const groups = groupUnsupported(list);
  const line = (g: UnsupportedGroup) => {
    const names = g.nodes.slice(0, maxNames).join(', ') + (g.nodes.length > maxNames ? `, +${g.nodes.length - maxNames} more` : '');
    return `${g.nodes.length} node${g.nodes.length === 1 ? '' : 's'}: ${g.opType || 'model'} (${names}) — ${g.reason}`;
  };
  const rest = groups.length - maxGroups;
  return groups.slice(0, maxGroups).map(line).join('; ') + (rest > 0 ? `; and ${rest} more kind(s)` : '');
}

/** Conversion refused: names every node that blocks it, grouped by reason (the pre-check's list). 422 / exit 1. */
export class TfjsConversionError extends ModelLabError {
  constructor(readonly unsupported: UnsupportedNode[]) {
    super(`cannot convert to TF.js: ${describeUnsupported(unsupported)}`, { status: 422 });
  }
}
