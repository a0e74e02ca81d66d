/**
 * Checks one form field as the user types, with the codec's own rules for the tensor's dtype, so the UI
 * never lets through what the server would reject. Returns a message that says what to do, or null.
 */
import { allocate, InputError, writeScalar } from '../../../server/protocol/codec';
import type { Feature, TensorDtype } from '../../../server/protocol/signature';
import type { FieldValue } from '../persisted-state';
import { formatNumber } from '../format';

export function validateFeatureValue(feature: Feature, dtype: TensorDtype, value: FieldValue | undefined): string | null {
  switch (feature.kind) {
    case 'number':
    case 'integer': {
      const text = typeof value === 'string' ? value.trim() : '';
      if (text === '') return `Required: enter ${feature.kind === 'integer' ? 'a whole number' : 'a number'}.`;
      const n = Number(text);
      if (!Number.isFinite(n))
        return (
          `"${text.length > 24 ? text.slice(0, 24) + '…' : text}" is not a number; use digits, a ` +
          `"." for decimals, e.g. ${exampleNumber(feature)}.`
        );
      if ((feature.kind === 'integer' || isIntegerDtype(dtype)) && !Number.isInteger(n)) {
        return `Must be a whole number (the model takes ${dtype}); got ${text}.`;
      }
      if (dtype === 'string' || dtype === 'bool') return null;
      try {
        writeScalar(allocate(dtype, 1), dtype, 0, n, feature.name);
      } catch (err) {
        if (err instanceof InputError) return withoutFieldPrefix(err.message, feature.name);
        throw err;
      }
      return null;
    }
    case 'category': {
      const text = typeof value === 'string' ? value : '';
      if (text === '') return 'Required: choose a value.';
      if (feature.categories?.length && !feature.categories.includes(text)) {
        const shown = feature.categories.slice(0, 5).join(', ') + (feature.categories.length > 5 ? ', …' : '');
        return `"${text}" is not one of the known values (${shown}); choose one from the list.`;
      }
      return null;
    }
    default:
      return null;
  }
}

function isIntegerDtype(dtype: TensorDtype): boolean {
  return /^u?int\d+$/.test(dtype);
}

function exampleNumber(feature: Feature): string {
  return typeof feature.example === 'number' ? String(feature.example) : feature.kind === 'integer' ? '3' : '12.5';
}

function withoutFieldPrefix(message: string, field: string): string {
  const text = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}

/**
 * Which field a server or codec error is about: the feature (or raw tensor) whose name starts the message
 * (`"dep_delay: expected …"`, `"row 1, dep_delay: …"`), the longest name winning.
 */
export function fieldOfError(message: string, fieldNames: string[]): string | null {
  const text = message.replace(/^row \d+, /, '');
  const candidates = fieldNames.filter(
    (name) => text.startsWith(`${name}:`) || text.startsWith(`${name}[`) || text.startsWith(`"${name}"`),
  );
  return candidates.sort((a, b) => b.length - a.length)[0] ?? null;
}

/**
 * A warning (never a refusal: the model may still answer) when a number lies far outside the reference
 * range — beyond it by more than the range's own width, like `1e9` where the data holds 9.7 – 39. Such a
 * value is usually a typo or a unit mix-up, and the model is extrapolating.
 */
export function rangeWarningOf(feature: Feature, value: FieldValue | undefined): string | null {
  if ((feature.kind !== 'number' && feature.kind !== 'integer') || feature.min === undefined || feature.max === undefined) return null;
  const text = typeof value === 'string' ? value.trim() : '';
  const n = Number(text);
  if (text === '' || !Number.isFinite(n)) return null;
  const span = feature.max - feature.min || Math.max(1, Math.abs(feature.max));
  if (n >= feature.min - span && n <= feature.max + span) return null;
  const range = `${formatNumber(feature.min)} – ${formatNumber(feature.max)}`;
  return `${text} is far ${n > feature.max ? 'above' : 'below'} the reference range ${range}; check for a typo or other units.`;
}
