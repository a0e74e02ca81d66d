/**
 * The generated form: one control per feature of the signature (plus a JSON box per raw input),
 * validated as the user types with the same rules the server applies.
 */
import type { Signature } from '../../../server/protocol/signature';
import type { FieldValue } from '../persisted-state';
import { h } from '../dom';
import type { FieldControl } from './field-control';
import { createFeatureField, createRawTensorField } from './fields';
import type { SampleImageSource } from './image-field';
import { buildInferRequest, rawValueKey, type ImagePixels } from './inference';
import { rangeWarningOf, validateFeatureValue } from './validate';
import { inUiWords } from './ui-words';
import { InputError } from '../../../server/protocol/codec';

export interface FeatureForm {
  readonly element: HTMLElement;
  /** Keys of every field: feature names and raw tensors' value keys. */
  readonly keys: string[];
  values(): Record<string, FieldValue>;
  images(): Record<string, ImagePixels>;
  /** Fills the fields named in `values` (others keep theirs) and re-validates. */
  setValues(values: Record<string, FieldValue>): void;
  /** Problems by field key; empty when the form can be sent. */
  problems(): Map<string, string>;
  /** Values that can be sent but lie far outside the reference range, by field key (`"1e9 is far above …"`). */
  warnings(): Map<string, string>;
  /** Shows a message under a field (e.g. the server's), until the field changes. */
  showError(key: string, message: string): void;
  focus(key: string): void;
}

/** Fields that need a user action that is not an error yet (an image not chosen) are invalid but quiet. */
const QUIET_PROBLEM = 'Choose an image file.';

export interface FeatureFormOptions {
  /** Sample pictures offered beside image inputs. */
  sampleImages?: SampleImageSource;
}

export function createFeatureForm(signature: Signature, onChange: () => void, options: FeatureFormOptions = {}): FeatureForm {
  const bindings = new Map(signature.inputs.map((b) => [b.tensor, b]));
  const controls = new Map<string, FieldControl>();
  const grid = h('div', { className: 'field-grid' });
  const wide = h('div', { className: 'field-stack' });

  const changed = (key: string) => () => {
    check(key);
    onChange();
  };

  for (const feature of signature.features) {
    const binding = bindings.get(feature.input);
    if (binding?.kind === 'raw') continue; // its tensor gets a JSON box below
    const control = createFeatureField(feature, binding, changed(feature.name), options.sampleImages);
    controls.set(control.key, control);
    (feature.kind === 'image' ? wide : grid).append(control.element);
  }
  for (const binding of signature.inputs.filter((b) => b.kind === 'raw')) {
    const control = createRawTensorField(binding, changed(rawValueKey(binding)));
    controls.set(control.key, control);
    wide.append(control.element);
  }

  const features = new Map(signature.features.map((f) => [f.name, f]));

  function problemOf(key: string): string | null {
    const control = controls.get(key)!;
    const feature = features.get(key);
    if (feature?.kind === 'image') return control.problem?.() ?? (control.image?.() ? null : QUIET_PROBLEM);
    if (feature) return validateFeatureValue(feature, bindings.get(feature.input)?.dtype ?? 'float32', control.read());
    // A raw tensor: the request builder is the validator (JSON syntax, nesting, fixed dimensions, dtype).
    const binding = signature.inputs.find((b) => rawValueKey(b) === key)!;
    try {
      buildInferRequest({ ...signature, features: [], inputs: [binding] }, { [key]: control.read() });
      return null;
    } catch (err) {
      if (err instanceof InputError) return inUiWords(err.message);
      throw err;
    }
  }

  function warningOf(key: string): string | null {
    const feature = features.get(key);
    return feature ? rangeWarningOf(feature, controls.get(key)!.read()) : null;
  }

  function check(key: string): void {
    const problem = problemOf(key);
    const control = controls.get(key)!;
    control.setError(problem === QUIET_PROBLEM ? null : problem);
    control.setWarning?.(problem ? null : warningOf(key));
  }

  const form: FeatureForm = {
    element: h('div', { className: 'feature-form' }, [grid.childElementCount ? grid : null, wide.childElementCount ? wide : null]),
    keys: [...controls.keys()],
    values() {
      const out: Record<string, FieldValue> = {};
      for (const [key, control] of controls) out[key] = control.read();
      return out;
    },
    images() {
      const out: Record<string, ImagePixels> = {};
      for (const [key, control] of controls) {
        const pixels = control.image?.();
        if (pixels) out[key] = pixels;
      }
      return out;
    },
    setValues(values) {
      for (const [key, value] of Object.entries(values)) {
        const control = controls.get(key);
        if (!control || features.get(key)?.kind === 'image') continue;
        control.write(value);
        check(key);
      }
    },
    problems() {
      const out = new Map<string, string>();
      for (const key of controls.keys()) {
        const problem = problemOf(key);
        if (problem) out.set(key, problem);
      }
      return out;
    },
    warnings() {
      const out = new Map<string, string>();
      for (const key of controls.keys()) {
        const warning = warningOf(key);
        if (warning) out.set(key, warning);
      }
      return out;
    },
    showError(key, message) {
      controls.get(key)?.setError(message);
    },
    focus(key) {
      controls.get(key)?.focus();
    },
  };
  for (const key of controls.keys()) check(key);
  return form;
}
