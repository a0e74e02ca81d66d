/**
 * What a request may cost, checked before anything is allocated: element counts, nesting depth, and how
 * much of the user's input an error message may quote. Hostile input is answered with a 400 naming the
 * field; it never makes the server allocate what the bytes actually sent do not pay for.
 */

/** Elements per request (all input tensors of one request together) unless the server is told otherwise. */
export const DEFAULT_MAX_ELEMENTS = 16 * 1024 * 1024;

/** Deepest nesting of `data` / `inputs` arrays accepted (ONNX tensors of rank > 32 do not occur in practice). */
export const MAX_NESTING_DEPTH = 32;

/** How many characters of user input an error message quotes. */
export const QUOTE_LIMIT = 200;

/** `text`, cut to `max` characters with a note saying how much was left out. */
export function quote(text: string, max = QUOTE_LIMIT): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** A value for an error message: JSON-ish, never longer than `max` characters. */
export function quoteValue(value: unknown, max = QUOTE_LIMIT): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value.length > max ? value.slice(0, max + 1) : value) : String(JSON.stringify(value));
  } catch {
    text = String(value);
  }
  return quote(text, max);
}

/**
 * The element count of `shape`, after checking every dim is a non-negative safe integer and the product
 * stays within `maxElements` (computed step by step, so it never overflows). `report` builds the error.
 */
export function checkedElementCount(shape: readonly unknown[], maxElements: number, report: (message: string) => Error): number {
  let count = 1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw report(`shape[${i}] must be a non-negative whole number, got ${quoteValue(d, 40)}`);
    }
    count *= d;
    if (count > maxElements) {
      throw report(
        `shape [${shape.map((x) => quoteValue(x, 20)).join(',')}] holds more than ${maxElements} elements, ` +
          `the most this server accepts per request (start it with a larger --max-elements if you need more)`,
      );
    }
  }
  return count;
}

/**
 * onnxruntime's messages carry C++ source locations (`concatbase.h:133`), function signatures and
 * absolute paths: keep what helps the client (which node, what shapes), drop the internals.
 */
export function scrubInternals(message: string): string {
  return message
    .replace(/\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*/g, '')
    .replace(/(?:[A-Za-z]:)?[\\/]?(?:[\w.+-]+[\\/])*[\w+-]+\.(?:h|hpp|cc|cpp|cxx|c)(?::\d+)?\b/g, '')
    .replace(/\b(?:onnxruntime|onnx|std)::[\w:~<>,]+(?:\([^)]*\))?/g, '')
    .replace(/(^|[\s'"(=])(?:[A-Za-z]:)?[\\/](?:[^\\/\s'"]+[\\/])+[^\\/\s'"]*/g, '$1<path>')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

/** Longest error message an HTTP answer or a CLI line carries. */
export const MAX_ERROR_MESSAGE_CHARS = 1000;

/**
 * The final guard on error text: messages quote at most ~200 characters of user input at the source
 * (`quote`); this catches any that do not, so a 20 MB header never comes back as a 20 MB error.
 */
export function capMessage(message: string, max = MAX_ERROR_MESSAGE_CHARS): string {
  if (message.length <= max) return message;
  return `${message.slice(0, max)}… (message cut; ${message.length - max} more characters)`;
}
