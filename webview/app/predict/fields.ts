/**
 * One control per feature (or per raw input tensor), all behind the same small interface so the form
 * can read, fill, validate and focus them without knowing what they are.
 */
import type { Feature, InputBinding } from '../../../server/protocol/signature';
import { h, slug, uniqueId } from '../dom';
import { formatNumber } from '../format';
import { defaultRawJson, rawValueKey } from './inference';
import type { FieldControl } from './field-control';
import { createImageField, type SampleImageSource } from './image-field';

/** The toolkit's text-like components expose their text as a `value` property. */
type ValueElement = HTMLElement & { value: string };
type CheckboxElement = HTMLElement & { checked: boolean };

/** Wraps a control with its hint, warning and error lines; returns their setters. */
function decorate(wrapper: HTMLElement, target: HTMLElement, hintText: string | null): Pick<FieldControl, 'setError' | 'setWarning'> {
  const hint = hintText ? h('div', { className: 'field-hint' }, [hintText]) : null;
  const warning = h('div', { className: 'field-warning', attrs: { 'aria-live': 'polite' } });
  const error = h('div', { className: 'field-error', attrs: { 'aria-live': 'polite', id: uniqueId('error') } });
  warning.hidden = true;
  error.hidden = true;
  if (hint) wrapper.append(hint);
  wrapper.append(warning, error);
  // One line under the field: the error wins over the warning, the warning over the hint.
  const refresh = (): void => {
    warning.hidden = !warning.textContent || !error.hidden;
    if (hint) hint.hidden = !error.hidden || !warning.hidden;
    wrapper.classList.toggle('has-warning', !warning.hidden);
  };
  return {
    setError(message) {
      error.textContent = message ?? '';
      error.hidden = !message;
      wrapper.classList.toggle('is-invalid', !!message);
      if (message) target.setAttribute('aria-invalid', 'true');
      else target.removeAttribute('aria-invalid');
      refresh();
    },
    setWarning(message) {
      warning.textContent = message ?? '';
      refresh();
    },
  };
}

const KIND_TEXT: Record<Feature['kind'], string> = {
  number: 'number',
  integer: 'integer',
  category: 'category',
  boolean: 'yes/no',
  image: 'image',
};

/** The line under a field: its kind, then what is known about typical values. */
function hintText(feature: Feature): string {
  const parts: string[] = [KIND_TEXT[feature.kind]];
  if (feature.categories?.length) parts.push(`${feature.categories.length} values`);
  if (feature.min !== undefined && feature.max !== undefined)
    parts.push(`typical ${formatNumber(feature.min)} – ${formatNumber(feature.max)}`);
  if (feature.description) parts.push(feature.description);
  return parts.join(' · ');
}

function kindBadge(text: string): HTMLElement {
  return h('span', { className: 'kind-badge', attrs: { 'aria-hidden': 'true' } }, [text]);
}

/** A text field: numbers (typed as text so a wrong entry can be explained) and categories without a known list. */
function textField(feature: Feature, onInput: () => void): FieldControl {
  const input = h(
    'vscode-text-field',
    {
      className: 'field-control',
      attrs: {
        'aria-label': feature.name,
        'data-feature': feature.name,
        inputmode: feature.kind === 'integer' ? 'numeric' : feature.kind === 'number' ? 'decimal' : undefined,
      },
      on: { input: onInput },
      // The toolkit names the inner input after the slotted text, so the slot holds the name only.
    },
    [feature.name],
  ) as ValueElement;
  const wrapper = h(
    'div',
    { className: 'field', attrs: { title: feature.description ? `${feature.name}: ${feature.description}` : feature.name } },
    [input],
  );
  return {
    key: feature.name,
    element: wrapper,
    ...decorate(wrapper, input, hintText(feature)),
    read: () => input.value ?? '',
    write: (v) => {
      input.value = String(v);
    },
    focus: () => input.focus(),
  };
}

function categoryField(feature: Feature, onInput: () => void): FieldControl {
  const id = uniqueId(`f-${slug(feature.name)}`);
  const label = h('label', { className: 'field-label', attrs: { for: id, id: `${id}-label` } }, [feature.name]);
  const categories = feature.categories ?? [];
  const initial = typeof feature.example === 'string' && categories.includes(feature.example) ? feature.example : categories[0];
  const dropdown = h(
    'vscode-dropdown',
    {
      className: 'field-control',
      attrs: { id, 'aria-labelledby': `${id}-label`, 'data-feature': feature.name, position: 'below' },
      on: {
        change: () => {
          current = dropdown.value;
          onInput();
        },
      },
    },
    categories.map((c) => h('vscode-option', { attrs: { value: c, selected: c === initial } }, [c])),
  ) as ValueElement;
  // The component only knows its value once its options are slotted (after it is connected), so the
  // field keeps its own copy: valid from the start, and writable before the form is on screen.
  let current = initial ?? '';
  const wrapper = h('div', { className: 'field', attrs: { title: feature.name } }, [label, dropdown]);
  return {
    key: feature.name,
    element: wrapper,
    ...decorate(wrapper, dropdown, hintText(feature)),
    read: () => current,
    write: (v) => {
      current = categories.includes(String(v)) ? String(v) : '';
      for (const option of Array.from(dropdown.children)) option.toggleAttribute('selected', option.getAttribute('value') === current);
      dropdown.value = current;
    },
    focus: () => dropdown.focus(),
  };
}

function booleanField(feature: Feature, onInput: () => void): FieldControl {
  const checkbox = h(
    'vscode-checkbox',
    {
      className: 'field-control',
      attrs: { 'aria-label': feature.name, 'data-feature': feature.name, checked: feature.example === true },
      on: { change: onInput },
    },
    [feature.name],
  ) as CheckboxElement;
  const wrapper = h('div', { className: 'field field-boolean' }, [checkbox]);
  return {
    key: feature.name,
    element: wrapper,
    ...decorate(wrapper, checkbox, hintText(feature)),
    read: () => !!checkbox.checked,
    write: (v) => {
      checkbox.checked = v === true || v === 'true' || v === '1';
    },
    focus: () => checkbox.focus(),
  };
}

/** A JSON textarea for an input the signature could not split into named features. */
export function createRawTensorField(binding: InputBinding, onInput: () => void): FieldControl {
  const id = uniqueId(`t-${slug(binding.tensor)}`);
  const dims = `[${binding.dims.map((d) => d ?? '?').join(', ')}]`;
  const label = h('label', { className: 'field-label', attrs: { for: id } }, [binding.tensor, ' ', kindBadge(`${binding.dtype} ${dims}`)]);
  const textarea = h('textarea', {
    className: 'field-textarea',
    attrs: { id, rows: 4, spellcheck: 'false', 'data-tensor': binding.tensor },
    on: { input: onInput },
  }) as HTMLTextAreaElement;
  textarea.value = defaultRawJson(binding);
  const wrapper = h('div', { className: 'field field-wide' }, [label, textarea]);
  return {
    key: rawValueKey(binding),
    element: wrapper,
    ...decorate(wrapper, textarea, 'Nested JSON array, one row; unknown dimensions may have any size.'),
    read: () => textarea.value,
    write: (v) => {
      textarea.value = String(v);
    },
    focus: () => textarea.focus(),
  };
}

/** The control for a feature, pre-filled with its example value. */
export function createFeatureField(
  feature: Feature,
  binding: InputBinding | undefined,
  onInput: () => void,
  sampleImages?: SampleImageSource,
): FieldControl {
  let control: FieldControl;
  switch (feature.kind) {
    case 'category':
      control = feature.categories?.length ? categoryField(feature, onInput) : textField(feature, onInput);
      break;
    case 'boolean':
      control = booleanField(feature, onInput);
      break;
    case 'image':
      return createImageField(feature, binding?.image, onInput, sampleImages);
    default:
      control = textField(feature, onInput);
  }
  // Dropdowns and checkboxes are born with their example selected (setting a value before the options
  // are slotted would be lost).
  if (feature.example !== undefined && control.element.querySelector('vscode-text-field')) control.write(String(feature.example));
  return control;
}

export type { FieldControl } from './field-control';
