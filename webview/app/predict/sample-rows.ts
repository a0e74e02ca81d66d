/**
 * "Fill from sample row": picks a row of the reference CSV the server sampled and fills the form with it;
 * the row's target column, when the signature names one, is kept to show beside the prediction.
 */
import type { ReferenceSample } from '../../../server/protocol/api';
import type { Signature } from '../../../server/protocol/signature';
import type { FieldValue } from '../persisted-state';
import { h } from '../dom';
import { classNamesOf, truthClass } from './truth';

export interface SampleRowChoice {
  values: Record<string, FieldValue>;
  /** The row's true label/target, if the reference has a target column. */
  truth?: string;
  /** 0-based index into `reference.rows`. */
  index: number;
}

export interface SampleRowPicker {
  readonly element: HTMLElement;
  /** Back to "choose a row…" (after the user edits a field, the row's true value no longer applies). */
  reset(): void;
}

/** The form values a reference row gives (only features it has a column for). */
export function valuesFromRow(signature: Signature, row: Record<string, string>): Record<string, FieldValue> {
  const values: Record<string, FieldValue> = {};
  for (const feature of signature.features) {
    if (!(feature.name in row) || feature.kind === 'image') continue;
    const cell = row[feature.name];
    values[feature.name] = feature.kind === 'boolean' ? ['true', '1', 'yes'].includes(cell.trim().toLowerCase()) : cell;
  }
  return values;
}

const PLACEHOLDER = '';

export function createSampleRowPicker(
  signature: Signature,
  reference: ReferenceSample,
  onChoose: (choice: SampleRowChoice) => void,
): SampleRowPicker {
  const target = signature.target && reference.columns.includes(signature.target) ? signature.target : undefined;
  const classNames = classNamesOf(signature);
  // A class index reads with its class name ("delayed: 0 = on_time"), as beside the prediction.
  const targetText = (cell: string): string => {
    const truth = signature.task === 'classification' ? truthClass(cell, classNames) : undefined;
    return truth?.byIndex ? `${cell} = ${truth.name}` : cell;
  };
  const optionText = (row: Record<string, string>, i: number): string =>
    target ? `Row ${i + 1} — ${target}: ${targetText(row[target])}` : `Row ${i + 1}`;
  const dropdown = h(
    'vscode-dropdown',
    {
      className: 'sample-dropdown',
      attrs: { id: 'sample-row', 'aria-labelledby': 'sample-row-label', position: 'below' },
    },
    [
      h('vscode-option', { attrs: { value: PLACEHOLDER, selected: true } }, ['Choose a row…']),
      ...reference.rows.map((row, i) => h('vscode-option', { attrs: { value: String(i) } }, [optionText(row, i)])),
    ],
  ) as HTMLElement & { value: string; selectedIndex: number };

  const choose = (index: number): void => {
    const row = reference.rows[index];
    if (!row) return;
    const choice: SampleRowChoice = { values: valuesFromRow(signature, row), index };
    if (target) choice.truth = row[target];
    onChoose(choice);
  };
  dropdown.addEventListener('change', () => {
    if (dropdown.value !== PLACEHOLDER) choose(Number(dropdown.value));
  });

  const step = (delta: number): void => {
    const current = dropdown.value === PLACEHOLDER ? (delta > 0 ? -1 : reference.rows.length) : Number(dropdown.value);
    const next = (current + delta + reference.rows.length) % reference.rows.length;
    dropdown.value = String(next);
    choose(next);
  };

  const count =
    reference.rowCount !== null
      ? `${reference.rows.length} of ${reference.rowCount.toLocaleString()} rows`
      : `${reference.rows.length} rows`;
  const fileName = reference.path.split(/[\\/]/).pop() ?? reference.path;
  const element = h('div', { className: 'sample-rows' }, [
    h('label', { className: 'field-label', attrs: { id: 'sample-row-label', for: 'sample-row' } }, ['Fill from sample row']),
    h('div', { className: 'sample-controls' }, [
      h(
        'vscode-button',
        { attrs: { appearance: 'icon', 'aria-label': 'Previous sample row', title: 'Previous sample row' }, on: { click: () => step(-1) } },
        ['‹'],
      ),
      dropdown,
      h(
        'vscode-button',
        { attrs: { appearance: 'icon', 'aria-label': 'Next sample row', title: 'Next sample row' }, on: { click: () => step(1) } },
        ['›'],
      ),
    ]),
    h('div', { className: 'field-hint' }, [`${fileName} · ${count}${target ? ` · target “${target}” shown with the prediction` : ''}`]),
  ]);
  return {
    element,
    reset() {
      if (dropdown.value !== PLACEHOLDER) dropdown.value = PLACEHOLDER;
    },
  };
}
