/**
 * Server, codec and onnxruntime messages in the words of the Predict tab: what to type, pick or click,
 * instead of dtypes, OIP datatypes and ONNX element type numbers. DOM-free; unknown messages pass
 * through unchanged (they are already written for people, or say more than a rewrite could).
 */

/** ONNX TensorProto.DataType numbers, as onnxruntime prints them in errors ("element type 8"). */
const ONNX_ELEMENT_WORDS: Record<number, string> = {
  1: 'decimal numbers',
  2: 'whole numbers (0–255)',
  3: 'whole numbers',
  4: 'whole numbers',
  5: 'whole numbers',
  6: 'whole numbers',
  7: 'whole numbers',
  8: 'text',
  9: 'yes/no values',
  10: 'decimal numbers',
  11: 'decimal numbers',
  12: 'whole numbers',
  13: 'whole numbers',
};

/** What a dtype (`float32`, `tensor(string)`) or OIP datatype (`FP32`, `BYTES`) means to a person typing a value. */
function typeWords(type: string): string {
  const t = type.replace(/^tensor\((.*)\)$/, '$1').toLowerCase();
  if (t === 'string' || t === 'bytes') return 'text';
  if (t === 'bool') return 'yes/no values';
  if (/^(float|double|fp)\d*$/.test(t) || t === 'float' || t === 'double') return 'decimal numbers';
  if (/^u?int\d*$/.test(t)) return 'whole numbers';
  return t;
}

const REWRITES: [RegExp, (...groups: string[]) => string][] = [
  // onnxruntime: "Unexpected input data type. Actual: (tensor(float)) , expected: (tensor(string))"
  [
    /unexpected input data type\. actual: \((tensor\(\w+\)|\w+)\)\s*,\s*expected: \((tensor\(\w+\)|\w+)\)/i,
    (actual, expected) => `the model takes ${typeWords(expected)} here but got ${typeWords(actual)}`,
  ],
  [/(?:tensor )?element type (\d+)/gi, (n) => ONNX_ELEMENT_WORDS[Number(n)] ?? 'an unsupported kind of value'],
  [
    /expected (?:dtype|datatype) (\w+), got (\w+)/i,
    (expected, actual) => `the model takes ${typeWords(expected)} here but got ${typeWords(actual)}`,
  ],
  [/expected an integer \((\w+)\), got (.+)$/i, (_, got) => `type a whole number (got ${got})`],
  [/expected a finite (\w+) number, got (.+)$/i, (_, got) => `type a finite number (got ${got})`],
  [/expected a (\w+) number, got (.+)$/i, (_, got) => `type a number (got ${got})`],
  [/expected a string, got (.+)$/i, (got) => `type some text (got ${got})`],
  [/expected a boolean \(true\/false\/1\/0\), got (.+)$/i, (got) => `tick or clear the box (got ${got})`],
  [/no image chosen yet; pick an image file/i, () => 'choose an image file, pick a sample image or draw one'],
  [
    /this input has no named features; send the tensor itself.*$/i,
    () => 'this input has no named fields; type its values as a nested list in the box below it',
  ],
];

/** The tensor-key prefix the form uses for raw inputs (`@tensor:input`) reads as the input's name. */
function withoutTensorKeys(message: string): string {
  return message.replace(/@tensor:/g, '');
}

/** The message with API words replaced by the UI's; the field name and the value stay as they were. */
export function inUiWords(message: string): string {
  let text = withoutTensorKeys(message);
  for (const [pattern, rewrite] of REWRITES) text = text.replace(pattern, (_match, ...groups: unknown[]) => rewrite(...groups.map(String)));
  return text;
}
