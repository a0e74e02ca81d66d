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

/** Conversion refused: names every node that blocks it (the pre-check's list). 422 / exit 1. */
export class TfjsConversionError extends ModelLabError {
  constructor(readonly unsupported: UnsupportedNode[]) {
    super(
      `cannot convert to TF.js: ${unsupported.length} unsupported node(s): ` +
        unsupported
          .slice(0, 8)
          .map((u) => `${u.node} (${u.opType}): ${u.reason}`)
          .join('; ') +
        (unsupported.length > 8 ? `; and ${unsupported.length - 8} more` : ''),
      { status: 422 },
    );
  }
}
