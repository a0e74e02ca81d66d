/**
 * The "Predict" tab: form → OIP request → answer, with sample rows, the request as JSON/curl and a
 * short history. Rebuilt when the server reloads the model, keeping the values that still apply.
 */
import type { ModelDescription, RowPrediction } from '../../../server/protocol/api';
import type { SampleImage, SampleImageList } from '../../../server/protocol/sample-images';
import { InputError } from '../../../server/protocol/codec';
import type { Signature } from '../../../server/protocol/signature';
import type { FieldValue, HistoryEntry, PersistedState } from '../persisted-state';
import type { ServerClient } from '../client';
import { h, replaceChildren } from '../dom';
import { formatNumber, summarizeValues } from '../format';
import { createFeatureForm, type FeatureForm } from './form';
import { createHistoryView, HISTORY_LIMIT } from './history-view';
import { buildInferRequest, readInferResponse, recordFromValues } from './inference';
import { createRequestView } from './request-view';
import { createResultView, outcomeText } from './result-view';
import { createSampleRowPicker, type SampleRowPicker } from './sample-rows';
import type { StateStore } from '../state';
import type { AppTab } from '../tabs';
import { fieldOfError } from './validate';
import './predict.css';
import { inUiWords } from './ui-words';
import { bringIntoView } from './into-view';
import { ServerError } from '../client';
import { readUiConfig } from '../config';
import { createJobsClient } from '../jobs-client';
import { createWhyView, whyUnavailable, type WhyView } from './why-view';

/** Values worth carrying into a reloaded model's form: same feature name and kind, still-allowed category. */
function applicableValues(
  signature: Signature,
  previous: Signature | undefined,
  values: Record<string, FieldValue>,
): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const feature of signature.features) {
    if (!(feature.name in values) || feature.kind === 'image') continue;
    const before = previous?.features.find((f) => f.name === feature.name);
    if (before && before.kind !== feature.kind) continue;
    const value = values[feature.name];
    if (feature.kind === 'category' && feature.categories?.length && !feature.categories.includes(String(value))) continue;
    out[feature.name] = value;
  }
  for (const key of Object.keys(values))
    if (key.startsWith('@tensor:') && signature.inputs.some((b) => `@tensor:${b.tensor}` === key)) out[key] = values[key]!;
  return out;
}

/** One line per field far outside the reference range, for the result card (`mean texture = 1e9 (typical 9.71 – 39.28)`). */
function farOutside(signature: Signature, form: FeatureForm): string[] {
  const values = form.values();
  return [...form.warnings().keys()].map((key) => {
    const feature = signature.features.find((f) => f.name === key);
    const range =
      feature?.min !== undefined && feature.max !== undefined
        ? ` (typical ${formatNumber(feature.min)} – ${formatNumber(feature.max)})`
        : '';
    return `${key} = ${String(values[key]).trim()}${range}`;
  });
}

export function createPredictTab(client: ServerClient, store: StateStore): AppTab {
  const saved = store.load();
  let history: HistoryEntry[] = saved?.history ?? [];
  let savedValues: Record<string, FieldValue> = saved?.values ?? {};
  let savedModel = saved?.modelName;

  let description: ModelDescription | null = null;
  let form: FeatureForm | null = null;
  let picker: SampleRowPicker | null = null;
  let truth: string | undefined;
  let filling = false;
  let inFlight = false;
  /** The "Why?" section of the prediction on the card, if any. */
  let why: WhyView | null = null;

  // The pictures are read from disk, so the server gives them to the owner only: a page without the lab
  // (a share link) does not ask, rather than log a refused request. Jobs ("Why?") are the owner's too.
  const ownerPage = readUiConfig().labTabs !== false;
  const jobs = ownerPage ? createJobsClient(client) : null;
  const sampleImages = !ownerPage
    ? undefined
    : (): Promise<SampleImage[]> => client.json<SampleImageList>('GET', '/api/sample-images').then((list) => list.images);
  const formHost = h('div', { className: 'form-host' });
  const sampleHost = h('div', { className: 'sample-host' });
  const status = h('span', { className: 'predict-status muted small', attrs: { id: 'predict-status', 'aria-live': 'polite' } });
  const predictButton = h(
    'vscode-button',
    {
      className: 'predict-button',
      attrs: { title: 'Predict (Ctrl+Enter / ⌘+Enter)' },
      on: { click: () => void predict() },
    },
    ['Predict'],
  ) as HTMLElement & { disabled: boolean };
  const result = createResultView();
  const requestView = createRequestView();
  const historyView = createHistoryView((entry) => {
    if (!form) return;
    fill(entry.values);
    truth = undefined;
    picker?.reset();
    form.focus(form.keys[0] ?? '');
  });
  historyView.render(history);

  const element = h('div', { className: 'predict-layout' }, [
    h('section', { className: 'card inputs', attrs: { 'aria-labelledby': 'inputs-title' } }, [
      h('h2', { attrs: { id: 'inputs-title' } }, ['Inputs']),
      sampleHost,
      formHost,
      h('div', { className: 'actions' }, [predictButton, status]),
    ]),
    h('div', { className: 'outputs' }, [result.element, requestView.element, historyView.element]),
  ]);

  function persist(): void {
    if (!description || !form) return;
    const state: PersistedState = { modelName: description.info.name, values: form.values(), history };
    store.save(state);
  }

  function fill(values: Record<string, FieldValue>): void {
    const before = JSON.stringify(form?.values());
    filling = true;
    try {
      form?.setValues(values);
    } finally {
      filling = false;
    }
    if (JSON.stringify(form?.values()) !== before) markStale();
    refreshActions();
    persist();
  }

  function refreshActions(): void {
    const problems = form?.problems() ?? new Map();
    predictButton.disabled = inFlight || problems.size > 0 || !form;
    if (inFlight) status.textContent = 'Predicting…';
    else if (problems.size === 1 && [...problems.values()][0] === 'Choose an image file.')
      status.textContent = 'Choose an image to predict.';
    else if (problems.size) {
      const names = inUiWords([...problems.keys()].join(', '));
      status.textContent = `Fix ${problems.size} field${problems.size > 1 ? 's' : ''} to predict: ${names}.`;
    } else status.textContent = 'Ctrl+Enter to predict';
  }

  function markStale(): void {
    result.markStale();
    why?.markStale();
  }

  function dropWhy(): void {
    why?.dispose();
    why = null;
  }

  /** A fresh "Why?" for the prediction of `values` (the previous one's job, if running, is cancelled). */
  function newWhy(model: ModelDescription, values: Record<string, FieldValue>, prediction: RowPrediction): WhyView {
    why?.dispose();
    const unavailable = whyUnavailable(model.signature, { ownerPage, hasReference: model.reference !== null });
    // Image models never get this far with a record: their button explains why it is disabled instead.
    const record = unavailable ? {} : recordFromValues(model.signature, values, {});
    why = createWhyView({ jobs, record, prediction, unavailable });
    return why;
  }

  function onFormChange(): void {
    if (!filling) {
      // The user changed a value by hand: the inputs are no longer that sample row.
      truth = undefined;
      picker?.reset();
    }
    markStale();
    refreshActions();
    persist();
  }

  async function predict(): Promise<void> {
    if (!description || !form || inFlight) return;
    const problems = form.problems();
    if (problems.size) {
      const [key] = problems.keys();
      form.focus(key);
      refreshActions();
      return;
    }
    const model = description;
    const values = form.values();
    let request;
    try {
      request = buildInferRequest(model.signature, values, form.images());
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const key = fieldOfError(err.message, form.keys) ?? err.field;
      form.showError(key, inUiWords(err.message));
      dropWhy();
      result.showError(inUiWords(err.message));
      return;
    }
    const rangeWarnings = farOutside(model.signature, form);
    inFlight = true;
    refreshActions();
    result.showPending();
    requestView.show(request, client.origin, model.inferPath, client.token);
    const started = performance.now();
    try {
      const response = await client.infer(model.inferPath, request);
      const latencyMs = performance.now() - started;
      requestView.showResponse(response);
      const { prediction } = readInferResponse(model.signature, response);
      const shown = { prediction, latencyMs, rangeWarnings, ...(truth !== undefined ? { truth } : {}) };
      result.showPrediction(model.signature, shown, [newWhy(model, values, prediction).element]);
      bringIntoView(result.element);
      history = [
        {
          at: new Date().toISOString(),
          values,
          inputsSummary: summarizeValues(values),
          outcome: outcomeText(prediction),
          latencyMs,
        },
        ...history,
      ].slice(0, HISTORY_LIMIT);
      historyView.render(history);
      persist();
    } catch (err) {
      const raw = (err as Error).message;
      if (err instanceof ServerError) requestView.showResponse(`HTTP ${err.status || 'error'}: ${raw}`);
      const message = inUiWords(raw);
      const key = fieldOfError(message, form.keys);
      if (key) form.showError(key, message);
      dropWhy();
      result.showError(message);
      bringIntoView(result.element);
    } finally {
      inFlight = false;
      refreshActions();
    }
  }

  return {
    id: 'predict',
    title: 'Predict',
    element,
    update(next, previous) {
      const keep = form ? form.values() : savedModel === next.info.name ? savedValues : {};
      savedValues = {};
      savedModel = undefined;
      if (previous && previous.info.name !== next.info.name) history = [];
      description = next;
      form = createFeatureForm(next.signature, onFormChange, { sampleImages });
      replaceChildren(formHost, [form.element]);
      picker = next.reference?.rows.length
        ? createSampleRowPicker(next.signature, next.reference, (choice) => {
            fill(choice.values);
            truth = choice.truth;
          })
        : null;
      replaceChildren(sampleHost, [picker?.element]);
      truth = undefined;
      fill(applicableValues(next.signature, previous?.signature, keep));
      historyView.render(history);
    },
    onShortcut(event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void predict();
      }
    },
  };
}
