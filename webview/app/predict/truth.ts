/**
 * The true value of a sample row against the prediction. A target column often holds class indices
 * (`0`/`1`) while the model answers with class names (`on_time`/`delayed`), so the cell is first read
 * as a class: by name when it is one, else by its index into the model's class list. DOM-free.
 */
import type { RowPrediction } from '../../../server/protocol/api';
import type { Signature } from '../../../server/protocol/signature';

export interface TruthVerdict {
  /** The cell as the reference CSV has it. */
  cell: string;
  /** The class the cell stands for, when it is an index into the class list (`0` → `on_time`). */
  className?: string;
  /** Classification: whether the prediction is the true class; undefined when they cannot be compared. */
  match?: boolean;
  /** Regression: prediction − truth. */
  error?: number;
}

/** The class names a label or probability output is spelled in. */
export function classNamesOf(signature: Signature): string[] | undefined {
  return (
    signature.classNames ??
    signature.outputs.find((o) => (o.role === 'label' || o.role === 'probabilities' || o.role === 'scores') && o.classNames)?.classNames
  );
}

/** The class a target cell names: itself when it is a class name, else the class at that (integer) index. */
export function truthClass(cell: string, classNames: string[] | undefined): { name: string; byIndex: boolean } | undefined {
  const text = cell.trim();
  if (!classNames?.length || text === '') return undefined;
  if (classNames.includes(text)) return { name: text, byIndex: false };
  const index = Number(text);
  if (Number.isInteger(index) && index >= 0 && index < classNames.length) return { name: classNames[index], byIndex: true };
  return undefined;
}

function sameNumber(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));
}

export function judgeTruth(signature: Signature, cell: string, prediction: RowPrediction): TruthVerdict {
  const verdict: TruthVerdict = { cell };
  const predicted = prediction.label ?? prediction.value;
  if (predicted === undefined || Array.isArray(predicted)) return verdict;
  const asNumber = cell.trim() === '' ? NaN : Number(cell);
  if (prediction.label !== undefined) {
    const truth = truthClass(cell, classNamesOf(signature));
    if (truth) {
      if (truth.byIndex) verdict.className = truth.name;
      verdict.match = String(predicted) === truth.name;
    } else if (typeof predicted === 'number' && !Number.isNaN(asNumber)) verdict.match = sameNumber(predicted, asNumber);
    else verdict.match = String(predicted) === cell.trim();
    return verdict;
  }
  if (typeof predicted === 'number' && !Number.isNaN(asNumber)) verdict.error = predicted - asNumber;
  return verdict;
}
