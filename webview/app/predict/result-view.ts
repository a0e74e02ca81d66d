/**
 * The answer to one prediction: the label with a probability bar chart (classification), the value(s)
 * big (regression), other outputs as JSON, the true value when the inputs came from a sample row, and the
 * client round-trip latency. Lives in an `aria-live` region so screen readers hear the new answer.
 */
import type { RowPrediction } from '../../../server/protocol/api';
import type { Signature } from '../../../server/protocol/signature';
import { h, replaceChildren } from '../dom';
import { formatMs, formatNumber, formatPercent, prettyJson, truncateForDisplay } from '../format';
import { judgeTruth } from './truth';

export interface ShownPrediction {
  prediction: RowPrediction;
  latencyMs: number;
  /** True label/target of the sample row the inputs came from, if any. */
  truth?: string;
  /** One line per field whose value is far outside the reference range (`"mean texture 1e9 (typical 9.71 – 39.28)"`). */
  rangeWarnings?: string[];
}

export interface ResultView {
  readonly element: HTMLElement;
  showPending(): void;
  /** `sections` go below the answer (e.g. the "Why?" explanation of this prediction). */
  showPrediction(signature: Signature, shown: ShownPrediction, sections?: HTMLElement[]): void;
  showError(message: string): void;
  /** Marks the shown prediction as not matching the inputs any more (an input changed since). */
  markStale(): void;
  clear(): void;
}

/** The headline text for a prediction: its label, or its value(s). */
export function outcomeText(prediction: RowPrediction): string {
  if (prediction.label !== undefined) return String(prediction.label);
  if (typeof prediction.value === 'number') return formatNumber(prediction.value);
  if (Array.isArray(prediction.value)) return prediction.value.map(formatNumber).join(', ');
  return 'raw output';
}

/** Keeps the model's class order, except for many classes: then the 10 most likely, best first. */
function barsToShow(probabilities: Record<string, number>): [string, number][] {
  const entries = Object.entries(probabilities);
  return entries.length <= 12 ? entries : entries.sort((a, b) => b[1] - a[1]).slice(0, 10);
}

function probabilityChart(probabilities: Record<string, number>, label: string | undefined, isProbability: boolean): HTMLElement {
  const entries = barsToShow(probabilities);
  const max = Math.max(...entries.map(([, p]) => Math.abs(p)), 1e-12);
  const list = h('ul', { className: 'bar-chart', attrs: { 'aria-label': isProbability ? 'Class probabilities' : 'Class scores' } });
  for (const [name, p] of entries) {
    const predicted = name === label;
    const fill = h('span', { className: 'bar-fill' });
    // Width via CSSOM (allowed by the CSP), never a style attribute.
    fill.style.width = `${Math.max(0, Math.min(1, isProbability ? p : Math.abs(p) / max)) * 100}%`;
    list.append(
      h(
        'li',
        {
          className: predicted ? 'bar-row is-predicted' : 'bar-row',
          attrs: { 'data-class': name, 'data-value': String(p), title: `${name}: ${p}` },
        },
        [
          h('span', { className: 'bar-label' }, [name, predicted ? h('span', { className: 'visually-hidden' }, [' (predicted)']) : null]),
          h('span', { className: 'bar-track', attrs: { 'aria-hidden': 'true' } }, [fill]),
          h('span', { className: 'bar-value' }, [isProbability ? formatPercent(p) : formatNumber(p)]),
        ],
      ),
    );
  }
  const hidden = Object.keys(probabilities).length - entries.length;
  return h('div', {}, [list, hidden > 0 ? h('p', { className: 'muted small' }, [`${hidden} less likely classes not shown.`]) : null]);
}

function truthBadge(signature: Signature, cell: string, prediction: RowPrediction): HTMLElement {
  const verdict = judgeTruth(signature, cell, prediction);
  const outcome =
    verdict.match === true
      ? ' ✓ match'
      : verdict.match === false
        ? ' ✗ differs'
        : verdict.error !== undefined
          ? ` (error ${formatNumber(verdict.error)})`
          : '';
  return h(
    'div',
    {
      className: 'truth',
      attrs: {
        'data-truth': cell,
        'data-truth-class': verdict.className,
        'data-match': verdict.match === undefined ? undefined : String(verdict.match),
      },
    },
    [
      h('span', { className: 'muted' }, ['True value ']),
      h('strong', {}, [cell]),
      // The row holds a class index: say which class it is, so "0" next to "on_time" is not a puzzle.
      verdict.className !== undefined ? h('span', { className: 'muted' }, [` = ${verdict.className}`]) : null,
      outcome,
    ],
  );
}

/** Fields whose value lies far outside the reference range: the model is extrapolating. */
function rangeWarning(warnings: string[]): HTMLElement {
  return h('div', { className: 'result-warning', attrs: { role: 'note' } }, [
    h('strong', {}, ['Far outside the reference data: ']),
    warnings.join('; '),
    '. The model never saw such values, so treat this prediction with care.',
  ]);
}

export function createResultView(): ResultView {
  const element = h('section', {
    className: 'card result',
    attrs: { 'aria-live': 'polite', 'aria-label': 'Prediction result', 'data-state': 'empty' },
  });
  const empty = (): HTMLElement => h('p', { className: 'muted' }, ['Fill in the inputs and press Predict (Ctrl+Enter).']);
  replaceChildren(element, [empty()]);
  const staleNote = (): HTMLElement => {
    const note = h('div', { className: 'stale-note', attrs: { role: 'status' } }, [
      'Inputs changed since this prediction — press Predict to update it.',
    ]);
    note.hidden = true;
    return note;
  };

  return {
    element,
    showPending() {
      element.setAttribute('aria-busy', 'true');
      element.classList.add('is-pending');
    },
    showPrediction(signature, { prediction, latencyMs, truth, rangeWarnings }, sections = []) {
      element.removeAttribute('aria-busy');
      element.classList.remove('is-pending', 'is-stale');
      delete element.dataset.stale;
      element.dataset.state = 'prediction';
      const probabilitiesRole = signature.outputs.some((o) => o.role === 'probabilities');
      const label = prediction.label !== undefined ? String(prediction.label) : undefined;
      const isRegression = prediction.label === undefined && prediction.value !== undefined;
      const headline = h('div', { className: 'headline' }, [
        h('div', {}, [
          h('div', { className: 'eyebrow' }, [
            isRegression ? 'Predicted value' : prediction.label !== undefined ? 'Predicted class' : 'Output',
          ]),
          h(
            'div',
            { className: isRegression ? 'prediction-value' : 'prediction-label', attrs: { 'data-outcome': outcomeText(prediction) } },
            [outcomeText(prediction)],
          ),
          Array.isArray(prediction.value) ? valueNames(signature, prediction.value) : null,
        ]),
        h('div', { className: 'latency', attrs: { title: 'Client round trip: request sent → answer decoded' } }, [formatMs(latencyMs)]),
      ]);
      const raw = prediction.raw
        ? h('details', { className: 'raw-outputs', attrs: { open: signature.task === 'raw' } }, [
            h('summary', {}, ['Other outputs']),
            h('pre', { className: 'code' }, [truncateForDisplay(prettyJson(prediction.raw), 8000)]),
          ])
        : null;
      // The card is a list of sections, top to bottom; a new one (e.g. an explanation) is one more entry.
      replaceChildren(element, [
        staleNote(),
        headline,
        truth !== undefined ? truthBadge(signature, truth, prediction) : null,
        rangeWarnings?.length ? rangeWarning(rangeWarnings) : null,
        prediction.probabilities ? probabilityChart(prediction.probabilities, label, probabilitiesRole) : null,
        raw,
        ...sections,
      ]);
    },
    markStale() {
      if (element.dataset.state !== 'prediction' || element.classList.contains('is-stale')) return;
      element.classList.add('is-stale');
      element.dataset.stale = 'true';
      element.querySelector<HTMLElement>('.stale-note')!.hidden = false;
    },
    showError(message) {
      element.removeAttribute('aria-busy');
      element.classList.remove('is-pending', 'is-stale');
      delete element.dataset.stale;
      element.dataset.state = 'error';
      replaceChildren(element, [
        h('div', { className: 'error-box', attrs: { role: 'alert' } }, [h('strong', {}, ['Prediction failed: ']), message]),
      ]);
    },
    clear() {
      element.classList.remove('is-stale');
      delete element.dataset.stale;
      element.dataset.state = 'empty';
      replaceChildren(element, [empty()]);
    },
  };
}

function valueNames(signature: Signature, values: number[]): HTMLElement | null {
  const names = signature.outputs.find((o) => o.role === 'value')?.names;
  if (!names) return null;
  return h(
    'dl',
    { className: 'value-list' },
    values.flatMap((v, i) => [h('dt', {}, [names[i] ?? `#${i}`]), h('dd', {}, [formatNumber(v)])]),
  );
}
