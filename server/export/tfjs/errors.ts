/** Thrown by an op handler when an ONNX node (or one attribute combination) has no TF.js mapping. */
export class Unsupported extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'Unsupported';
  }
}

/** One node the converter cannot translate, as the pre-check lists it. */
export interface UnsupportedNode { node: string; opType: string; reason: string }

/** Conversion refused: names every node that blocks it (the pre-check's list). */
export class TfjsConversionError extends Error {
  constructor(readonly unsupported: UnsupportedNode[]) {
    super(`cannot convert to TF.js: ${unsupported.length} unsupported node(s): ` +
      unsupported.slice(0, 8).map((u) => `${u.node} (${u.opType}): ${u.reason}`).join('; ') +
      (unsupported.length > 8 ? `; and ${unsupported.length - 8} more` : ''));
    this.name = 'TfjsConversionError';
  }
}
