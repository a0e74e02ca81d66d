/**
 * What the predict form holds per input: the control every field kind (text, category, boolean, raw
 * tensor, image) returns. In its own module so fields.ts and image-field.ts both use it without
 * importing each other (fields.ts creates image fields).
 */
import type { FieldValue } from '../persisted-state';
import type { ImagePixels } from './inference';

export interface FieldControl {
  /** Feature name, or the raw tensor's value key. */
  readonly key: string;
  readonly element: HTMLElement;
  read(): FieldValue;
  write(value: FieldValue): void;
  /** Shows (or clears, with null) the inline error under the field and marks it invalid for assistive tech. */
  setError(message: string | null): void;
  /** Shows (or clears) a warning under the field: the value is accepted but looks wrong (far outside the reference range). */
  setWarning?(message: string | null): void;
  /** A problem the field found itself (a file that is not a picture); the form reports it like a validation error. */
  problem?(): string | null;
  focus(): void;
  /** Pixels of an image field, once a picture is chosen. */
  image?(): ImagePixels | null;
}
