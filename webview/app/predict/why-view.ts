/**
 * The "Why?" section of a prediction's card (issue 12): runs the `explain` job with SHAP on exactly the
 * input of that prediction (the served model; background rows from its reference CSV), with progress
 * and Cancel, then shows the waterfall (./why-report.ts). One view per shown prediction: a new
 * prediction disposes the old view, which cancels its job if it still runs (the server runs one
 * explanation at a time, and that one answers an input nobody looks at any more).
 */
import type { RowPrediction } from '../../../server/protocol/api';
import type { ExplainReport, ExplainRequest } from '../../../server/protocol/explain';
import type { FeatureRecord, Signature } from '../../../server/protocol/signature';
import { ServerError } from '../client';
import { h, replaceChildren, uniqueId } from '../dom';
import type { JobProgress, JobsClient, JobState } from '../jobs-client';
import { defaultOutput, groupsFeatures, renderWhyReport } from './why-report';

/**
 * Why "Why?" cannot run for this page and model, in words saying what to do; null when it can.
 * Image inputs get a reason rather than a hidden button: SHAP over single pixels (64 for digits, far more
 * for photos) attributes the answer to pixels that mean nothing alone and costs thousands of model calls
 * per picture; a button that is missing for one model only would look like a bug.
 */
export function whyUnavailable(signature: Signature, options: { ownerPage: boolean; hasReference: boolean }): string | null {
  if (signature.features.some((f) => f.kind === 'image'))
    return 'Why? explains tabular inputs. For a picture, SHAP would weigh single pixels, which say little on their own.';
  if (signature.inputs.some((b) => b.kind === 'raw'))
    return 'Why? needs named features; this model takes raw tensors, so there is nothing to attribute the answer to.';
  if (!signature.features.length) return 'Why? needs named features; this model has none.';
  if (!options.ownerPage)
    return (
      'Why? runs an explanation on the server, which only the model’s owner may start, and this page was opened ' +
      'through a share link (or without the owner’s access key). Open the address model-lab serve printed, or the VS Code panel.'
    );
  if (!options.hasReference)
    return (
      'Why? compares this input with rows of the model’s reference data, and the model is served without any. ' +
      'Serve it with --reference <csv> to explain predictions.'
    );
  return null;
}

export interface WhyView {
  readonly element: HTMLElement;
  /** The inputs changed since the prediction: the explanation (shown or coming) is of the earlier input. */
  markStale(): void;
  /** Stops following the job and cancels it if it still runs. */
  dispose(): void;
}

export interface WhyViewOptions {
  /** Null when `unavailable` says why. */
  jobs: JobsClient | null;
  /** Exactly the input of the prediction, as the codec took it. */
  record: FeatureRecord;
  prediction: RowPrediction;
  unavailable: string | null;
}

const wallMs = (job: JobState<unknown>): number | null =>
  job.finishedAt ? Math.max(0, Date.parse(job.finishedAt) - Date.parse(job.startedAt)) : null;

export function createWhyView({ jobs, record, prediction, unavailable }: WhyViewOptions): WhyView {
  const reasonId = uniqueId('why-reason');
  const button = h(
    'button',
    {
      className: 'secondary why-button',
      attrs: { type: 'button', title: 'SHAP: how much each input pushed this prediction', 'aria-describedby': reasonId },
      on: { click: () => void start() },
    },
    ['Why?'],
  ) as HTMLButtonElement;
  const reason = h('span', { className: 'why-reason muted small', attrs: { id: reasonId } });
  const cancel = h('button', { className: 'secondary why-cancel', attrs: { type: 'button' }, on: { click: () => void stop() } }, [
    'Cancel',
  ]) as HTMLButtonElement;
  const bar = h('progress', { attrs: { max: 1, 'aria-label': 'Explanation progress' } }) as HTMLProgressElement;
  const step = h('span', { className: 'muted small' });
  const progress = h('div', { className: 'why-progress', attrs: { 'aria-live': 'polite' } }, [bar, step, cancel]);
  const staleNote = h('div', { className: 'why-stale-note', attrs: { role: 'status' } }, [
    'Explains the earlier input, not the changed one — press Predict, then Why? again.',
  ]);
  const body = h('div', { className: 'why-body' });
  const element = h('section', { className: 'why', attrs: { 'aria-label': 'Why this prediction', 'data-state': 'idle' } }, [
    h('div', { className: 'why-actions' }, [button, reason]),
    progress,
    staleNote,
    body,
  ]);

  let jobId: string | null = null;
  /** Cancel pressed while the job was still being started (its id not known yet). */
  let cancelAsked = false;
  let unfollow: (() => void) | null = null;
  let stale = false;
  let disposed = false;
  let shown: { report: ExplainReport; output: number; showAll: boolean; jobMs: number | null } | null = null;

  function setState(state: 'idle' | 'unavailable' | 'running' | 'done' | 'failed' | 'cancelled'): void {
    element.dataset.state = state;
    progress.hidden = state !== 'running';
    button.hidden = state === 'done';
    const blocked = unavailable ?? (stale ? 'Inputs changed since this prediction: press Predict, then Why?' : null);
    button.disabled = state === 'running' || blocked !== null;
    reason.textContent =
      state === 'running' ? '' : (blocked ?? (state === 'idle' ? 'How much each input pushed this prediction (SHAP values).' : ''));
    staleNote.hidden = !stale || (state !== 'done' && state !== 'running');
  }

  function say(text: string, error = false): void {
    replaceChildren(body, [
      h('div', { className: error ? 'error-box' : 'muted', attrs: error ? { role: 'alert' } : {} }, [
        error ? h('strong', {}, ['Why? failed: ']) : null,
        text,
      ]),
    ]);
  }

  async function start(): Promise<void> {
    if (jobId || !jobs || unavailable || stale) return;
    // Only what the job needs: SHAP of this one input; no global summary (the Explain tab has it).
    const request: ExplainRequest = { methods: ['shap'], record, globalRows: 0 };
    replaceChildren(body, []);
    cancelAsked = false;
    setState('running');
    bar.removeAttribute('value');
    step.textContent = 'Starting…';
    try {
      const job = await jobs.start('explain', request);
      if (disposed) {
        void jobs.cancel(job.id).catch(() => undefined);
        return;
      }
      jobId = job.id;
      unfollow = jobs.follow<ExplainReport>(job.id, onProgress, finished);
      if (cancelAsked) void stop();
    } catch (err) {
      setState('failed');
      say(`could not start the explanation: ${err instanceof ServerError ? err.message : (err as Error).message}`, true);
    }
  }

  function onProgress(p: JobProgress): void {
    bar.max = Math.max(1, p.total);
    bar.value = Math.min(p.done, bar.max);
    step.textContent = p.step;
  }

  function finished(job: JobState<ExplainReport>): void {
    jobId = null;
    unfollow = null;
    if (job.status === 'cancelled') {
      setState('cancelled');
      say('Cancelled before it finished. Press Why? to start again.');
      return;
    }
    const report = job.result;
    if (job.status !== 'done' || !report?.shap?.local) {
      setState('failed');
      say(job.error?.message ?? 'the job ended without SHAP values', true);
      return;
    }
    shown = { report, output: defaultOutput(report, prediction), showAll: false, jobMs: wallMs(job) };
    setState('done');
    draw();
  }

  function draw(): void {
    if (!shown) return;
    const { report, output } = shown;
    const outputs = report.model.outputs;
    const predicted = defaultOutput(report, prediction);
    const features = report.model.features.length;
    const choose =
      outputs.length > 1
        ? h('label', { className: 'why-output' }, [
            report.model.task === 'classification' ? 'Class explained ' : 'Output explained ',
            h(
              'select',
              {
                attrs: { 'aria-label': report.model.task === 'classification' ? 'Class explained' : 'Output explained' },
                on: {
                  change: (e) => {
                    shown!.output = Number((e.target as HTMLSelectElement).value);
                    draw();
                  },
                },
              },
              outputs.map((name, i) =>
                h('option', { attrs: { value: i, selected: i === output } }, [
                  i === predicted && report.model.task === 'classification' ? `${name} (predicted)` : name,
                ]),
              ),
            ),
          ])
        : null;
    const toggle = groupsFeatures(features)
      ? h(
          'button',
          {
            className: 'secondary why-all',
            attrs: { type: 'button', 'aria-pressed': String(shown.showAll) },
            on: {
              click: () => {
                shown!.showAll = !shown!.showAll;
                draw();
              },
            },
          },
          [shown.showAll ? 'Show the largest only' : `Show all ${features} features`],
        )
      : null;
    replaceChildren(body, [
      h('h3', {}, ['Why this prediction?']),
      h('div', { className: 'why-controls' }, [choose, toggle]),
      ...renderWhyReport({ report, prediction, output, showAll: shown.showAll, jobMs: shown.jobMs }),
    ]);
  }

  async function stop(): Promise<void> {
    if (!jobs) return;
    if (!jobId) {
      cancelAsked = true;
      step.textContent = 'Cancelling…';
      return;
    }
    cancel.disabled = true;
    try {
      await jobs.cancel(jobId);
    } catch (err) {
      step.textContent = `Could not cancel: ${(err as Error).message}`;
    } finally {
      cancel.disabled = false;
    }
  }

  setState(unavailable ? 'unavailable' : 'idle');
  return {
    element,
    markStale() {
      if (stale) return;
      stale = true;
      element.dataset.stale = 'true';
      setState(element.dataset.state as Parameters<typeof setState>[0]);
    },
    dispose() {
      disposed = true;
      unfollow?.();
      if (jobId && jobs) void jobs.cancel(jobId).catch(() => undefined);
      jobId = null;
    },
  };
}
